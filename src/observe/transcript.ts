// The transcript: one redacted JSON line per journal event (and per mock hit), in journal order. Pure: the same
// journal gives the same bytes, which is what lets `duro runs export` regenerate a run folder exactly.
import type { ErrorInfo, JournalEvent } from "../core/index.js";
import { assertNever, attributionOf } from "../core/index.js";
import { Redactor } from "./redact.js";

export type TranscriptPhase = "start" | "end" | "error" | "wait" | "mock" | "verify";

export interface TranscriptLine {
  ts: string;
  runId: string;
  workflow: string;
  /** The step (or wait) key; null for lines about the run as a whole. */
  step: string | null;
  /** What kind of thing the line is about: workflow, step, wait, child, value, usage, bookmark, event (a domain event), or a mock kind. */
  component: string;
  phase: TranscriptPhase;
  status: string;
  attempt?: number;
  inputs?: unknown;
  outputs?: unknown;
  error?: ErrorInfo;
  metrics: { durationMs?: number; inputTokens?: number; outputTokens?: number; costUsd?: number };
  /** JSON paths (within this line) whose values were redacted. */
  redactions: string[];
}

/** A mock answered a call; kept beside the journal (mocks.jsonl) and merged into the transcript by time. */
export interface MockHit {
  ts: string;
  /** http, tools, clock, kv, secrets, … */
  kind: string;
  /** What was asked (method and URL, tool name and arguments, secret name). */
  request: unknown;
  /** What the mock answered (never a secret's value). */
  response?: unknown;
  /** The step the call was made in, when known. */
  step?: string;
  /** The run the call was made in, when known. */
  runId?: string;
  /** The seq of the last journal event committed before the hit: the line goes right after that event's line. */
  afterSeq?: number;
}

/**
 * Places mock hits in the journal's order: it sees committed events (an engine's onEvents) and tells, at a hit,
 * the run and step running then (when exactly one step is running) and the last seq committed before it.
 */
export class HitLocator {
  private readonly runs = new Map<string, { lastSeq: number; open: Set<string> }>();
  private lastRun: string | undefined;

  observe(runId: string, events: readonly JournalEvent[]): void {
    const run = this.runs.get(runId) ?? { lastSeq: 0, open: new Set<string>() };
    this.runs.set(runId, run);
    this.lastRun = runId;
    for (const event of events) {
      run.lastSeq = Math.max(run.lastSeq, event.seq);
      if (event.type === "step_started") run.open.add(event.key);
      else if (event.type === "step_completed" || event.type === "step_failed" || event.type === "attempt_orphaned")
        run.open.delete(event.key);
    }
  }

  /** Adds the hit's place (runId, afterSeq, step) when it is known. */
  locate(hit: MockHit): MockHit {
    const running = [...this.runs.entries()].flatMap(([runId, run]) => [...run.open].map((step) => ({ runId, step })));
    const only = running.length === 1 ? running[0] : undefined;
    const runId = only?.runId ?? this.lastRun;
    const run = runId === undefined ? undefined : this.runs.get(runId);
    if (!runId || !run) return hit;
    return { ...hit, runId, afterSeq: run.lastSeq, ...(only ? { step: only.step } : {}) };
  }
}

/** The hits of one run: those located in it, and those no run could be told for. */
export function hitsOf(runId: string, hits: readonly MockHit[]): MockHit[] {
  return hits.filter((hit) => hit.runId === undefined || hit.runId === runId);
}

export interface Transcript {
  lines: TranscriptLine[];
  /** The file's bytes as text: one JSON object per line, each ending with "\n". */
  text: string;
  /** Byte range [start, end) of each line (without its newline), parallel to `lines`. */
  offsets: Array<[number, number]>;
}

