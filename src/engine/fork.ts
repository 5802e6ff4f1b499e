// Forking a run: a new run whose journal is a copy of another's up to (not including) the first event of a given
// step, or up to and including a bookmark, so a replay hands back every result before that point without executing
// it, and executes from there, with new code or a new input. The new run records its origin in its options
// (forkedFrom, and forkStep or forkBookmark). A bookmark is a journal position: nothing but the journal is copied.
import { randomBytes } from "node:crypto";
import { type AnyWorkflowDefinition, DuroError, type EventBody, type JournalEvent, newRunId, parseRunId } from "../core/index.js";
import type { Artifacts, RunRecord, Store } from "../store/index.js";
import { validateInput } from "./engine.js";

export interface ForkOptions {
  /** The step to execute again: its key (`charge#0`) or name (`charge`, meaning its first occurrence). Give this or `fromBookmark`. */
  fromStep?: string;
  /** The bookmark to start after: its name (its first occurrence) or `name#n` (its n-th, from 0). Give this or `fromStep`. */
  fromBookmark?: string;
  /** default: the origin's input */
  input?: unknown;
  /** The code the fork runs as (its version is recorded); default: the origin's workflow and version. */
  workflow?: AnyWorkflowDefinition;
  /** The new run's id; default: a new one. */
  id?: string;
  /** Who forks it: the fork's actor (the origin's session is kept, its actor is not: a fork is a new decision). */
  actor?: string;
  clock?: () => number;
}

/** Creates the fork, claimable at once, and returns its record. Nothing of the origin changes. */
export async function forkRun(
  store: Pick<Store, "read" | "createRun" | "claimRun" | "append" | "getRun"> & Artifacts,
  originId: string,
  options: ForkOptions,
): Promise<RunRecord> {
  const events = await store.read(originId);
  const created = events[0];
  if (created?.type !== "run_created") {
    throw new DuroError("run_not_found", `run ${originId} does not exist; check the id (duro runs list)`, { category: "input" });
  }
  const cut = forkPoint(originId, events, options);
  if (options.workflow && options.workflow.name !== created.workflow) {
    throw new DuroError("workflow_mismatch", `run ${originId} is a "${created.workflow}" run, not "${options.workflow.name}"`, {
      category: "input",
    });
  }
  const input = options.input === undefined ? created.input : await validated(options.workflow, options.input);
  const now = (options.clock ?? Date.now)();
  const id = options.id === undefined ? newRunId(now, randomBytes(16)) : parseRunId(options.id);
  // Not claimable until the copied journal is in: a fork cut short by a crash stays inert instead of starting over.
  const { created: isNew } = await store.createRun({
    id,
    workflow: created.workflow,
    version: options.workflow?.version ?? created.version,
    input,
    tenant: created.tenant,
    ...(created.session === undefined ? {} : { session: created.session }),
    ...(options.actor === undefined ? {} : { actor: options.actor }),
    options: { ...created.options, forkedFrom: originId, ...cut.origin },
    readyAt: Number.MAX_SAFE_INTEGER,
  });
  if (!isNew) throw new DuroError("run_exists", `a run with id ${id} already exists; fork with another --id`, { category: "input" });
  const lease = await store.claimRun(id, "fork", 60_000);
  if (!lease) throw new DuroError("internal_error", `could not lease the new fork ${id}`, { category: "internal" });
  const prefix = events.slice(1, cut.end).map(({ seq: _seq, at: _at, ...event }) => event as EventBody);
  await referenceArtifacts(store, id, prefix);
  await store.append(id, prefix, { lease, expectedSeq: 1, release: true, readyAt: now });
  return (await store.getRun(id)) as RunRecord;
}

/** Where the copied prefix ends (exclusive index into the journal) and what the fork records about it. */
function forkPoint(
  originId: string,
  events: readonly JournalEvent[],
  options: ForkOptions,
): { end: number; origin: { forkStep: string } | { forkBookmark: string; forkSeq: number } } {
  const { fromStep, fromBookmark } = options;
  if ((fromStep === undefined) === (fromBookmark === undefined)) {
    throw new DuroError(
      "fork_point_ambiguous",
      "a fork starts either at a step (fromStep, --from-step) or after a bookmark (fromBookmark, --from-bookmark): give exactly one",
      {
        category: "input",
      },
    );
  }
  if (fromStep !== undefined) {
    const key = fromStep.includes("#") ? fromStep : `${fromStep}#0`;
    const at = events.findIndex((e) => "key" in e && e.key === key);
    if (at < 0) {
      throw new DuroError("fork_step_not_found", `run ${originId} has no step "${key}"; duro runs show ${originId} lists its steps`, {
        category: "input",
      });
    }
    return { end: at, origin: { forkStep: key } };
  }
  const name = fromBookmark as string;
  const key = `$bookmark:${/#\d+$/.test(name) ? name : `${name}#0`}`;
  const at = events.findIndex((e) => e.type === "bookmark" && e.key === key);
  if (at < 0) {
    const known = events.flatMap((e) => (e.type === "bookmark" ? [e.key.slice("$bookmark:".length)] : []));
    throw new DuroError(
      "bookmark_not_found",
      `run ${originId} has no bookmark "${name}"; ${known.length ? `its bookmarks: ${known.join(", ")}` : "it has none"} (duro runs bookmarks ${originId})`,
      { category: "input", details: { runId: originId, bookmark: name, known } },
    );
  }
  // The bookmark itself is copied: a replay of the fork meets it where the code asks for it.
  return { end: at + 1, origin: { forkBookmark: name, forkSeq: (events[at] as JournalEvent).seq } };
}

/**
 * The fork replays step results the origin kept as artifacts: it stores them as its own, so retention keeps them
 * when the origin is pruned. (Artifacts the copied steps only mention, such as conversation nodes, stay the origin's.)
 */
async function referenceArtifacts(store: Artifacts, runId: string, events: EventBody[]): Promise<void> {
  for (const event of events) {
    if (event.type !== "step_completed" || event.resultRef === undefined) continue;
    const bytes = await store.getArtifact(event.resultRef);
    if (bytes) await store.putArtifact(bytes, { runId });
  }
}

async function validated(def: AnyWorkflowDefinition | undefined, input: unknown): Promise<unknown> {
  return def ? validateInput(def, input) : input;
}
