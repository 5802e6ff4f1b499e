// Conflicts instead of silent reuse: a start naming an existing run must ask for the same workflow and input, and a
// resumed parent must ask for each journaled child with the input it was started with.
import { workflow } from "duro";
import { describe, expect, it } from "vitest";
import { harness as makeHarness, STORES } from "../support/engine.js";

describe.each(STORES)("%s store", (kind) => {
  const harness = (...args: Parameters<typeof makeHarness> extends [unknown, ...infer R] ? R : never) => makeHarness(kind, ...args);

  const order = workflow("order", async (_ctx, input: { sku: string; qty: number }) => input.qty);
  const refund = workflow("refund", async (_ctx, input: { sku: string; qty: number }) => -input.qty);

  describe("run_conflict", () => {
    it("starting again with the same id and the same input (in any key order) returns the existing run", async () => {
      const { engine } = harness([order]);
      const first = await engine.start(order, { sku: "A", qty: 1 }, { id: "r_same" });
      const again = await engine.start(order, { qty: 1, sku: "A" }, { id: "r_same" });
      expect([first.created, again.created, again.id]).toEqual([true, false, "r_same"]);
    });

    it("starting with an existing id but another input fails with run_conflict naming the input", async () => {
      const { engine } = harness([order]);
      await engine.start(order, { sku: "A", qty: 1 }, { id: "r_other_input" });
      await expect(engine.start(order, { sku: "A", qty: 2 }, { id: "r_other_input" })).rejects.toMatchObject({
        code: "run_conflict",
        details: { runId: "r_other_input", differs: ["input"] },
      });
    });

    it("starting with an existing id but another workflow fails with run_conflict naming both workflows", async () => {
      const { engine } = harness([order, refund]);
      await engine.start(order, { sku: "A", qty: 1 }, { id: "r_other_wf" });
      const refused = engine.start(refund, { sku: "A", qty: 1 }, { id: "r_other_wf" });
      await expect(refused).rejects.toMatchObject({ code: "run_conflict", details: { differs: ["workflow"] } });
      await expect(refused).rejects.toThrow('workflow ("order", not "refund")');
    });

    it("starting with an existing idempotency key but another input fails with run_conflict", async () => {
      const { engine } = harness([order]);
      const first = await engine.start(order, { sku: "A", qty: 1 }, { idempotencyKey: "order-7" });
      expect((await engine.start(order, { sku: "A", qty: 1 }, { idempotencyKey: "order-7" })).id).toBe(first.id);
      await expect(engine.start(order, { sku: "B", qty: 1 }, { idempotencyKey: "order-7" })).rejects.toThrow(
        /idempotency key "order-7" already exists .* with another input/,
      );
    });
  });

  describe("child_conflict", () => {
    const child = workflow("child", async (ctx, input: { n: number }) => {
      await ctx.waitForEvent("release", { key: `release-${input.n}` });
      return input.n * 10;
    });

    /** Lets the parent's child take the release event and finish, then the parent take the child's result. */
    async function releaseChild(h: ReturnType<typeof harness>, parentId: string, n: number) {
      const started = (await h.engine.events(parentId)).find((e) => e.type === "child_started");
      if (started?.type !== "child_started") throw new Error("the parent started no child");
      await h.engine.signal(`release-${n}`, null);
      expect((await h.settle(started.childRunId)).status).toBe("completed");
      return h.settle(parentId);
    }

    function parentAsking(asked: { n: number }) {
      return workflow("parent", async (ctx) => {
        const result = await ctx.child("c1", child, { ...asked });
        await ctx.waitForEvent("go", { key: "parent-go" });
        return result;
      });
    }

    it("a resumed parent asking for a finished child with another input fails with child_conflict", async () => {
      const asked = { n: 1 };
      const parent = parentAsking(asked);
      const h = harness([parent, child]);
      const { engine, settle } = h;
      const { id } = await engine.start(parent, {});
      await settle(id);
      const waiting = await releaseChild(h, id, 1);
      expect(waiting.waits.map((w) => w.key)).toEqual(["go#0"]);
      asked.n = 2;
      await engine.signal("parent-go", null);
      const run = await settle(id);
      expect(run.status).toBe("failed");
      expect(run.error).toMatchObject({ code: "child_conflict", details: { key: "c1#0", differs: ["input"] } });
    });

    it("a resumed parent asking for a running child with another input fails with child_conflict", async () => {
      const asked = { n: 1 };
      const parent = parentAsking(asked);
      const { engine, settle } = harness([parent, child]);
      const { id } = await engine.start(parent, {});
      expect((await settle(id)).status).toBe("waiting");
      asked.n = 3;
      await engine.signal("release-1", null);
      const run = await settle(id);
      expect(run.status).toBe("failed");
      expect(run.error).toMatchObject({ code: "child_conflict", details: { key: "c1#0", differs: ["input"] } });
    });

    it("a resumed parent asking for its child with the same input gets the child's result", async () => {
      const parent = parentAsking({ n: 4 });
      const h = harness([parent, child]);
      const { engine, settle } = h;
      const { id } = await engine.start(parent, {});
      await settle(id);
      await releaseChild(h, id, 4);
      await engine.signal("parent-go", null);
      const run = await settle(id);
      expect([run.status, run.output]).toEqual(["completed", 40]);
    });
  });
});
