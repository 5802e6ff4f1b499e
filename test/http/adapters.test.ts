// Each adapter inside its real framework, over real HTTP: a run started and approved through the mounted API, its
// journal streamed (SSE arrives while the run still waits, so nothing buffers it), and a JSON body parsed by duro, not
// by the framework.
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { type DuroHandler, duroFastify, duroHandler, duroHono, toNodeListener } from "duro/http";
import express from "express";
import Fastify from "fastify";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { bearer, fixture, onCleanup, readSse } from "./support.js";

type Closable = { close(callback?: () => void): unknown; closeAllConnections?(): void };

/** Listens on a free port of 127.0.0.1 and closes at test end; resolves to the base URL. */
async function listening(server: Closable & { address(): unknown }): Promise<string> {
  onCleanup(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections?.();
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const FRAMEWORKS: Record<string, (duro: DuroHandler) => Promise<string>> = {
  hono: async (duro) => {
    const app = new Hono();
    app.get("/", (c) => c.text("the app"));
    app.all("/duro", duroHono(duro));
    app.all("/duro/*", duroHono(duro));
    const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
      const s = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, () => resolve(s));
    });
    return listening(server as never);
  },
  express: async (duro) => {
    const app = express();
    app.use("/duro", toNodeListener(duro));
    // The app's own parser comes after the mount: duro reads its bodies itself.
    app.use(express.json());
    app.get("/", (_req, res) => {
      res.send("the app");
    });
    const server = await new Promise<ReturnType<typeof app.listen>>((resolve) => {
      const s = app.listen(0, "127.0.0.1", () => resolve(s));
    });
    return listening(server);
  },
  fastify: async (duro) => {
    const app = Fastify();
    await app.register(duroFastify(duro), { prefix: "/duro" });
    app.post("/echo", async (request) => request.body);
    await app.listen({ port: 0, host: "127.0.0.1" });
    onCleanup(() => app.close());
    return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  },
};

describe.each(Object.keys(FRAMEWORKS))("duro mounted at /duro in %s", (name) => {
  it("starts, streams and approves a run through the framework", async () => {
    const { engine, keys, hub } = await fixture();
    const worker = engine.runWorker({ pollMs: 20 });
    const base = await (FRAMEWORKS[name] as (duro: DuroHandler) => Promise<string>)(duroHandler({ engine, auth: "keys", hub }));

    const started = await fetch(`${base}/duro/v1/runs`, {
      method: "POST",
      headers: bearer(keys.acme, { "content-type": "application/json" }),
      body: JSON.stringify({ workflow: "order", input: { item: "pen" } }),
    });
    const runId = ((await started.json()) as { id: string }).id;
    const stream = await fetch(`${base}/duro/v1/runs/${runId}/stream`, { headers: bearer(keys.acme) });
    const beforeApproval = await readSse(stream, (m) => m.event === "journal" && JSON.parse(m.data).type === "wait_started");
    const approved = await fetch(`${base}/duro/v1/runs/${runId}/approvals/ship`, {
      method: "POST",
      headers: bearer(keys.acme, { "content-type": "application/json" }),
      body: JSON.stringify({ action: "approve" }),
    });
    const rest = await fetch(`${base}/duro/v1/runs/${runId}/stream`, {
      headers: bearer(keys.acme, { "last-event-id": beforeApproval.at(-1)?.id as string }),
    });
    const after = await readSse(rest, (m) => m.event === "end");
    const page = await fetch(`${base}/duro/`);
    await worker.stop();

    expect(started.status).toBe(201);
    expect(stream.headers.get("content-type")).toContain("text/event-stream");
    expect(beforeApproval.at(-1)?.event).toBe("journal");
    expect(approved.status).toBe(202);
    expect(after.filter((m) => m.event === "journal").map((m) => JSON.parse(m.data).type)).toContain("run_completed");
    expect(after.at(-1)?.data).toBe('"completed"');
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("<title>duro</title>");
  });

  it("refuses a request without a key with 401 through the framework", async () => {
    const { engine } = await fixture();
    const base = await (FRAMEWORKS[name] as (duro: DuroHandler) => Promise<string>)(duroHandler({ engine, auth: "keys" }));

    const response = await fetch(`${base}/duro/v1/runs`);

    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("unauthorized");
  });
});

it("Fastify's own routes keep their body parsers beside the plugin", async () => {
  const { engine } = await fixture();
  const base = await (FRAMEWORKS.fastify as (duro: DuroHandler) => Promise<string>)(duroHandler({ engine, auth: "keys" }));

  const echoed = await fetch(`${base}/echo`, { method: "POST", headers: { "content-type": "application/json" }, body: '{"a":1}' });

  expect(await echoed.json()).toEqual({ a: 1 });
});
