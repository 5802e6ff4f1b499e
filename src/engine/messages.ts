// What is sent to a run from outside: events, approval decisions and answers. Each is checked (a reserved key, the
// open wait it is meant for, a decision already on its way, the choices) before it may enter the run's inbox.
import { type ApprovalDecision, type Attribution, checkAttribution, inputError } from "../core/index.js";
import type { OpenWait, RunRecord, Store } from "../store/index.js";
import { toJsonValue } from "./start.js";

export interface Decision {
  action: ApprovalDecision["action"];
  by?: string;
  comment?: string;
}

/** Who sends a message to a run, journaled with the `wait_resolved` that takes it (or with `run_cancelled`). */
export interface SendOptions {
  /** Who decides (a user id); default none */
  actor?: string;
  /** The API key it came through (set by the server). default none */
  keyId?: string;
  /** The caller's W3C trace context, so the run's spans for the resumption join the caller's trace. default none */
  traceparent?: string;
}

/** The checked attribution of a message, or undefined when it names nobody. */
export function attributionFrom(options: SendOptions, where: string): Attribution | undefined {
  const checked = checkAttribution(
    {
      ...(options.actor === undefined ? {} : { actor: options.actor }),
      ...(options.keyId === undefined ? {} : { keyId: options.keyId }),
      ...(options.traceparent === undefined ? {} : { traceparent: options.traceparent }),
    },
    where,
  );
  return Object.keys(checked).length ? checked : undefined;
}

/** An open wait with the tenant of its run, whose inbox a message for it goes to. */
export type TenantWait = OpenWait & { tenant: string };

const ACTIONS = new Set(["approve", "reject", "abort"]);

/** Refuses an empty event key, and the `duro:` keys reserved for approvals, answers and child runs. */
export function checkEventKey(eventKey: string): void {
  if (typeof eventKey !== "string" || eventKey.trim() === "")
    throw inputError("invalid_event_key", "an event key must be a non-empty string");
  if (eventKey.startsWith("duro:"))
    throw inputError("invalid_event_key", `event keys starting with "duro:" are reserved for approvals, answers and child runs`);
}

/** The inbox payload of an approval decision; `invalid_action` for an action that is none of approve, reject, abort. */
export function decisionPayload(decision: Decision): Decision {
  if (!ACTIONS.has(decision.action))
    throw inputError("invalid_action", `approval action must be approve, reject or abort, not "${decision.action}"`);
  return {
    action: decision.action,
    ...(decision.by ? { by: decision.by } : {}),
    ...(decision.comment ? { comment: decision.comment } : {}),
  };
}

/** The inbox payload of an answer; `answer_invalid` for a value that is not one of the question's choices. */
export function answerPayload(wait: OpenWait, value: unknown, by: string | undefined): { value: unknown; by?: string } {
  if (wait.choices && !wait.allowFreeText && !wait.choices.includes(value as string)) {
    throw inputError(
      "answer_invalid",
      `answer ${JSON.stringify(value)} to "${wait.gate}" is not one of the choices: ${wait.choices.map((c) => JSON.stringify(c)).join(", ")}`,
      {
        choices: wait.choices,
      },
    );
  }
  return { value: toJsonValue(value, "answer"), ...(by ? { by } : {}) };
}

/** The open wait of `kind` named `name` (or the only one), or a not_waiting error that says what the run is doing. */
export async function openWait(
  store: Store,
  runId: string,
  record: RunRecord,
  kind: "approval" | "ask",
  name: string | undefined,
): Promise<TenantWait> {
  const waits = (await store.openWaits({ runId })).filter((w) => w.kind === kind);
  const noun = kind === "approval" ? "approval" : "an answer";
  const matching = name === undefined ? waits : waits.filter((w) => w.gate === name || w.key === name);
  if (matching.length === 1) return undecided(store, { ...(matching[0] as OpenWait), tenant: record.tenant }, runId);
  if (matching.length > 1 || (name === undefined && waits.length > 1)) {
    throw inputError(
      "gate_required",
      `run ${runId} waits for several ${kind === "approval" ? "approvals" : "answers"}: ${waitNames(waits).join(", ")}; name one`,
      {
        runId,
        open: waits.map((w) => w.gate),
        keys: waits.map((w) => w.key),
      },
    );
  }
  const what = name === undefined ? noun : `${noun} "${name}"`;
  const open = waits.length ? `; it waits for: ${waits.map((w) => w.gate).join(", ")}` : "";
  throw inputError(
    "not_waiting",
    `run ${runId} is not waiting for ${what} (it is ${record.status}${open}); ${kind === "approval" ? "approvals" : "answers"} are only accepted while a run waits on that ${kind === "approval" ? "gate" : "question"}`,
    { runId, status: record.status, open: waits.map((w) => w.gate) },
  );
}

/** Each wait by its gate, or by its wait key where several share a gate (the key alone tells them apart). */
function waitNames(waits: OpenWait[]): string[] {
  return waits.map((w) => {
    const shared = waits.filter((other) => other.gate === w.gate).length > 1;
    return shared ? `${w.key} (gate ${w.gate})` : (w.gate ?? w.key);
  });
}

/** Refuses a second decision or answer while the first is still on its way to the run. */
async function undecided(store: Store, wait: TenantWait, runId: string): Promise<TenantWait> {
  const pending = await store.peekInbox(wait.eventKey as string, wait.tenant);
  if (!pending) return wait;
  throw inputError(
    "already_decided",
    `run ${runId} already has ${wait.kind === "approval" ? "a decision" : "an answer"} for "${wait.gate}" that it has not taken yet; it takes it when a worker picks the run up (duro resume ${runId})`,
    { runId, gate: wait.gate },
  );
}
