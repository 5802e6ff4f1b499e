// The handler for Node's own request/response pair (node:http, Express): @hono/node-server's bridge, which streams
// the response body as it is written, so event streams arrive as they happen.
import type { IncomingMessage, ServerResponse } from "node:http";
import { getRequestListener } from "@hono/node-server";
import type { DuroHandler } from "./handler.js";

/** A Node request listener; Express's mounted `req.url` loses the mount path, so its `originalUrl` is used. */
export type NodeListener = (request: IncomingMessage & { originalUrl?: string }, response: ServerResponse) => Promise<void>;

/**
 * The handler as a Node listener: `app.use("/duro", toNodeListener(duro))` in Express (before any body parser: the
 * handler reads the body itself), or `http.createServer(toNodeListener(duro))`.
 */
export function toNodeListener(handler: DuroHandler): NodeListener {
  // overrideGlobalObjects off: the app's own global Request and Response stay Node's.
  const listener = getRequestListener((request) => handler(request), { overrideGlobalObjects: false });
  return (request, response) => {
    if (request.originalUrl !== undefined) request.url = request.originalUrl;
    return listener(request, response);
  };
}
