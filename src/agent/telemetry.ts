// OpenTelemetry spans for model and tool calls, following the GenAI semantic conventions (`gen_ai.*`) with
// the call's cost added as `duro.cost_usd`. Without an SDK registered these are no-ops. The API is imported at the
// first call: a process that never calls a model does not load it.
import type { Attributes, Span } from "@opentelemetry/api";

/** Runs `fn` inside a span; records an exception and error status if it throws. */
export async function withSpan<T>(name: string, attributes: Attributes, fn: (span: Span) => Promise<T>): Promise<T> {
  const { trace, SpanKind, SpanStatusCode } = await import("@opentelemetry/api");
  const tracer = trace.getTracer("duro");
  return tracer.startActiveSpan(name, { kind: SpanKind.CLIENT, attributes }, async (span) => {
    try {
      return await fn(span);
    } catch (error) {
      span.recordException(error instanceof Error ? error : String(error));
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
      const code = (error as { code?: unknown }).code;
      if (typeof code === "string") span.setAttribute("error.type", code);
      throw error;
    } finally {
      span.end();
    }
  });
}
