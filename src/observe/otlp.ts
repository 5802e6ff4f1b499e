// Sends a run's spans over OTLP/HTTP when OTEL_EXPORTER_OTLP_ENDPOINT is set. The exporter and the SDK are
// optional packages loaded only then (npm install @opentelemetry/sdk-trace-base @opentelemetry/exporter-trace-otlp-http),
// so that duro itself depends on nothing but @opentelemetry/api.
import type { Tracer } from "@opentelemetry/api";
import type { JournalEvent } from "../core/index.js";
import { traceRun } from "./otel.js";

const SDK = "@opentelemetry/sdk-trace-base";
const EXPORTER = "@opentelemetry/exporter-trace-otlp-http";

interface Provider {
  getTracer(name: string): Tracer;
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

/** True when the environment asks for OTLP export. */
export function otlpConfigured(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
}

/** Exports the run's spans over OTLP; resolves to a problem to report (packages missing, export failed) or undefined. */
export async function exportRunOverOtlp(runId: string, events: readonly JournalEvent[]): Promise<string | undefined> {
  let sdk: { BasicTracerProvider: new (config: object) => Provider; SimpleSpanProcessor: new (exporter: unknown) => unknown };
  let exporter: { OTLPTraceExporter: new () => unknown };
  try {
    [sdk, exporter] = await Promise.all([import(SDK), import(EXPORTER)]);
  } catch {
    return `OTEL_EXPORTER_OTLP_ENDPOINT is set but the OpenTelemetry SDK is not installed; run: npm install ${SDK} ${EXPORTER}`;
  }
  const provider = new sdk.BasicTracerProvider({ spanProcessors: [new sdk.SimpleSpanProcessor(new exporter.OTLPTraceExporter())] });
  try {
    traceRun(runId, events, { tracer: provider.getTracer("duro") });
    await provider.forceFlush();
    return undefined;
  } catch (error) {
    return `exporting spans over OTLP to ${endpoint()} failed: ${describeFailure(error)}; check that a collector listens there`;
  } finally {
    await provider.shutdown().catch(() => undefined);
  }
}

function endpoint(env: NodeJS.ProcessEnv = process.env): string {
  return env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT || "(unset)";
}

/** The SDK rejects a flush with an array of the exporters' errors, not with an Error. */
export function describeFailure(error: unknown): string {
  if (Array.isArray(error)) return [...new Set(error.map(describeFailure))].join("; ") || "unknown error";
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}
