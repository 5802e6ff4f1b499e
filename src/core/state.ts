// The fold: a run's whole state computed from its journal. Used by replay, `runs show`, summaries and reports.
import { attributionOf } from "./attribution.js";
import { type ErrorInfo, internalError } from "./errors.js";
import type { Attribution, EventBody, JournalEvent, PackVerification, RunManifest, RunOptions, WaitSpec } from "./events.js";

export type OpKind = "step" | "wait" | "value" | "child";
export type OpStatus = "running" | "retrying" | "completed" | "failed" | "waiting" | "resolved";

/** One durable operation of a run (a step, a wait, a recorded value, a child), in the order the code asked for it. */
export interface OpState {
  key: string;
  kind: OpKind;
  status: OpStatus;
  /** Attempts started so far (steps). */
  attempts: number;
  /** Attempts that were started and never finished: the process died during them (steps; see attempt_orphaned). */
  orphaned?: number;
  result?: unknown;
  resultRef?: string;
  error?: ErrorInfo;
  /** ISO time of a scheduled retry. */
  retryAt?: string;
  wait?: WaitSpec;
  /** How a wait was resolved: `event`, `timeout`, `approval`, a user… */
  resolvedBy?: string;
  /** Who resolved a wait from outside (actor, API key, trace context). */
  attribution?: Attribution;
  /** ISO time the resolving decision was made, when it waited in the inbox first. */
  decidedAt?: string;
  childRunId?: string;
  /** Children: valueHash of the input the child was started with (absent in journals from before it was recorded). */
  childInputHash?: string;
  startedAt: string;
  endedAt?: string;
  /** Seq of the event that settled the op; replay hands results back in this order. */
  settledSeq?: number;
}

export type RunPhase = "active" | "completed" | "failed" | "cancelled";

export interface RunState {
  runId: string;
  workflow: string;
  version: string;
  input: unknown;
  tenant: string;
  session?: string;
  /** Who started the run. */
  actor?: string;
  options: RunOptions;
  parentRunId?: string;
  idempotencyKey?: string;
  createdAt: string;
  phase: RunPhase;
  output?: unknown;
  error?: ErrorInfo;
  cancelReason?: string;
  /** Who cancelled the run. */
  cancelledBy?: Attribution;
  endedAt?: string;
  /** Ops in order of first appearance: the order the code asked for them. */
  ops: OpState[];
  opsByKey: Map<string, OpState>;
  lastSeq: number;
  usage: { inputTokens: number; outputTokens: number; costUsd: number };
  /** Usage per scope: the part of a step key before its first "/" (an agent or a phase), for `runs show`. */
  usageByScope: Record<string, { inputTokens: number; outputTokens: number; costUsd: number; calls: number }>;
  /** The pack the run started from and how it was trusted (its `pack_verified` event). */
  pack?: PackVerification;
  /** Bookmarks in journal order; each is also a value op, so replay matches it like any journaled call. */
  bookmarks: BookmarkState[];
  /** Keys of the journaled domain events: replay skips an emit whose key is here and journals any other. */
  emitted: Set<string>;
  /** What started the run (code hash, pack, duro version, host), when it was recorded. */
  manifest?: RunManifest;
}

/** A bookmark: a named journal position. */
export interface BookmarkState {
  key: string;
  name: string;
  seq: number;
  at: string;
}

/** Folds a whole journal into a RunState. The journal must start with `run_created`. */
export function foldJournal(runId: string, events: readonly JournalEvent[]): RunState {
  const first = events[0];
  if (first?.type !== "run_created") {
    throw internalError(`journal of run ${runId} does not start with run_created`, { runId });
  }
  const state: RunState = {
    runId,
    workflow: first.workflow,
    version: first.version,
    input: first.input,
    tenant: first.tenant,
    options: first.options,
    createdAt: first.at,
    phase: "active",
    ops: [],
    opsByKey: new Map(),
    lastSeq: first.seq,
    usage: { inputTokens: 0, outputTokens: 0, costUsd: 0 },
    usageByScope: {},
    bookmarks: [],
    emitted: new Set(),
  };
  if (first.manifest !== undefined) state.manifest = first.manifest;
  if (first.parentRunId !== undefined) state.parentRunId = first.parentRunId;
  if (first.idempotencyKey !== undefined) state.idempotencyKey = first.idempotencyKey;
  if (first.session !== undefined) state.session = first.session;
  if (first.actor !== undefined) state.actor = first.actor;
  for (let i = 1; i < events.length; i++) applyEvent(state, events[i] as JournalEvent);
  return state;
}

