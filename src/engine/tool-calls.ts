// External tool calls from outside the run: the host's result (or error) for one open `tool` wait, found by the
// model's call id. A call that is unknown, already answered or on its way gets a code, never a second result.
import { type ExternalToolOutcome, inputError } from "../core/index.js";
import type { RunRecord, Store } from "../store/index.js";
import type { TenantWait } from "./messages.js";
import { toJsonValue } from "./start.js";

/** What the host posts: exactly one of `result` (any JSON) and `error` (the message the tool failed with). */
export interface ToolOutcomeInput {
  result?: unknown;
  error?: string;
  /** Who answered; recorded as the wait's `by`. */
  by?: string;
}

/** The inbox payload of a tool outcome; `invalid_tool_result` unless it has exactly one of result and error. */
export function toolOutcomePayload(outcome: ToolOutcomeInput): ExternalToolOutcome {
  const hasResult = outcome.result !== undefined;
  const hasError = outcome.error !== undefined;
  if (hasResult === hasError)
    throw inputError("invalid_tool_result", "a tool call's outcome needs exactly one of `result` (JSON) and `error` (a message)", {
      given: [...(hasResult ? ["result"] : []), ...(hasError ? ["error"] : [])],
    });
  if (hasError && (typeof outcome.error !== "string" || outcome.error === ""))
    throw inputError("invalid_tool_result", "a tool call's `error` must be a non-empty message");
  const by = outcome.by ? { by: outcome.by } : {};
  return hasError ? { error: outcome.error as string, ...by } : { result: toJsonValue(outcome.result, "tool result"), ...by };
}

/** The open tool wait of `runId` for `callId`, or `tool_call_unknown` / `tool_call_answered` saying why not. */
export async function openToolCall(store: Store, record: RunRecord, callId: string): Promise<TenantWait> {
  const runId = record.id;
  const waits = (await store.openWaits({ runId })).filter((w) => w.kind === "tool");
  const wait = waits.find((w) => w.callId === callId);
  if (wait) {
    if (await store.peekInbox(wait.eventKey as string, record.tenant))
      throw answered(
        runId,
        callId,
        `already has a result on its way to the run (it takes it when a worker picks the run up: duro resume ${runId})`,
      );
    return { ...wait, tenant: record.tenant };
  }
  // Reading the journal is fine here: this runs once per host request, never on the run's own path.
  const asked = (await store.read(runId)).some((e) => e.type === "wait_started" && e.kind === "tool" && e.callId === callId);
  if (asked) throw answered(runId, callId, "already has a result");
  const open = waits.map((w) => w.callId as string);
  throw inputError(
    "tool_call_unknown",
    `run ${runId} has no tool call "${callId}" (it is ${record.status}${open.length ? `; open tool calls: ${open.join(", ")}` : ""}); list pending calls with \`duro tools pending --run ${runId}\``,
    { runId, callId, open },
  );
}

function answered(runId: string, callId: string, what: string) {
  return inputError("tool_call_answered", `tool call "${callId}" of run ${runId} ${what}; a call takes one result`, { runId, callId });
}
