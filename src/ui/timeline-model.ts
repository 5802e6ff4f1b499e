// The run's timeline as data, folded from its journal: one lane per step key holding a bar per attempt, the backoff
// before each retry, waits, child runs and model calls; bookmarks and domain events as markers. Pure, so it is the
// same for a live run (fold new events in) and one read whole.
import type { ErrorInfo } from "../index.js";
import type { ViewEvent } from "./events.js";

export type BarKind = "step" | "llm" | "backoff" | "timer" | "event" | "approval" | "question" | "tool" | "child" | "wait";
export type Outcome = "running" | "completed" | "failed" | "orphaned" | "backoff" | "waiting" | "resolved";

export interface Usage {
  model: string;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

export interface Bar {
  kind: BarKind;
  outcome: Outcome;
  /** epoch ms */
  start: number;
  /** epoch ms; absent while it goes on */
  end?: number;
  attempt?: number;
  error?: ErrorInfo;
  childRunId?: string;
  /** Who resolved a wait. */
  by?: string;
  usage?: Usage;
}

export interface Lane {
  key: string;
  bars: Bar[];
  /** The journal events of this key, in order: the step's transcript lines. */
  events: ViewEvent[];
}

export interface Marker {
  kind: "bookmark" | "domain_event";
  name: string;
  at: number;
  seq: number;
  data?: unknown;
}

export interface LimitUse {
  limit: string;
  current: number;
  max: number;
}

export interface Timeline {
  start: number;
  /** When the run ended; absent while it goes on. */
  end?: number;
  lanes: Lane[];
  markers: Marker[];
  calls: Array<Usage & { key: string; at: number }>;
  limits: Map<string, LimitUse>;
  /** Time of the newest event. */
  last: number;
  byKey: Map<string, Lane>;
}

const WAIT_BARS: Record<string, BarKind> = {
  sleep: "timer",
  event: "event",
  approval: "approval",
  ask: "question",
  tool: "tool",
  child: "child",
};

export function emptyTimeline(): Timeline {
  return { start: Number.NaN, lanes: [], markers: [], calls: [], limits: new Map(), last: Number.NaN, byKey: new Map() };
}

/** Folds events (in seq order, after those already folded) into `timeline`. */
export function foldTimeline(timeline: Timeline, events: readonly ViewEvent[]): Timeline {
  const index = timeline.byKey;
  for (const event of events) {
    const at = Date.parse(event.at);
    timeline.last = Number.isNaN(timeline.last) ? at : Math.max(timeline.last, at);
    const lane = (key: string) => {
      let found = index.get(key);
      if (!found) {
        found = { key, bars: [], events: [] };
        index.set(key, found);
        timeline.lanes.push(found);
      }
      return found;
    };
    const open = (key: string) => {
      const bar = index.get(key)?.bars.at(-1);
      return bar && bar.end === undefined ? bar : undefined;
    };
    if ("key" in event && typeof event.key === "string" && event.type !== "bookmark" && event.type !== "domain_event") {
      lane(event.key).events.push(event);
    }
    switch (event.type) {
      case "run_created":
        timeline.start = at;
        break;
      case "step_started": {
        const backoff = open(event.key);
        if (backoff?.outcome === "backoff") backoff.end = at;
        lane(event.key).bars.push({ kind: "step", outcome: "running", start: at, attempt: event.attempt });
        break;
      }
      case "step_completed":
        close(open(event.key), at, "completed");
        break;
      case "step_failed": {
        const bar = open(event.key);
        close(bar, at, "failed");
        if (bar) bar.error = event.error;
        if (event.retryAt) lane(event.key).bars.push({ kind: "backoff", outcome: "backoff", start: at, end: Date.parse(event.retryAt) });
        break;
      }
      case "attempt_orphaned":
        close(open(event.key), at, "orphaned");
        break;
      case "wait_started": {
        // A child run's wait continues the bar child_started opened.
        if (open(event.key)?.kind === "child") break;
        lane(event.key).bars.push({
          kind: WAIT_BARS[event.kind] ?? "wait",
          outcome: "waiting",
          start: at,
          ...(event.childRunId ? { childRunId: event.childRunId } : {}),
        });
        break;
      }
      case "wait_resolved": {
        const bar = open(event.key);
        close(bar, at, "resolved");
        if (bar) bar.by = event.by;
        break;
      }
      case "child_started":
        lane(event.key).bars.push({ kind: "child", outcome: "waiting", start: at, childRunId: event.childRunId });
        break;
      case "usage_recorded": {
        const usage = { model: event.model, inputTokens: event.inputTokens, outputTokens: event.outputTokens, costUsd: event.costUsd };
        timeline.calls.push({ ...usage, key: event.key, at });
        const bar = lane(event.key).bars.at(-1);
        if (bar && bar.kind === "step") Object.assign(bar, { kind: "llm", usage });
        else lane(event.key).bars.push({ kind: "llm", outcome: "completed", start: at, end: at, usage });
        break;
      }
      case "limit_warning":
        timeline.limits.set(event.limit, { limit: event.limit, current: event.current, max: event.max });
        break;
      case "bookmark":
        timeline.markers.push({ kind: "bookmark", name: event.name, at, seq: event.seq });
        break;
      case "domain_event":
        timeline.markers.push({ kind: "domain_event", name: event.name, at, seq: event.seq, data: event.data });
        break;
      case "run_completed":
      case "run_failed":
      case "run_cancelled":
        timeline.end = at;
        break;
      case "value_recorded":
      case "pack_verified":
        break;
      default:
        unhandled(event);
    }
  }
  return timeline;
}

function unhandled(event: never): void {
  console.warn("timeline: an event type it does not draw", event);
}

function close(bar: Bar | undefined, at: number, outcome: Outcome): void {
  if (!bar) return;
  bar.end = at;
  bar.outcome = outcome;
}
