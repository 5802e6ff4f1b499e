// How every backend stores a journal event: `type`, `seq` and `at` as columns, the rest as one JSON text.
// Sharing the codec keeps the backends byte-for-byte alike: what JSON drops (undefined, functions) is dropped everywhere.
import { DuroError, type EventBody, type JournalEvent } from "../core/index.js";
import type { NewRun } from "./store.js";

export interface EncodedEvent {
  type: EventBody["type"];
  /** JSON of the event without `type` (and without `seq`/`at`, which the store assigns). */
  data: string;
}

/** Splits an event into its type and its JSON payload; throws `event_not_serializable` for values JSON cannot hold. */
export function encodeEvent(event: EventBody): EncodedEvent {
  const { type, seq: _seq, at: _at, ...rest } = event as EventBody & { seq?: unknown; at?: unknown };
  return { type, data: toJson(rest, `the ${type} event`) };
}

let lastAtMs = Number.NaN;
let lastAtIso = "";

/** Rebuilds the journaled event from its stored parts. */
export function decodeEvent(type: string, seq: number, atMs: number, data: string): JournalEvent {
  // Consecutive events often share a millisecond; reading a long journal then formats each time once.
  if (atMs !== lastAtMs) {
    lastAtMs = atMs;
    lastAtIso = new Date(atMs).toISOString();
  }
  // Object.assign onto a literal instead of a spread: several times faster while the JIT is cold (a resume).
  return Object.assign({ type, seq, at: lastAtIso }, JSON.parse(data) as object) as JournalEvent;
}

/** JSON text of a value the store keeps (event payloads, wait specs, inbox payloads). */
export function toJson(value: unknown, what: string): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (cause) {
    throw new DuroError("not_serializable", `${what} cannot be stored: ${(cause as Error).message}; use plain JSON values`, {
      category: "input",
      cause,
    });
  }
  // JSON.stringify returns undefined for undefined, functions and symbols; the store keeps null for those.
  return text ?? "null";
}

/** The `run_created` event journaled as seq 1: everything about the new run except its id and start time. */
export function runCreatedEvent(run: NewRun): EventBody {
  return {
    type: "run_created",
    workflow: run.workflow,
    version: run.version,
    input: run.input,
    ...(run.parentRunId === undefined ? {} : { parentRunId: run.parentRunId }),
    ...(run.idempotencyKey === undefined ? {} : { idempotencyKey: run.idempotencyKey }),
    tenant: run.tenant,
    ...(run.session === undefined ? {} : { session: run.session }),
    ...(run.actor === undefined ? {} : { actor: run.actor }),
    options: run.options,
    ...(run.manifest === undefined ? {} : { manifest: run.manifest }),
  };
}

/** The events a new run's journal starts with: `run_created` as seq 1, then the run's `followedBy` (seq 2, 3, …). */
export function creationEvents(run: NewRun): EncodedEvent[] {
  return [runCreatedEvent(run), ...(run.followedBy ?? [])].map(encodeEvent);
}