/** Builds the transcript of a run from its journal (artifact results already resolved) and its mock hits. */
export function buildTranscript(
  runId: string,
  events: readonly JournalEvent[],
  options: { redactor?: Redactor; mocks?: MockHit[] } = {},
): Transcript {
  const redactor = options.redactor ?? new Redactor();
  const first = events[0];
  const workflow = first?.type === "run_created" ? first.workflow : "";
  const startedAt = new Map<string, number>();
  const raw: TranscriptLine[] = [];
  for (const event of events) raw.push(lineOf(event, runId, workflow, startedAt));
  const merged = mergeMocks(events, raw, options.mocks ?? [], runId, workflow);
  const lines = merged.map((line) => redactLine(line, redactor));
  let text = "";
  const offsets: Array<[number, number]> = [];
  for (const line of lines) {
    const start = Buffer.byteLength(text);
    const json = JSON.stringify(line);
    offsets.push([start, start + Buffer.byteLength(json)]);
    text += `${json}\n`;
  }
  return { lines, text, offsets };
}

function lineOf(event: JournalEvent, runId: string, workflow: string, startedAt: Map<string, number>): TranscriptLine {
  const base = { ts: event.at, runId, workflow, metrics: {}, redactions: [] as string[] };
  const since = (key: string) => {
    const start = startedAt.get(key);
    return start === undefined ? {} : { durationMs: Date.parse(event.at) - start };
  };
  switch (event.type) {
    case "run_created":
      return {
        ...base,
        step: null,
        component: "workflow",
        phase: "start",
        status: "started",
        inputs: event.input,
        ...(event.session === undefined && event.actor === undefined
          ? {}
          : { outputs: { tenant: event.tenant, session: event.session, actor: event.actor } }),
      };
    case "step_started":
      startedAt.set(event.key, Date.parse(event.at));
      return { ...base, step: event.key, component: "step", phase: "start", status: "running", attempt: event.attempt };
    case "step_completed":
      return {
        ...base,
        step: event.key,
        component: "step",
        phase: "end",
        status: "completed",
        outputs: event.result ?? null,
        metrics: since(event.key),
      };
    case "step_failed":
      return {
        ...base,
        step: event.key,
        component: "step",
        phase: "error",
        status: event.retryAt ? "retrying" : "failed",
        attempt: event.attempt,
        error: event.error,
        ...(event.retryAt ? { outputs: { retryAt: event.retryAt } } : {}),
        metrics: since(event.key),
      };
    case "attempt_orphaned":
      return {
        ...base,
        step: event.key,
        component: "step",
        phase: "error",
        status: "orphaned",
        attempt: event.attempt,
        error: { code: "attempt_orphaned", message: `attempt ${event.attempt} never finished: its process died or lost its lease` },
        metrics: since(event.key),
      };
    case "wait_started": {
      const { type: _t, seq: _s, at: _a, key, ...spec } = event;
      startedAt.set(key, Date.parse(event.at));
      return { ...base, step: key, component: spec.kind === "child" ? "child" : "wait", phase: "wait", status: "waiting", inputs: spec };
    }
    case "wait_resolved":
      return {
        ...base,
        step: event.key,
        component: "wait",
        phase: "end",
        status: event.by === "timeout" ? "timed_out" : "resolved",
        outputs: {
          payload: event.payload,
          by: event.by,
          ...(event.actor === undefined ? {} : { actor: event.actor }),
          ...(event.keyId === undefined ? {} : { keyId: event.keyId }),
          ...(event.traceparent === undefined ? {} : { traceparent: event.traceparent }),
          ...(event.decidedAt === undefined ? {} : { decidedAt: event.decidedAt }),
        },
        metrics: since(event.key),
      };
    case "child_started":
      return { ...base, step: event.key, component: "child", phase: "start", status: "started", outputs: { childRunId: event.childRunId } };
    case "value_recorded":
      return { ...base, step: event.key, component: "value", phase: "end", status: "recorded", outputs: event.value };
    case "bookmark":
      return {
        ...base,
        step: event.key,
        component: "bookmark",
        phase: "end",
        status: "marked",
        outputs: { name: event.name, seq: event.seq },
      };
    case "domain_event":
      return {
        ...base,
        step: event.key,
        component: "event",
        phase: "end",
        status: "emitted",
        outputs: { name: event.name, data: event.data },
      };
    case "usage_recorded":
      return {
        ...base,
        step: event.key,
        component: "usage",
        phase: "end",
        status: "recorded",
        outputs: { model: event.model },
        metrics: { inputTokens: event.inputTokens, outputTokens: event.outputTokens, costUsd: event.costUsd },
      };
    case "limit_warning":
      return {
        ...base,
        step: null,
        component: "limit",
        phase: "verify",
        status: "warning",
        outputs: { limit: event.limit, current: event.current, max: event.max },
      };
    case "pack_verified": {
      const { type: _t, seq: _s, at: _a, ...pack } = event;
      return { ...base, step: null, component: "pack", phase: "verify", status: event.unsigned ? "unsigned" : "verified", outputs: pack };
    }
    case "run_completed":
      return { ...base, step: null, component: "workflow", phase: "end", status: "completed", outputs: event.output };
    case "run_failed":
      return { ...base, step: null, component: "workflow", phase: "error", status: "failed", error: event.error };
    case "run_cancelled":
      return {
        ...base,
        step: null,
        component: "workflow",
        phase: "error",
        status: "cancelled",
        error: { code: "cancelled", message: event.reason },
        ...(attributionOf(event) ? { outputs: attributionOf(event) } : {}),
      };
    default:
      return assertNever(event);
  }
}

