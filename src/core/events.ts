// The journal: an append-only, gapless list of events per run. A run's status, steps, waits and output
// are a fold over it (see state.ts); nothing else holds run state.
import type { ErrorInfo } from "./errors.js";

export type WaitKind = "sleep" | "event" | "approval" | "ask" | "child" | "tool";

/** What a wait is waiting for; kept in `wait_started` so a reader needs nothing but the journal. */
export interface WaitSpec {
  kind: WaitKind;
  /** ISO time a sleep ends. */
  until?: string;
  /** The inbox key whose next message resolves the wait (events, approvals, answers, child results). */
  eventKey?: string;
  /** ISO time after which the wait resolves as timed out. */
  timeoutAt?: string;
  /** Approvals: the gate name. Questions: the question's name. */
  gate?: string;
  summary?: string;
  prompt?: string;
  choices?: string[];
  allowFreeText?: boolean;
  childRunId?: string;
  childWorkflow?: string;
  /** External tool calls: the tool's name, the model's call id (what the host answers) and the validated arguments. */
  tool?: string;
  callId?: string;
  args?: unknown;
}

export interface RunOptions {
  /** Run deadline as ISO time, from the workflow's `timeout`. */
  deadline?: string;
  [key: string]: unknown;
}

export type EventBody =
  | {
      type: "run_created";
      workflow: string;
      version: string;
      input: unknown;
      parentRunId?: string;
      idempotencyKey?: string;
      tenant: string;
      options: RunOptions;
    }
  | { type: "step_started"; key: string; attempt: number }
  | { type: "step_completed"; key: string; result?: unknown; resultRef?: string }
  | { type: "step_failed"; key: string; attempt: number; error: ErrorInfo; retryAt?: string }
  /** A resume found `attempt` started and never finished (its process died); journaled before the step goes on. */
  | { type: "attempt_orphaned"; key: string; attempt: number }
  | ({ type: "wait_started"; key: string } & WaitSpec)
  | { type: "wait_resolved"; key: string; payload: unknown; by: string }
  | {
      type: "child_started";
      key: string;
      childRunId: string;
      workflow: string;
      /** valueHash of the input the code asked for, so a resumed parent asking for other input gets child_conflict. */
      inputHash?: string;
    }
  | { type: "value_recorded"; key: string; value: unknown }
  | { type: "usage_recorded"; key: string; model: string; inputTokens: number; outputTokens: number; costUsd: number }
  | { type: "limit_warning"; limit: string; current: number; max: number }
  | { type: "run_completed"; output: unknown }
  | { type: "run_failed"; error: ErrorInfo }
  | { type: "run_cancelled"; reason: string };

export type EventType = EventBody["type"];

/** A journaled event: `seq` is 1, 2, 3, … per run with no gaps; `at` is ISO time. */
export type JournalEvent = EventBody & { seq: number; at: string };

export type EventOf<T extends EventType> = Extract<JournalEvent, { type: T }>;

export const TERMINAL_EVENTS: ReadonlySet<EventType> = new Set(["run_completed", "run_failed", "run_cancelled"]);

export function isTerminalEvent(event: EventBody): boolean {
  return TERMINAL_EVENTS.has(event.type);
}
