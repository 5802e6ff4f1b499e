// How a call's promise is settled from what the journal holds for it: the same mapping for a result handed back by a
// replay and for one just journaled live, so the code sees the same value or error either way.
import {
  ChildRunFailedError,
  type ErrorInfo,
  type OpRequest,
  type OpState,
  StepFailedError,
  type WaitSpec,
  WaitTimeoutError,
  type WorkflowDefinition,
} from "../core/index.js";
import { childConflict } from "./conflicts.js";

/** Settles a replayed call with its journaled result (a child asked for with another workflow or input conflicts). */
export function settleFromJournal(request: OpRequest, op: OpState): void {
  if (op.kind === "child") {
    try {
      throwChildConflict(request, op);
    } catch (conflict) {
      return request.reject(conflict);
    }
  }
  if (op.kind === "step") {
    if (op.status === "completed") request.resolve(op.result);
    else request.reject(new StepFailedError(op.key, op.error as ErrorInfo));
    return;
  }
  settleWait(request, op.wait as WaitSpec, op.result, op.resolvedBy ?? "event");
}

/** Resolves a wait's promise from its payload, live or replayed: the same mapping both ways. */
export function settleWait(request: OpRequest, spec: WaitSpec, payload: unknown, by: string): void {
  if (by === "timeout") {
    request.reject(new WaitTimeoutError(request.key, spec.timeoutAt ?? ""));
    return;
  }
  switch (spec.kind) {
    case "sleep":
      return request.resolve(undefined);
    case "event":
      return request.resolve(payload);
    case "approval":
      return request.resolve(payload);
    case "tool":
      return request.resolve(payload);
    case "ask":
      return request.resolve((payload as { value?: unknown } | null)?.value);
    case "child": {
      const result = payload as { status: string; output?: unknown; error?: ErrorInfo };
      if (result.status === "completed") return request.resolve(result.output);
      return request.reject(new ChildRunFailedError(spec.childRunId ?? "", result.status, result.error));
    }
  }
}

/** A child call that asks for a journaled child with another workflow or input: child_conflict, not the old child. */
export function throwChildConflict(request: OpRequest, op: OpState): void {
  const { workflow, input } = request.args as { workflow: WorkflowDefinition | string; input: unknown };
  const conflict = childConflict(op, { workflow: typeof workflow === "string" ? workflow : workflow.name, input });
  if (conflict) throw conflict;
}
