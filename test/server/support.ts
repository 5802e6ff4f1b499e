// A server over a fresh SQLite database with keys for two tenants, driven in-process through app.request.
import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serve } from "@hono/node-server";
import { type AnyWorkflowDefinition, createEngine, type Engine } from "duro";
import { afterEach } from "vitest";
import { createApiKey, createApp, RunEventHub, ServerMetrics, type ServerOptions } from "../../src/server/index.js";
import { openPostgresStore } from "../../src/store/postgres/index.js";
import { openSqliteStore } from "../../src/store/sqlite/index.js";
import { freshSchema, PG_URL } from "../support/postgres.js";
import { all } from "./workflows.js";

export interface TestServer {
  engine: Engine;
  /** Serves the app on a free port of 127.0.0.1 (closed after the test); resolves to its base URL. */
  listen(): Promise<string>;
  hub: RunEventHub;
  dir: string;
  keys: { acmeAdmin: string; acmeOperator: string; acmeViewer: string; globexAdmin: string };
  /** A request with a JSON body (when given) and the bearer token (when given). */
  call(
    method: string,
    path: string,
    options?: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string> },
  ): Promise<Response>;
  /** Starts a run as tenant acme's admin (or `token`) and executes it until it waits or ends. */
  startSettled(workflow: string, input: unknown, token?: string): Promise<string>;
  settle(runId: string): Promise<void>;
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** A server over SQLite in `dir` (a new temp dir by default) or over a fresh PostgreSQL schema. */
export async function testServer(
  options: Partial<ServerOptions> = {},
  dir = mkdtempSync(join(tmpdir(), "duro-server-")),
  backend: "sqlite" | "postgres" = "sqlite",
  workflows: AnyWorkflowDefinition[] = all,
): Promise<TestServer> {
  const hub = new RunEventHub();
  let metrics: ServerMetrics | undefined;
  const store = backend === "sqlite" ? openSqliteStore(join(dir, "duro.db")) : openPostgresStore(PG_URL, { schema: freshSchema() });
  const engine = createEngine({
    store,
    workflows,
    inlineWaitMs: 0,
    onEvents: (runId, events) => {
      hub.publish(runId);
      metrics?.onEvents(runId, events);
    },
  });
  metrics = new ServerMetrics(store);
  cleanups.push(async () => {
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const app = createApp({ engine, hub, metrics, ...options });
  const key = async (tenant: string, role: "admin" | "operator" | "viewer") => (await createApiKey(store, { tenant, role })).token;
  const keys = {
    acmeAdmin: await key("acme", "admin"),
    acmeOperator: await key("acme", "operator"),
    acmeViewer: await key("acme", "viewer"),
    globexAdmin: await key("globex", "admin"),
  };
  const call: TestServer["call"] = (method, path, opts = {}) => {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    const body = opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body));
    if (body !== undefined) headers["content-type"] ??= "application/json";
    return Promise.resolve(app.request(path, { method, headers, ...(body === undefined ? {} : { body }) }));
  };
  const settle = async (runId: string) => {
    await engine.runUntilSettled(runId, { maxWaitMs: 0 });
  };
  const listen = async () => {
    const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
      const s = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, () => resolve(s));
    });
    cleanups.unshift(
      () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          (server as unknown as { closeAllConnections(): void }).closeAllConnections();
        }),
    );
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  };
  return {
    engine,
    listen,
    hub,
    dir,
    keys,
    call,
    settle,
    startSettled: async (workflow, input, token = keys.acmeAdmin) => {
      const response = await call("POST", "/v1/runs", { token, body: { workflow, input } });
      if (response.status !== 201) throw new Error(`start failed: ${response.status} ${await response.text()}`);
      const { id } = (await response.json()) as { id: string };
      await settle(id);
      return id;
    },
  };
}

export async function json<T = any>(response: Response): Promise<T> {
  return (await response.json()) as T;
}