/** Mock hits go right after the event they followed (afterSeq), else after the last line at or before their time. */
function mergeMocks(
  events: readonly JournalEvent[],
  lines: TranscriptLine[],
  mocks: MockHit[],
  runId: string,
  workflow: string,
): TranscriptLine[] {
  if (mocks.length === 0) return lines;
  const placed = new Map<number, MockHit[]>();
  const byTime = [...mocks.filter((m) => m.afterSeq === undefined)].sort((a, b) => a.ts.localeCompare(b.ts));
  for (const hit of mocks) {
    if (hit.afterSeq !== undefined) placed.set(hit.afterSeq, [...(placed.get(hit.afterSeq) ?? []), hit]);
  }
  const out: TranscriptLine[] = [];
  lines.forEach((line, i) => {
    while (byTime.length > 0 && (byTime[0] as MockHit).ts < line.ts) out.push(mockLine(byTime.shift() as MockHit, runId, workflow));
    out.push(line);
    for (const hit of placed.get((events[i] as JournalEvent).seq) ?? []) out.push(mockLine(hit, runId, workflow));
  });
  for (const hit of byTime) out.push(mockLine(hit, runId, workflow));
  return out;
}

function mockLine(hit: MockHit, runId: string, workflow: string): TranscriptLine {
  return {
    ts: hit.ts,
    runId,
    workflow,
    step: hit.step ?? null,
    component: hit.kind,
    phase: "mock",
    status: "mocked",
    inputs: hit.request,
    ...(hit.response === undefined ? {} : { outputs: hit.response }),
    metrics: {},
    redactions: [],
  };
}

/** Redacts a line and puts its fields in the documented order, so every line reads the same way. */
function redactLine(line: TranscriptLine, redactor: Redactor): TranscriptLine {
  const { redactions: _r, ...rest } = line;
  const { value, redactions } = redactor.redact(rest);
  const v = value as Omit<TranscriptLine, "redactions">;
  return {
    ts: v.ts,
    runId: v.runId,
    workflow: v.workflow,
    step: v.step,
    component: v.component,
    phase: v.phase,
    status: v.status,
    ...(v.attempt === undefined ? {} : { attempt: v.attempt }),
    ...(v.inputs === undefined ? {} : { inputs: v.inputs }),
    ...(v.outputs === undefined ? {} : { outputs: v.outputs }),
    ...(v.error === undefined ? {} : { error: v.error }),
    metrics: v.metrics,
    redactions,
  };
}
