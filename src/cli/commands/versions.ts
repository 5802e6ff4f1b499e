// `duro versions`: what is in flight per workflow version (waiting, queued and running runs), so you can see when no
// run of an old version remains (then its patches can be deprecated and its code dropped), and which live workers
// hold each version, so runs that no live worker will ever claim (stranded by a deploy) are named, not silent.
import { coverageProblem, type VersionCoverage, versionCoverage } from "../../engine/index.js";
import type { UnfinishedCount } from "../../store/index.js";
import type { CliCommand } from "../command.js";
import { EXIT, type Out, openDb, output, parse } from "../common.js";

export const versionsCommand: CliCommand = {
  name: "versions",
  async run(args) {
    const { values } = parse(args, { check: { type: "boolean", default: false } });
    const out = output(values.json);
    const store = openDb(values.db);
    try {
      const [versions, workers] = await Promise.all([store.countUnfinished(), store.listWorkers()]);
      const coverage = versionCoverage(
        versions.map((v) => ({ workflow: v.workflow, version: v.version, count: v.queued + v.running + v.waiting })),
        workers,
      );
      const problems = coverage.flatMap((c) => {
        const problem = coverageProblem(c);
        return problem === undefined ? [] : [{ workflow: c.workflow, version: c.version, state: c.state, message: problem }];
      });
      out.data({ versions, liveWorkers: workers.length, coverage, problems });
      printVersions(out, versions, coverage, workers.length);
      for (const p of problems) out.print(`${p.state === "stranded" ? "STRANDED" : "NO WORKER"}: ${p.message}`);
      return values.check && problems.length > 0 ? EXIT.failed : EXIT.ok;
    } finally {
      await store.close();
    }
  },
};

function printVersions(out: Out, versions: UnfinishedCount[], coverage: VersionCoverage[], liveWorkers: number): void {
  const held = (workflow: string, version: string) => {
    const c = coverage.find((x) => x.workflow === workflow && x.version === version);
    const any = c && c.anyVersionWorkers > 0 ? ` (+${c.anyVersionWorkers} running any version)` : "";
    return `workers ${c?.workers ?? 0}${any}`;
  };
  if (versions.length === 0) out.print("no unfinished runs");
  for (const v of versions) {
    out.print(
      `${v.workflow}  ${v.version}  queued ${v.queued}  running ${v.running}  waiting ${v.waiting}  ${held(v.workflow, v.version)}`,
    );
  }
  for (const c of coverage.filter((x) => x.state === "idle"))
    out.print(`${c.workflow}  ${c.version}  no unfinished runs  workers ${c.workers}`);
  out.print(
    liveWorkers === 0
      ? "no live workers (a running duro worker announces itself; see duro workers list)"
      : `${liveWorkers} live worker${liveWorkers === 1 ? "" : "s"} (duro workers list)`,
  );
}
