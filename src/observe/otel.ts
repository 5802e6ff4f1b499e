// OpenTelemetry through @opentelemetry/api: a span per run and per step attempt (and per wait), drawn from the
// journal with the journal's times, so a trace is the same whichever process ran which part of the run. Off
// unless a tracer provider is registered (the API is a no-op without one) or a tracer is passed.
import type { Span, Tracer } from "@opentelemetry/api";
import { type Attribution, foldJournal, type JournalEvent } from "../core/index.js";
import { otelApi } from "./otel-api.js";

export const TRACER_NAME = "duro";

export interface TraceRunOptions {
  /** default: trace.getTracer("duro") from the registered provider */
  tracer?: Tracer;
  /** The end time of spans still open (a waiting run). default Date.now() */
  now?: number;
}

interface OpenSpan {
  span: Span;
}

/** Records who resolved a wait (or cancelled the run) on its span. */
function annotate(span: Span | undefined, who: Attribution): void {
  if (who.actor !== undefined) span?.setAttribute("duro.actor", who.actor);
  if (who.keyId !== undefined) span?.setAttribute("duro.key_id", who.keyId);
}

/**
 * The span of a resumption someone caused from outside, in the caller's trace (a child of their traceparent's span),
 * linked to the run's span: the caller's trace shows what their signal, approval or cancel did to the run. 1 span.
 */
function resumeSpan(
  tracer: Tracer,
  name: string,
  event: Attribution & { at: string; key?: string },
  runSpan: Span,
  common: Record<string, string>,
): number {
  const [, traceId, spanId, flags] = (event.traceparent as string).split("-");
  const { trace, context } = otelApi();
  const caller = trace.setSpanContext(context.active(), {
    traceId: traceId as string,
    spanId: spanId as string,
    traceFlags: Number.parseInt(flags as string, 16),
    isRemote: true,
  });
  const at = Date.parse(event.at);
  const span = tracer.startSpan(
    name,
    {
      startTime: at,
      attributes: { ...common, ...(event.key ? { "duro.step_key": event.key } : {}) },
      links: [{ context: runSpan.spanContext() }],
    },
    caller,
  );
  annotate(span, event);
  span.end(at);
  return 1;
}

/** Emits the spans of one run from its journal; returns how many were emitted. */
export function traceRun(runId: string, events: readonly JournalEvent[], options: TraceRunOptions = {}): number {
  const { trace, context, SpanStatusCode } = otelApi();
  const tracer = options.tracer ?? trace.getTracer(TRACER_NAME);
  const state = foldJournal(runId, events);
  const now = options.now ?? Date.now();
  const common = { "duro.run_id": runId, "duro.workflow": state.workflow };
  const runSpan = tracer.startSpan(`duro.run ${state.workflow}`, {
    startTime: Date.parse(state.createdAt),
    attributes: { ...common, "duro.version": state.version },
  });
  const parent = trace.setSpan(context.active(), runSpan);
  const open = new Map<string, OpenSpan>();
  let count = 1;
  const start = (name: string, key: string, at: string, attributes: Record<string, string | number>) => {
    const span = tracer.startSpan(
      `${name} ${key}`,
      { startTime: Date.parse(at), attributes: { ...common, "duro.step_key": key, ...attributes } },
      parent,
    );
    count++;
    return span;
  };
  const end = (key: string, at: string, status: string, error?: { code: string; message: string }) => {
    const entry = open.get(key);
    if (!entry) return;
    open.delete(key);
    entry.span.setAttribute("duro.status", status);
    if (error) {
      entry.span.setAttribute("duro.error_code", error.code);
      entry.span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
    }
    entry.span.end(Date.parse(at));
  };
  for (const event of events) {
    switch (event.type) {
      case "step_started":
        open.set(event.key, { span: start("duro.step", event.key, event.at, { "duro.attempt": event.attempt }) });
        break;
      case "step_completed":
        end(event.key, event.at, "completed");
        break;
      case "step_failed":
        end(event.key, event.at, event.retryAt ? "retrying" : "failed", event.error);
        break;
      case "attempt_orphaned":
        end(event.key, event.at, "orphaned", { code: "attempt_orphaned", message: `attempt ${event.attempt} never finished` });
        break;
      case "wait_started":
        open.set(event.key, {
          span: start("duro.wait", event.key, event.at, {
            "duro.wait_kind": event.kind,
            // An external tool call is a tool execution the host does: named as gen_ai tool spans are.
            ...(event.kind === "tool" ? { "gen_ai.tool.name": event.tool ?? "", "gen_ai.tool.call.id": event.callId ?? "" } : {}),
          }),
        });
        break;
      case "wait_resolved":
        annotate(open.get(event.key)?.span, event);
        end(event.key, event.at, event.by === "timeout" ? "timed_out" : "resolved");
        if (event.traceparent) count += resumeSpan(tracer, `duro.resume ${event.key}`, event, runSpan, common);
        break;
      case "run_cancelled":
        annotate(runSpan, event);
        if (event.traceparent) count += resumeSpan(tracer, "duro.cancel", event, runSpan, common);
        break;
      // Points in the run, not work: span events on the run's span (names only: data may hold what traces must not).
      case "bookmark":
        runSpan.addEvent("duro.bookmark", { "duro.bookmark": event.name, "duro.seq": event.seq }, Date.parse(event.at));
        break;
      case "domain_event":
        runSpan.addEvent(`duro.event ${event.name}`, { "duro.event": event.name, "duro.seq": event.seq }, Date.parse(event.at));
        break;
      case "usage_recorded": {
        const span = open.get(event.key)?.span ?? runSpan;
        span.setAttributes({
          "gen_ai.request.model": event.model,
          "gen_ai.usage.input_tokens": event.inputTokens,
          "gen_ai.usage.output_tokens": event.outputTokens,
          "duro.cost_usd": event.costUsd,
        });
        break;
      }
      default:
        break;
    }
  }
  for (const [key, entry] of open) {
    entry.span.setAttribute("duro.status", "open");
    open.delete(key);
    entry.span.end(now);
  }
  const status = state.phase === "active" ? "active" : state.phase;
  runSpan.setAttribute("duro.status", status);
  if (state.usage.inputTokens + state.usage.outputTokens > 0) {
    runSpan.setAttributes({ "gen_ai.usage.input_tokens": state.usage.inputTokens, "gen_ai.usage.output_tokens": state.usage.outputTokens });
  }
  if (state.error) runSpan.setStatus({ code: SpanStatusCode.ERROR, message: state.error.message });
  runSpan.end(state.endedAt ? Date.parse(state.endedAt) : now);
  return count;
}
