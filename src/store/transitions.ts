// How a commit changes a run's status and readiness; one rule for every backend, so that a delivery or a
// cancel racing a suspend is never lost.
import type { EventType } from "../core/index.js";
import type { RunStatus, WaitingFor } from "./store.js";

const ENDS_WITH: Partial<Record<EventType, RunStatus>> = {
  run_completed: "completed",
  run_failed: "failed",
  run_cancelled: "cancelled",
};

/** The terminal status an event ends its run with, or undefined when it does not end it. */
export function terminalStatusOf(type: EventType): RunStatus | undefined {
  return ENDS_WITH[type];
}

/**
 * The run's next `readyAt` when it leaves `running` without ending.
 * - `queued`: at `requested`, default now.
 * - `waiting`: at `requested` (a due timer), or never (undefined) until a delivery wakes it.
 * Either way `wakeNow` (a cancel was requested, or an open wait already has its message) makes it due now.
 */
export function nextReadyAt(
  status: "waiting" | "queued",
  requested: number | undefined,
  wakeNow: boolean,
  now: number,
): number | undefined {
  const planned = status === "queued" ? (requested ?? now) : requested;
  if (!wakeNow) return planned;
  return planned === undefined ? now : Math.min(planned, now);
}

/** A run woken now keeps an earlier due time it already had, so waking never delays it. */
export function wokenReadyAt(current: number | undefined, now: number): number {
  return current === undefined ? now : Math.min(current, now);
}

/**
 * What a wait of `kind` on `eventKey` makes its run wait for, as the runs index shows it. The SQL backends say the same
 * in their waits triggers (migration "waiting_for"): a change here is a change there.
 */
export function waitingForOf(kind: string, eventKey: string | undefined): WaitingFor {
  if (kind === "sleep") return "timer";
  if (kind === "ask") return "question";
  // The agent toolkit's budgets suspend on an event wait keyed limits:<runId> (agent/budget.ts, limitsKey).
  if (kind === "event" && eventKey?.startsWith("limits:")) return "limit";
  return kind as WaitingFor;
}
