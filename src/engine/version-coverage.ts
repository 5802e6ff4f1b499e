// Which live workers can run the unfinished runs of each workflow version (for `duro versions`): a pure function over
// the runs counted per version and the live workers registry, so that a deploy that retired the last worker of a
// version too early shows up as stranded runs instead of runs that silently never move.
import { type WorkerInfo, workerClaims } from "../store/index.js";

/**
 * What becomes of a version's unfinished runs: `covered` (a live worker claims them), `stranded` (live workers run the
 * workflow, pinned to other versions: they never will), `unserved` (no live worker runs the workflow at all), or
 * `idle` (no unfinished runs; a live worker holds it).
 */
export type CoverageState = "covered" | "stranded" | "unserved" | "idle";

export interface VersionCoverage {
  workflow: string;
  version: string;
  /** Unfinished (queued, running, waiting) runs of this version. */
  unfinished: number;
  /** Live workers holding this version's code. */
  workers: number;
  /** Live workers that claim this workflow in any version (no pinning for it), so they would run these runs too. */
  anyVersionWorkers: number;
  state: CoverageState;
  /** The versions of this workflow that live workers hold, when they are not this one (for the message). */
  heldElsewhere: string[];
}

/** Per (workflow, version) with unfinished runs or held by a live worker: who can run it. Sorted by workflow, version. */
export function versionCoverage(
  unfinished: ReadonlyArray<{ workflow: string; version: string; count: number }>,
  liveWorkers: readonly WorkerInfo[],
): VersionCoverage[] {
  const keys = new Map<string, { workflow: string; version: string; count: number }>();
  for (const u of unfinished) keys.set(`${u.workflow}\0${u.version}`, { ...u });
  for (const worker of liveWorkers) {
    for (const [workflow, versions] of Object.entries(worker.workflows)) {
      for (const version of versions) {
        const key = `${workflow}\0${version}`;
        if (!keys.has(key)) keys.set(key, { workflow, version, count: 0 });
      }
    }
  }
  return [...keys.values()]
    .map(({ workflow, version, count }) => coverageOf(workflow, version, count, liveWorkers))
    .sort((a, b) => a.workflow.localeCompare(b.workflow) || a.version.localeCompare(b.version));
}

function coverageOf(workflow: string, version: string, unfinished: number, liveWorkers: readonly WorkerInfo[]): VersionCoverage {
  const runsIt = liveWorkers.filter((w) => Object.hasOwn(w.workflows, workflow));
  const workers = runsIt.filter((w) => w.workflows[workflow]?.includes(version)).length;
  const anyVersionWorkers = runsIt.filter((w) => !w.workflows[workflow]?.includes(version) && workerClaims(w, workflow, version)).length;
  const heldElsewhere = [...new Set(runsIt.flatMap((w) => w.workflows[workflow] ?? []))].filter((v) => v !== version).sort();
  const state: CoverageState =
    unfinished === 0 ? "idle" : workers + anyVersionWorkers > 0 ? "covered" : runsIt.length > 0 ? "stranded" : "unserved";
  return { workflow, version, unfinished, workers, anyVersionWorkers, state, heldElsewhere };
}

/** For a stranded or unserved version: what is wrong and the ways to fix it. */
export function coverageProblem(c: VersionCoverage): string | undefined {
  const one = c.unfinished === 1;
  const what = `${c.unfinished} unfinished run${one ? "" : "s"} of ${c.workflow} version "${c.version}"`;
  const fixes =
    `start a worker with the code of version "${c.version}" (duro worker <file with that version>), ` +
    `or fork the runs onto code you run (duro runs fork <runId> <file> --from-step <key>), ` +
    `or, after duro check <file> shows the new code replays them, run a worker with --any-version`;
  if (c.state === "stranded") {
    const held = c.heldElsewhere.map((v) => `"${v}"`).join(", ");
    return `${what} ${one ? "is" : "are"} stranded: live workers run ${c.workflow} pinned to version ${held} only, and no live worker holds "${c.version}"; ${fixes}`;
  }
  if (c.state === "unserved") return `${what} ${one ? "waits" : "wait"} for a worker: no live worker runs ${c.workflow} at all; ${fixes}`;
  return undefined;
}
