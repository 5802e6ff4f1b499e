// Queues through the engine: workflows name their queue, key and priority; the engine writes the queue's limits to
// the store before it starts or claims anything, and runs wait (queued) until the queue admits them.
import { createEngine, DuroError, queue, workflow } from "duro";
import { describe, expect, it } from "vitest";
import { MemoryStore } from "../../src/store/index.js";
import { harness as makeHarness, STORES } from "../support/engine.js";

describe.each(STORES)("%s store", (kind) => {
  const harness = (...args: Parameters<typeof makeHarness> extends [unknown, ...infer R] ? R : never) => makeHarness(kind, ...args);

  it("a run waits in its queue while the queue's slots are held, waits included, and runs once a slot frees", async () => {
    const serial = workflow("serial", { queue: queue("serial", { concurrency: 1 }) }, async (ctx, input: { n: number }) => {
      const ok = await ctx.waitForEvent("go", { key: `go:${input.n}` });
      return { n: input.n, ok };
    });
    const { engine, settle } = harness([serial]);
    const first = await engine.start(serial, { n: 1 });
    const second = await engine.start(serial, { n: 2 });

    expect((await settle(first.id)).status).toBe("waiting");
    expect((await settle(second.id)).status).toBe("queued");
    expect(await engine.store.listQueues()).toEqual([{ name: "serial", concurrency: 1, pending: 1, active: 1, startedInWindow: 0 }]);

    await engine.signal("go:1", true);
    expect(await settle(first.id)).toMatchObject({ status: "completed", output: { n: 1, ok: true } });
    expect((await settle(second.id)).status).toBe("waiting");
  });

  it("concurrencyKey from the input limits runs per key, not across keys", async () => {
    const sync = workflow(
      "sync",
      { queue: queue("sync", { keyConcurrency: 1 }), concurrencyKey: (input: { customer: string }) => input.customer },
      async (ctx, input: { customer: string }) => ctx.waitForEvent("done", { key: `done:${input.customer}` }),
    );
    const { engine, settle } = harness([sync]);
    const a1 = await engine.start(sync, { customer: "acme" });
    const a2 = await engine.start(sync, { customer: "acme" });
    const g1 = await engine.start(sync, { customer: "globex" });

    expect((await settle(a1.id)).status).toBe("waiting");
    expect((await settle(a2.id)).status).toBe("queued");
    expect((await settle(g1.id)).status).toBe("waiting");
    expect(await engine.store.getRun(a2.id)).toMatchObject({ queue: "sync", concurrencyKey: "acme", priority: 0 });
  });

  it("priority from the workflow or the start decides who is admitted first", async () => {
    const gate = queue("gate", { concurrency: 1 });
    const job = workflow(
      "job",
      { queue: gate, priority: (input: { urgent: boolean }) => (input.urgent ? 0 : 10) },
      async (_ctx, input) => input,
    );
    const { engine, store } = harness([job]);
    await engine.start(job, { urgent: false });
    const urgent = await engine.start(job, { urgent: true });
    const override = await engine.start(job, { urgent: false }, { priority: -5 });

    const [firstLease] = await store.claim({ workerId: "w", limit: 1, leaseMs: 1_000, workflows: ["job"] });

    expect(firstLease?.runId).toBe(override.id);
    expect(await store.getRun(urgent.id)).toMatchObject({ status: "queued", priority: 0 });
  });

  it("a child run goes through its own workflow's queue", async () => {
    const child = workflow("child", { queue: queue("children", { concurrency: 1 }) }, async (ctx) =>
      ctx.waitForEvent("w", { key: "child:go" }),
    );
    const parent = workflow("parent", async (ctx) => Promise.all([ctx.child("a", child, {}), ctx.child("b", child, {})]));
    const { engine, settle } = harness([parent, child]);
    const { id } = await engine.start(parent, {});

    expect((await settle(id)).status).toBe("waiting");

    const children = (await engine.list({ parentRunId: id })).runs;
    expect(children.map((c) => c.status).sort()).toEqual(["queued", "waiting"]);
    expect(children.every((c) => c.queue === "children")).toBe(true);
  });
});

describe("queue definitions", () => {
  it("concurrencyKey or priority without a queue is a definition error", () => {
    expect(() => workflow("x", { concurrencyKey: () => "k" }, async () => 1)).toThrow(
      expect.objectContaining({ code: "invalid_workflow", category: "definition" }),
    );
  });

  it("bad limits are refused when the queue is defined", () => {
    expect(() => queue("q", { concurrency: 0 })).toThrow(expect.objectContaining({ code: "invalid_queue" }));
    expect(() => queue("q", { rateLimit: { limit: 5, period: "soon" as never } })).toThrow(DuroError);
    expect(() => queue("no spaces")).toThrow(expect.objectContaining({ code: "invalid_queue" }));
  });

  it("two different queues with one name are refused; the same definition twice is fine", () => {
    const a = workflow("a", { queue: queue("shared", { concurrency: 1 }) }, async () => 1);
    const b = workflow("b", { queue: queue("shared", { concurrency: 2 }) }, async () => 2);
    const c = workflow("c", { queue: queue("shared", { concurrency: 1 }) }, async () => 3);

    expect(() => createEngine({ store: new MemoryStore(), workflows: [a, b] })).toThrow(
      expect.objectContaining({ code: "duplicate_queue" }),
    );
    expect(() => createEngine({ store: new MemoryStore(), workflows: [a, c] })).not.toThrow();
  });

  it("a concurrencyKey function that throws refuses the start and creates nothing", async () => {
    const wf = workflow(
      "keyed",
      { queue: "keyed", concurrencyKey: (input: { customer: { id: string } }) => input.customer.id },
      async () => 1,
    );
    const engine = createEngine({ store: new MemoryStore(), workflows: [wf] });

    await expect(engine.start(wf, {} as never)).rejects.toMatchObject({ code: "concurrency_key_failed", category: "input" });
    expect((await engine.list()).runs).toEqual([]);
  });

  it("an engine writes its queues' limits before its first start, and the limits a queue has are the last written", async () => {
    const store = new MemoryStore();
    const wf = workflow("limited", { queue: queue("limited", { concurrency: 3, rateLimit: { limit: 10, period: "1m" } }) }, async () => 1);
    const engine = createEngine({ store, workflows: [wf] });

    await engine.start(wf, {});

    expect(await store.listQueues()).toEqual([
      { name: "limited", concurrency: 3, rateLimit: { limit: 10, periodMs: 60_000 }, pending: 1, active: 0, startedInWindow: 0 },
    ]);
  });
});
