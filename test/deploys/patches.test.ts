// ctx.patched / ctx.deprecatePatch: code changed in place while runs are in flight. Runs of v1 wait past the patch
// point when v2 is deployed; they replay v2 on its old branch and complete, while new runs take the new branch.
import { createEngine, type Engine, type WorkflowContext, workflow } from "duro";
import { describe, expect, it } from "vitest";
import { harness, STORES } from "../support/engine.js";

const NAME = "pricing";
/**
 * A patch changes code in place: the new code keeps the version label of the old, declaring that it can finish the
 * old runs (with version pinning, code of another version would never be handed them; see deploys-versions tests).
 */
const VERSION = { version: "pricing-1" };

/** v1: the price, a charge, then a wait for "ship". */
const v1 = workflow(NAME, VERSION, async (ctx: WorkflowContext, input: { id: string }) => {
  const price = await ctx.step("price", () => 10);
  const total = await ctx.step("charge", () => price * 2);
  await ctx.waitForEvent("ship", { key: `ship:${input.id}` });
  return { total, path: "old" };
});

/** v2: a discount step before the charge, behind a patch. */
const v2 = workflow(NAME, VERSION, async (ctx: WorkflowContext, input: { id: string }) => {
  const price = await ctx.step("price", () => 10);
  let total: number;
  let path = "old";
  if (ctx.patched("new-pricing")) {
    const discount = await ctx.step("discount", () => 3);
    total = await ctx.step("charge", () => price * 2 - discount);
    path = "new";
  } else {
    total = await ctx.step("charge", () => price * 2);
  }
  await ctx.waitForEvent("ship", { key: `ship:${input.id}` });
  return { total, path };
});

/** v2 without a patch: the same change made naively. */
const v2Unpatched = workflow(NAME, VERSION, async (ctx: WorkflowContext, input: { id: string }) => {
  const price = await ctx.step("price", () => 10);
  const discount = await ctx.step("discount", () => 3);
  const total = await ctx.step("charge", () => price * 2 - discount);
  await ctx.waitForEvent("ship", { key: `ship:${input.id}` });
  return { total, path: "new" };
});

/** v3: once no v1 run remains, the old branch goes and the patch is deprecated. */
const v3 = workflow(NAME, VERSION, async (ctx: WorkflowContext, input: { id: string }) => {
  const price = await ctx.step("price", () => 10);
  ctx.deprecatePatch("new-pricing");
  const discount = await ctx.step("discount", () => 3);
  const total = await ctx.step("charge", () => price * 2 - discount);
  await ctx.waitForEvent("ship", { key: `ship:${input.id}` });
  return { total, path: "new" };
});

describe.each(STORES)("patches on the %s store", (kind) => {
  function deploy(h: ReturnType<typeof harness>, wf: typeof v1): Engine {
    return createEngine({ store: h.store, workflows: [wf], clock: () => h.clock.now(), inlineWaitMs: 0, leaseMs: 10_000 });
  }

  /** Sends the run its "ship" event (keyed by its input id) and executes it until it ends or waits. */
  async function ship(engine: Engine, run: { id: string }, inputId: string) {
    await engine.signal(`ship:${inputId}`, null);
    await engine.runUntilSettled(run.id, { maxWaitMs: 0 });
    return engine.get(run.id);
  }

  it("old runs keep the old branch, new runs take the new one, and both complete", async () => {
    const h = harness(kind, [v1]);
    const old = await h.engine.start(v1, { id: "old" });
    expect((await h.settle(old.id)).status).toBe("waiting");

    const engine2 = deploy(h, v2);
    const fresh = await engine2.start(v2, { id: "fresh" });
    await engine2.runUntilSettled(fresh.id, { maxWaitMs: 0 });
    expect((await engine2.get(fresh.id)).status).toBe("waiting");

    expect(await ship(engine2, old, "old")).toMatchObject({ status: "completed", output: { total: 20, path: "old" } });
    // The new run's replay after its wait finds its journaled marker and stays on the new branch.
    expect(await ship(engine2, fresh, "fresh")).toMatchObject({ status: "completed", output: { total: 17, path: "new" } });
    const markers = (await h.store.read(fresh.id)).filter((e) => e.type === "value_recorded");
    expect(markers).toMatchObject([{ key: "$patch:new-pricing#0", value: true }]);
    expect((await h.store.read(old.id)).some((e) => e.type === "value_recorded")).toBe(false);
    await engine2.close();
  });

  it("without the patch the same change breaks the old run with non_determinism", async () => {
    const h = harness(kind, [v1]);
    const old = await h.engine.start(v1, { id: "old" });
    await h.settle(old.id);
    const engine2 = deploy(h, v2Unpatched);
    expect(await ship(engine2, old, "old")).toMatchObject({ status: "failed", error: { code: "non_determinism" } });
    await engine2.close();
  });

  it("after deprecatePatch, runs that took the patch and new runs both complete", async () => {
    const h = harness(kind, [v2]);
    const patched = await h.engine.start(v2, { id: "patched" });
    await h.settle(patched.id);

    const engine3 = deploy(h, v3);
    const fresh = await engine3.start(v3, { id: "fresh" });
    await engine3.runUntilSettled(fresh.id, { maxWaitMs: 0 });

    expect(await ship(engine3, patched, "patched")).toMatchObject({ status: "completed", output: { total: 17, path: "new" } });
    expect(await ship(engine3, fresh, "fresh")).toMatchObject({ status: "completed", output: { total: 17, path: "new" } });
  });

  it("a patch needs a name", async () => {
    const bad = workflow("bad-patch", async (ctx: WorkflowContext) => ctx.patched(""));
    const h = harness(kind, [bad]);
    const { id } = await h.engine.start(bad, {});
    expect(await h.settle(id)).toMatchObject({ status: "failed", error: { code: "invalid_name" } });
  });
});
