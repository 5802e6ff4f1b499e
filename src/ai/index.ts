// duro/ai: the Vercel AI SDK inside workflows. Model calls through `duroMiddleware` and tools through `durableTools`
// are journaled steps; `ai` is an optional peer dependency that only this entry needs.

export type { ModelCallRecord } from "./call-record.js";
export { type DuroMiddlewareOptions, duroMiddleware } from "./middleware.js";
export { type DurableToolsOptions, durableTools } from "./tools.js";
