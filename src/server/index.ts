// The HTTP server's public face: the app (routes), listening, the event hub, metrics, keys and approval links.
export { type Caller, createApp, type ServerOptions } from "./app.js";
export { RunEventHub } from "./hub.js";
export {
  ALL_TENANTS,
  authenticate,
  type CreatedKey,
  checkRole,
  checkTenant,
  createApiKey,
  hashToken,
  type PublicKey,
  publicKey,
} from "./keys.js";
export { DEFAULT_LINK_TTL, signLink, verifyLink } from "./links.js";
export { ServerMetrics } from "./metrics.js";
export { openApiDocument } from "./openapi.js";
export { type ListenOptions, listen, type RunningServer } from "./server.js";
