// Values on their way into and out of the journal: only plain JSON is journaled (anything else is refused, never
// coerced), no secret enters it, large results go to the artifact store, and artifacts are loaded back for a replay.
import { DuroError, findNonJson, type JournalGuard, type NonJsonValue, type OpRequest, type RunState } from "../core/index.js";
import type { ExecutorDeps } from "./executor.js";

/** A value as journaled (`stored` inline, or `ref` to an artifact) and as the code gets it back (`returned`). */
export interface JournalValue {
  stored: unknown;
  ref?: string;
  returned: unknown;
}

/** The JSON form `value` is journaled in and the value the code gets back; an artifact only when `allowArtifact`. */
export async function toJournalValue(
  deps: Pick<ExecutorDeps, "journalGuard" | "artifactThreshold" | "store">,
  runId: string,
  value: unknown,
  what: string,
  allowArtifact = false,
): Promise<JournalValue> {
  if (value === undefined) return { stored: undefined, returned: undefined };
  // JSON.stringify alone would journal a Map, a Set or a class instance as {} and a NaN as null: refuse instead.
  const found = findNonJson(value);
  if (found) throw notSerializable(what, found);
  const json = JSON.stringify(value);
  const returned = JSON.parse(json);
  deps.journalGuard?.check(returned, what);
  if (!allowArtifact || json.length <= deps.artifactThreshold) return { stored: returned, returned };
  const ref = await deps.store.putArtifact(Buffer.from(json, "utf8"), { runId });
  return { stored: undefined, ref, returned };
}

/**
 * Refuses a call whose name or wait options hold a secret before anything of it is journaled or created: a step
 * name, an event key, a gate, an approval summary or a question become journal keys and fields.
 */
export function guardCall(guard: JournalGuard | undefined, request: OpRequest): void {
  if (!guard) return;
  const fields: Record<string, unknown> = { key: request.key };
  for (const [name, value] of Object.entries(request.args)) {
    if (typeof value === "string" || (Array.isArray(value) && value.every((v) => typeof v === "string"))) fields[name] = value;
  }
  const workflow = request.args.workflow as { name?: unknown } | undefined;
  if (typeof workflow === "object" && workflow !== null && typeof workflow.name === "string") fields.workflow = workflow.name;
  guard.check(fields, `call "${request.key}"`);
}

/** Puts the results journaled as artifacts back into the folded state, so a replay hands back the values. */
export async function loadArtifacts(store: ExecutorDeps["store"], state: RunState): Promise<void> {
  for (const op of state.ops) {
    if (op.resultRef === undefined) continue;
    const bytes = await store.getArtifact(op.resultRef);
    if (!bytes) {
      throw new DuroError(
        "artifact_missing",
        `artifact ${op.resultRef} of step "${op.key}" in run ${state.runId} is missing from the store`,
        {
          category: "storage",
        },
      );
    }
    op.result = JSON.parse(Buffer.from(bytes).toString("utf8"));
  }
}

function notSerializable(what: string, found: NonJsonValue): DuroError {
  const at = found.path === "$" ? "" : ` at ${found.path}`;
  return new DuroError(
    "result_not_serializable",
    `${what} cannot be journaled: it holds ${found.what}${at}. Return plain JSON values (objects, arrays, strings, finite numbers, ` +
      "booleans, null; a Date is kept as its ISO string): convert a Map with Object.fromEntries(map), a Set with [...set], a BigInt with String(n)",
    { category: "step", details: { what, path: found.path, found: found.what } },
  );
}
