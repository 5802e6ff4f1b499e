// The handler as a Fastify plugin. Fastify parses bodies before a route runs; inside this plugin's own context (a
// plugin is encapsulated) no parser reads them, so the body reaches the handler untouched, as do the app's parsers
// everywhere else. The reply is hijacked and written by the Node bridge, which streams.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { DuroHandler } from "./handler.js";
import { toNodeListener } from "./node.js";

/** The part of a Fastify instance the plugin uses (typed here so that duro/http needs no Fastify types). */
export interface FastifyLike {
  removeAllContentTypeParsers(): void;
  addContentTypeParser(
    contentType: string,
    parser: (request: unknown, payload: unknown, done: (error: Error | null, body?: unknown) => void) => void,
  ): void;
  all(path: string, handler: (request: { raw: IncomingMessage }, reply: { raw: ServerResponse; hijack(): void }) => Promise<void>): unknown;
}

/** The plugin: `app.register(duroFastify(duro), { prefix: "/duro" })`, the prefix the same as duroHandler's. */
export function duroFastify(handler: DuroHandler): (instance: FastifyLike) => Promise<void> {
  const listener = toNodeListener(handler);
  return async (instance) => {
    instance.removeAllContentTypeParsers();
    instance.addContentTypeParser("*", (_request, _payload, done) => done(null));
    const route = (request: { raw: IncomingMessage }, reply: { raw: ServerResponse; hijack(): void }) => {
      reply.hijack();
      return listener(request.raw, reply.raw);
    };
    instance.all("/", route);
    instance.all("/*", route);
  };
}
