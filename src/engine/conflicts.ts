// Conflicts instead of silent reuse: a start that names an existing run (by id or idempotency key) must ask for the
// same workflow and input, and a resumed parent must ask for each journaled child with the input it was started
// with. Otherwise the caller would get another request's run, or the old child, as if it were its own.
import { DuroError, type EventOf, type OpState, valueHash } from "../core/index.js";

/** What a start asked for, to compare with the run that already exists. */
export interface StartRequest {
  workflow: string;
  /** The input as it would be journaled. */
  input: unknown;
  /** What matched: the run id given, or the idempotency key. */
  matchedBy: { id: string } | { idempotencyKey: string };
}

/** run_conflict when the existing run (its run_created) is of another workflow or has another input; else undefined. */
export function runConflict(existing: EventOf<"run_created">, runId: string, request: StartRequest): DuroError | undefined {
  const differs: string[] = [];
  if (existing.workflow !== request.workflow) differs.push(`workflow ("${existing.workflow}", not "${request.workflow}")`);
  if (valueHash(existing.input) !== valueHash(request.input)) differs.push("input");
  if (differs.length === 0) return undefined;
  const matched = "id" in request.matchedBy ? `id ${request.matchedBy.id}` : `idempotency key "${request.matchedBy.idempotencyKey}"`;
  return new DuroError(
    "run_conflict",
    `a run with ${matched} already exists (run ${runId}) with another ${differs.join(" and another ")}; ` +
      "starting again with the same id or key is only idempotent for the same workflow and input: use a new id or key for a new run",
    {
      category: "input",
      details: { runId, differs: differs.map((d) => d.split(" ")[0]), workflow: existing.workflow, requestedWorkflow: request.workflow },
    },
  );
}

/** child_conflict when a journaled child was started for another workflow or input than the code asks for now. */
export function childConflict(op: OpState, requested: { workflow: string; input: unknown }): DuroError | undefined {
  const differs: string[] = [];
  const journaledWorkflow = op.wait?.childWorkflow;
  if (journaledWorkflow !== undefined && journaledWorkflow !== requested.workflow) differs.push("workflow");
  // Journals from before the hash was recorded cannot be checked for input.
  if (op.childInputHash !== undefined && op.childInputHash !== valueHash(requested.input)) differs.push("input");
  if (differs.length === 0) return undefined;
  return new DuroError(
    "child_conflict",
    `child "${op.key}" (run ${op.childRunId ?? "?"}) was started with another ${differs.join(" and ")} than the code asks for now` +
      `${journaledWorkflow !== requested.workflow ? ` ("${journaledWorkflow}", not "${requested.workflow}")` : ""}; ` +
      "a child's name and occurrence identify one child run, so give a child with other input another name, or start a new parent run",
    { category: "definition", details: { key: op.key, childRunId: op.childRunId, differs } },
  );
}
