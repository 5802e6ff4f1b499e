// Loads @opentelemetry/api when a trace is first drawn, not when duro is imported: most processes (a CLI command, a
// worker without a tracer) never draw one. The API keeps its registered provider on globalThis, so this instance and
// the one the application imports share it.
import { createRequire } from "node:module";

type OtelApi = typeof import("@opentelemetry/api");

const require = createRequire(import.meta.url);

/** The OpenTelemetry API module (loaded at the first call; Node's module cache makes later calls a lookup). */
export function otelApi(): OtelApi {
  return require("@opentelemetry/api") as OtelApi;
}
