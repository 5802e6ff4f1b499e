// One engine per process, over the SQLite file DURO_DB, with duro's API mounted at /duro. The app decides who calls
// the API: here a bearer token from the environment stands in for the app's own sessions (see docs/http.md).
import { createEngine, type Engine, openStore } from "duro";
import { type Caller, type DuroHandler, duroHandler, RunEventHub } from "duro/http";
import { order } from "./order.js";

export { order };

/** The app's users: whoever presents ADMIN_TOKEN is an admin of tenant "default". */
function auth(request: Request): Caller | undefined {
  const token = process.env.ADMIN_TOKEN;
  if (!token || request.headers.get("authorization") !== `Bearer ${token}`) return undefined;
  return { keyId: "app-admin", tenant: "default", role: "admin" };
}

export interface DuroApp {
  engine: Engine;
  handler: DuroHandler;
}

function create(): DuroApp {
  const hub = new RunEventHub();
  const engine = createEngine({ store: openStore(process.env.DURO_DB ?? ".duro/app.db"), workflows: [order], onEvents: hub.publish });
  return { engine, handler: duroHandler({ engine, auth, prefix: "/duro", hub }) };
}

/** The process's engine and handler (kept on globalThis: a dev server that reloads modules must not open a second). */
export function duro(): DuroApp {
  const global = globalThis as { duroApp?: DuroApp };
  global.duroApp ??= create();
  return global.duroApp;
}

/** The app's own route: start an order; the answer names the run and where the API shows it. */
export async function startOrder(request: Request): Promise<Response> {
  const { item } = (await request.json()) as { item: string };
  const run = await duro().engine.start(order, { item });
  return Response.json({ runId: run.id, url: `/duro/v1/runs/${run.id}` }, { status: 201 });
}
