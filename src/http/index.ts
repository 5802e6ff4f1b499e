// duro/http: duro inside an existing web app. The API, UI and streams as a fetch handler under a prefix, adapters for
// Hono, Express (Node), Fastify and Next.js, the engine's worker embedded with a SIGTERM drain, and durable endpoints.
export type { Caller } from "../server/index.js";
export { RunEventHub } from "../server/index.js";
export {
  type DurableEndpoint,
  type DurableOptions,
  type DurableRequest,
  type DurableResponse,
  type DurableRouteHandler,
  durable,
} from "./durable.js";
export { type ClosableServer, type Embedded, type EmbedOptions, embed } from "./embed.js";
export { duroFastify, type FastifyLike } from "./fastify.js";
export { type DuroAuth, type DuroHandler, type DuroHandlerOptions, duroHandler } from "./handler.js";
export { duroHono } from "./hono.js";
export { nextRoute, type RouteHandler } from "./next.js";
export { type NodeListener, toNodeListener } from "./node.js";
