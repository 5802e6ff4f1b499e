// The handler as a Next.js App Router route handler: app/duro/[[...path]]/route.ts exports one function per method.
import type { DuroHandler } from "./handler.js";

/** A Next.js route handler (Next passes a NextRequest, a Request). */
export type RouteHandler = (request: Request) => Promise<Response>;

/** `export const { GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS } = nextRoute(duro);` */
export function nextRoute(handler: DuroHandler): Record<"GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD" | "OPTIONS", RouteHandler> {
  const route: RouteHandler = (request) => handler(request);
  return { GET: route, POST: route, PUT: route, PATCH: route, DELETE: route, HEAD: route, OPTIONS: route };
}
