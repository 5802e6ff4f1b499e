// The pre-deploy check: replays the journal of every unfinished run against new code without executing anything,
// and reports each run the new code would break. Each run's journal is copied into a scratch in-memory store and
// driven by the ordinary executor in replay-only mode (ExecutorDeps.replayOnly): the journal's results are handed
// back exactly as a worker would, and the first call the journal does not hold ends the check of that run instead
// of running. Nothing is written to the real store; artifacts are read from it.
import {
  type AnyWorkflowDefinition,
  type ContextExtension,
  DuroError,
  type ErrorInfo,
  type EventBody,
  type JournalEvent,
  type WorkflowDefinition,
} from "../core/index.js";
import { MemoryStore, type RunRecord, type RunStatus, type Store } from "../store/index.js";
import { executeRun } from "./executor.js";

/** The error code a replay-only invocation ends with once it reaches the end of the journal. */
export const REPLAY_FRONTIER = "replay_frontier";

export interface DeployCheckOptions {
  /** The store holding the runs in flight. */
  store: Pick<Store, "listRuns" | "read" | "getArtifact">;
  /**
   * The new code. Runs of workflows not given here are not checked (listed in `skipped`). A run is replayed against
   * the definition of its own version when given, else against the last one given with its workflow's name.
   */
  workflows: AnyWorkflowDefinition[];
  /** default waiting, queued, running */
  statuses?: RunStatus[];
  /** The context extensions the runs' engine has, so that replay finds `ctx.llm` and the like. default none here; the checkDeploy of src/index.ts adds agentToolkit first */
  extensions?: ContextExtension[];
}

export interface RunCheck {
  runId: string;
  workflow: string;
  version: string;
  /** The version of the code the run was replayed against. */
  codeVersion: string;
  status: RunStatus;
  ok: boolean;
  /** When not ok: what the code asked for against what the journal holds there. */
  expected?: string;
  requested?: string;
  /** When not ok because the code asked for another call: where in the code (`file:line:column`) it asked. */
  location?: string;
  /** When not ok: the error the run would fail with (non_determinism, or an error the new code throws in replay). */
  error?: ErrorInfo;
}

export interface DeployCheckReport {
  ok: boolean;
  checked: number;
  /** The runs the new code would break, in listing order. */
  broken: RunCheck[];
  runs: RunCheck[];
  /** Runs of workflows the new code does not define. */
  skipped: Array<{ runId: string; workflow: string }>;
}

const DEFAULT_STATUSES: RunStatus[] = ["waiting", "queued", "running"];

/** Checks every unfinished run of the given workflows against their new definitions. */
export async function checkDeploy(options: DeployCheckOptions): Promise<DeployCheckReport> {
  const byName = new Map(options.workflows.map((w) => [w.name, w]));
  const byVersion = new Map(options.workflows.map((w) => [`${w.name}\0${w.version}`, w]));
  const runs: RunCheck[] = [];
  const skipped: DeployCheckReport["skipped"] = [];
  for (const status of options.statuses ?? DEFAULT_STATUSES) {
    let cursor: string | undefined;
    do {
      const page = await options.store.listRuns({ status, limit: 200, ...(cursor === undefined ? {} : { cursor }) });
      for (const record of page.runs) {
        const def = byVersion.get(`${record.workflow}\0${record.version}`) ?? byName.get(record.workflow);
        if (def) runs.push(await checkRun(options.store, def, record, options.extensions));
        else skipped.push({ runId: record.id, workflow: record.workflow });
      }
      cursor = page.nextCursor;
    } while (cursor !== undefined);
  }
  const broken = runs.filter((r) => !r.ok);
  return { ok: broken.length === 0, checked: runs.length, broken, runs, skipped };
}

/** Replays one run's journal (as read from `store`) against `def` without executing anything. */
export async function checkRun(
  store: Pick<Store, "read" | "getArtifact">,
  def: AnyWorkflowDefinition,
  record: RunRecord,
  extensions?: readonly ContextExtension[],
): Promise<RunCheck> {
  const base = { runId: record.id, workflow: record.workflow, version: record.version, codeVersion: def.version, status: record.status };
  const events = await store.read(record.id);
  const scratch = new MemoryStore();
  // Results kept as artifacts are read from the real store.
  scratch.getArtifact = (sha256) => store.getArtifact(sha256);
  let replayed: JournalEvent[];
  try {
    const lease = await copyJournal(scratch, record, events);
    await executeRun(
      {
        store: scratch,
        clock: Date.now,
        random: Math.random,
        uuid: () => "00000000-0000-4000-8000-000000000000",
        leaseMs: 3_600_000,
        inlineWaitMs: 0,
        artifactThreshold: Number.MAX_SAFE_INTEGER,
        workflow: (name) => (name === def.name ? (def as WorkflowDefinition) : undefined),
        runChildInline: async () => undefined,
        cancelRun: async () => undefined,
        secrets: {
          get: () => {
            throw new DuroError("secret_not_found", "the pre-deploy check executes nothing and reads no secret");
          },
        },
        replayOnly: true,
        ...(extensions ? { extensions } : {}),
      },
      lease,
    ).outcome;
    replayed = await scratch.read(record.id);
  } finally {
    await scratch.close();
  }
  const failed = replayed.find((e): e is Extract<JournalEvent, { type: "run_failed" }> => e.type === "run_failed");
  if (!failed || failed.error.code === REPLAY_FRONTIER) return { ...base, ok: true };
  const details = failed.error.details ?? {};
  return {
    ...base,
    ok: false,
    ...(typeof details.expected === "string" ? { expected: details.expected } : {}),
    ...(typeof details.requested === "string" ? { requested: details.requested } : {}),
    ...(typeof details.location === "string" ? { location: details.location } : {}),
    error: failed.error,
  };
}

async function copyJournal(scratch: MemoryStore, record: RunRecord, events: JournalEvent[]) {
  const created = events[0];
  if (created?.type !== "run_created") {
    throw new DuroError("internal_error", `run ${record.id}'s journal does not start with run_created`, { category: "internal" });
  }
  await scratch.createRun({
    id: record.id,
    workflow: created.workflow,
    version: created.version,
    input: created.input,
    tenant: created.tenant,
    options: created.options,
    ...(created.parentRunId === undefined ? {} : { parentRunId: created.parentRunId }),
  });
  const lease = await scratch.claimRun(record.id, "deploy-check", 3_600_000);
  if (!lease) throw new DuroError("internal_error", `could not lease the scratch copy of run ${record.id}`, { category: "internal" });
  const rest: EventBody[] = events.slice(1).map(({ seq: _seq, at: _at, ...event }) => event as EventBody);
  if (rest.length > 0) await scratch.append(record.id, rest, { lease, expectedSeq: 1 });
  return lease;
}
