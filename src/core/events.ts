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

/**
 * Who made a decision that reached a run from outside (a signal, approval, answer, cancellation or limit raise): the
 * actor, the API key it came through, and the caller's W3C trace context so the run's spans can join that trace.
 */
export interface Attribution {
  actor?: string;
  keyId?: string;
  traceparent?: string;
}

/** The limits and use of one budget (a ledger: `run`, `agent <name>`, `llm <name>`) right after a model call. */
export interface BudgetSnapshot {
  scope: string;
  limits: { maxIterations?: number; maxTokens?: number; maxCostUsd?: number; maxWallTimeMs?: number };
  used: { iterations: number; tokens: number; costUsd: number; wallTimeMs: number };
}

export interface RunOptions {
  /** Run deadline as ISO time, from the workflow's `timeout`. */
  deadline?: string;
  [key: string]: unknown;
}

/** How the pack a run started from was trusted (the `pack_verified` event's payload). */
export interface PackVerification {
  packId: string;
  version: string;
  /** sha256 of the pack's pack.yaml (`sha256:<hex>`), which lists the digest of every other file. */
  digest: string;
  /** The trusted key whose signature verified the pack (`ed25519:<16 hex>`), when one did. */
  keyId?: string;
  /** Why a dev run went ahead without a signature from a trusted key (unsigned, invalid, untrusted key). */
  unsigned?: string;
}

/**
 * What started a run, recorded in its `run_created` so `duro runs verify` can tell whether the code on disk is still
 * the code that ran: the sha256 of the code file or flow document (or the pack's digest), duro's version, the host.
 */
export interface RunManifest {
  /** sha256 (hex) of the bytes of the code file or flow document the run was started from. */
  codeHash?: string;
  /** The file the run was started from, as given when it started (for `duro runs verify` without `--against`). */
  source?: string;
  packId?: string;
  packVersion?: string;
  packDigest?: string;
  duroVersion: string;
  host: string;
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
      /** The conversation or session the run belongs to, for finding its runs together. */
      session?: string;
      /** Who started the run. */
      actor?: string;
      options: RunOptions;
      manifest?: RunManifest;
    }
  | { type: "step_started"; key: string; attempt: number }
  | { type: "step_completed"; key: string; result?: unknown; resultRef?: string }
  | { type: "step_failed"; key: string; attempt: number; error: ErrorInfo; retryAt?: string }
  /** A resume found `attempt` started and never finished (its process died); journaled before the step goes on. */
  | { type: "attempt_orphaned"; key: string; attempt: number }
  | ({ type: "wait_started"; key: string } & WaitSpec)
  | ({
      type: "wait_resolved";
      key: string;
      payload: unknown;
      by: string;
      /** ISO time the decision was made, when it waited in the inbox before the run took it. */
      decidedAt?: string;
    } & Attribution)
  | {
      type: "child_started";
      key: string;
      childRunId: string;
      workflow: string;
      /** valueHash of the input the code asked for, so a resumed parent asking for other input gets child_conflict. */
      inputHash?: string;
    }
  | { type: "value_recorded"; key: string; value: unknown }
  /** `ctx.bookmark(name)`: a named position in the journal (its `seq`), not a copy of state; a fork can start from it. */
  | { type: "bookmark"; key: string; name: string }
  /** `ctx.emit(name, data)`: a fact the run records for its readers; replay skips it, so it never decides anything. */
  | { type: "domain_event"; key: string; name: string; data: unknown }
  | {
      type: "usage_recorded";
      key: string;
      model: string;
      inputTokens: number;
      outputTokens: number;
      costUsd: number;
      /** The budgets the call counted against, after it (what `duro limits show` reads). */
      budgets?: BudgetSnapshot[];
    }
  | { type: "limit_warning"; limit: string; current: number; max: number }
  /**
   * Journaled right after `run_created` (same transaction) when a run starts from a pack: the pack it ran and the key
   * that verified it, or `unsigned`, why a dev run went ahead without a trusted signature. Not part of replay.
   */
  | ({ type: "pack_verified" } & PackVerification)
  | { type: "run_completed"; output: unknown }
  | { type: "run_failed"; error: ErrorInfo }
  | ({ type: "run_cancelled"; reason: string } & Attribution);

export type EventType = EventBody["type"];

/** A journaled event: `seq` is 1, 2, 3, … per run with no gaps; `at` is ISO time. */
export type JournalEvent = EventBody & { seq: number; at: string };

export type EventOf<T extends EventType> = Extract<JournalEvent, { type: T }>;

export const TERMINAL_EVENTS: ReadonlySet<EventType> = new Set(["run_completed", "run_failed", "run_cancelled"]);

export function isTerminalEvent(event: EventBody): boolean {
  return TERMINAL_EVENTS.has(event.type);
}
