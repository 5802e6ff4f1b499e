// The handler as a Hono route: Hono hands routes the fetch-API Request itself, so nothing is converted.
import type { DuroHandler } from "./handler.js";

/** `app.all("/duro/*", duroHono(duro))` and `app.all("/duro", duroHono(duro))` (typed structurally: no Hono types). */
export function duroHono(handler: DuroHandler): (c: { req: { raw: Request } }) => Promise<Response> {
  return (c) => handler(c.req.raw);
}
