// Record and replay: a live run's cassette replays offline against the same code (passes) and against changed
// code (reports the first divergent step with what was expected and what came instead).
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createEngine, MemoryStore, type WorkflowDefinition, workflow } from "duro";
import { buildCassette, type Cassette, MockClock, Mocks, replayCassette, settleSkippingTimers } from "duro/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

let server: Server;
let base: string;
let served = 0;
beforeAll(async () => {
  server = createServer((_req, res) => {
    served++;
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ rate: 1.25 }));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function quoteWorkflow(version: string, fee: number) {
  return workflow<undefined, { total: number }, { amount: number }>("quote", { version }, async (ctx, input) => {
    const { rate } = await ctx.step("rate", async () => (await (await fetch(`${base}/rate`)).json()) as { rate: number });
    await ctx.sleep("settle", "2d");
    const total = await ctx.step("total", () => input.amount * rate + fee);
    return { total };
  });
}

async function record(def: WorkflowDefinition<{ amount: number }, unknown>): Promise<Cassette> {
  const clock = new MockClock();
  const mocks = new Mocks(
    {},
    () => undefined,
    () => clock.now(),
    true,
  );
  const engine = createEngine({
    store: new MemoryStore({ clock: () => clock.now() }),
    workflows: [def],
    clock: () => clock.now(),
    inlineWaitMs: 0,
  });
  const restore = mocks.installFetch();
  try {
    const { id } = await engine.start(def, { amount: 100 });
    await settleSkippingTimers(engine, clock, id);
    return buildCassette(id, await engine.events(id), mocks.recorded);
  } finally {
    restore();
    await engine.close();
  }
}

describe("record and replay", () => {
  it("a replay of unchanged code passes, offline; changed code diverges at the step that changed", async () => {
    const cassette = await record(quoteWorkflow("v1", 0));
    expect(cassette.steps).toEqual([
      { key: "rate#0", result: { rate: 1.25 } },
      { key: "total#0", result: 125 },
    ]);
    expect(cassette.http).toHaveLength(1);

    const servedBefore = served;
    const same = await replayCassette(cassette, quoteWorkflow("v1", 0));
    expect(same).toMatchObject({ ok: true, compared: 2, status: "completed" });

    const changed = await replayCassette(cassette, quoteWorkflow("v2", 5));
    expect(changed.ok).toBe(false);
    expect(changed.divergence).toEqual({ step: "total#0", expected: { result: 125 }, got: { result: 130 } });
    expect(served).toBe(servedBefore);
  });

  it("code that asks for a different step than the recording names the recorded step", async () => {
    const cassette = await record(quoteWorkflow("v1", 0));
    const renamed = workflow("quote", async (ctx) => {
      await ctx.step("exchange-rate", () => 1);
      return null;
    });
    const report = await replayCassette(cassette, renamed);
    expect(report.divergence).toEqual({ step: "rate#0", expected: { step: "rate#0" }, got: { step: "exchange-rate#0" } });
  });
});