/** Applies one event to a state in place. */
export function applyEvent(state: RunState, event: JournalEvent): void {
  state.lastSeq = event.seq;
  switch (event.type) {
    case "run_created":
      return;
    case "step_started": {
      const op = opFor(state, event.key, "step", event.at);
      op.status = "running";
      op.attempts = event.attempt;
      delete op.retryAt;
      return;
    }
    case "attempt_orphaned": {
      const op = opFor(state, event.key, "step", event.at);
      op.orphaned = (op.orphaned ?? 0) + 1;
      return;
    }
    case "step_completed": {
      const op = opFor(state, event.key, "step", event.at);
      op.status = "completed";
      if (event.result !== undefined) op.result = event.result;
      if (event.resultRef !== undefined) op.resultRef = event.resultRef;
      settle(op, event);
      return;
    }
    case "step_failed": {
      const op = opFor(state, event.key, "step", event.at);
      op.error = event.error;
      if (event.retryAt !== undefined) {
        op.status = "retrying";
        op.retryAt = event.retryAt;
      } else {
        op.status = "failed";
        settle(op, event);
      }
      return;
    }
    case "wait_started": {
      const { type: _t, key, seq: _s, at, ...spec } = event;
      const op = opFor(state, key, spec.kind === "child" ? "child" : "wait", at);
      op.status = "waiting";
      op.wait = spec;
      return;
    }
    case "wait_resolved": {
      const op = opFor(state, event.key, "wait", event.at);
      op.status = "resolved";
      op.result = event.payload;
      op.resolvedBy = event.by;
      const attribution = attributionOf(event);
      if (attribution) op.attribution = attribution;
      if (event.decidedAt !== undefined) op.decidedAt = event.decidedAt;
      settle(op, event);
      return;
    }
    case "child_started": {
      const op = opFor(state, event.key, "child", event.at);
      op.childRunId = event.childRunId;
      if (event.inputHash !== undefined) op.childInputHash = event.inputHash;
      return;
    }
    case "value_recorded": {
      const op = opFor(state, event.key, "value", event.at);
      op.status = "completed";
      op.result = event.value;
      settle(op, event);
      return;
    }
    case "bookmark": {
      const op = opFor(state, event.key, "value", event.at);
      op.status = "completed";
      settle(op, event);
      state.bookmarks.push({ key: event.key, name: event.name, seq: event.seq, at: event.at });
      return;
    }
    case "domain_event":
      state.emitted.add(event.key);
      return;
    case "usage_recorded":
      state.usage.inputTokens += event.inputTokens;
      state.usage.outputTokens += event.outputTokens;
      state.usage.costUsd += event.costUsd;
      addScopeUsage(state, event);
      return;
    case "limit_warning":
      return;
    case "pack_verified": {
      const { type: _t, seq: _s, at: _a, ...pack } = event;
      state.pack = pack;
      return;
    }
    case "run_completed":
      state.phase = "completed";
      state.output = event.output;
      state.endedAt = event.at;
      return;
    case "run_failed":
      state.phase = "failed";
      state.error = event.error;
      state.endedAt = event.at;
      return;
    case "run_cancelled": {
      state.phase = "cancelled";
      state.cancelReason = event.reason;
      state.endedAt = event.at;
      const by = attributionOf(event);
      if (by) state.cancelledBy = by;
      return;
    }
    default:
      return assertNever(event);
  }
}

function opFor(state: RunState, key: string, kind: OpKind, at: string): OpState {
  let op = state.opsByKey.get(key);
  if (!op) {
    op = { key, kind, status: "running", attempts: 0, startedAt: at };
    state.opsByKey.set(key, op);
    state.ops.push(op);
  }
  return op;
}

function settle(op: OpState, event: JournalEvent): void {
  op.endedAt = event.at;
  op.settledSeq = event.seq;
}

/** Ops that are settled, in the order their results reached the code. */
export function settledInOrder(state: RunState): OpState[] {
  return state.ops.filter((op) => op.settledSeq !== undefined).sort((a, b) => (a.settledSeq as number) - (b.settledSeq as number));
}

/** Open waits (and pending child runs) of an active run. */
export function openWaits(state: RunState): OpState[] {
  return state.ops.filter((op) => op.status === "waiting");
}

export function isTerminal(state: RunState): boolean {
  return state.phase !== "active";
}

export function assertNever(value: never): never {
  throw internalError(`unhandled case: ${JSON.stringify(value)}`);
}

/** Makes an EventBody type-check as one of the union (helps when building events from spreads). */
export const event = <E extends EventBody>(e: E): E => e;

function addScopeUsage(state: RunState, event: Extract<EventBody, { type: "usage_recorded" }>): void {
  const scope = event.key.split("/")[0]?.replace(/#\d+$/, "") ?? event.key;
  const totals = state.usageByScope[scope] ?? { inputTokens: 0, outputTokens: 0, costUsd: 0, calls: 0 };
  totals.inputTokens += event.inputTokens;
  totals.outputTokens += event.outputTokens;
  totals.costUsd += event.costUsd;
  totals.calls += 1;
  state.usageByScope[scope] = totals;
}
