// Waits that last: timers, events with timeouts, approvals, questions, child runs, cancellation.
import { ChildRunFailedError, WaitTimeoutError, workflow } from "duro";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { harness as makeHarness, STORES } from "../support/engine.js";

describe.each(STORES)("%s store", (kind) => {
  const harness = (...args: Parameters<typeof makeHarness> extends [unknown, ...infer R] ? R : never) => makeHarness(kind, ...args);

  describe("timers", () => {
    it("a sleep suspends the run until it is due, then the run goes on", async () => {
      const wf = workflow("sleeper", async (ctx) => {
        await ctx.sleep("nap", "3d");
        return "rested";
      });
      const { engine, settle, clock } = harness([wf]);
      const { id } = await engine.start(wf, {});
      let run = await settle(id);
      expect(run).toMatchObject({ status: "waiting", wakeAt: new Date(clock.now() + 3 * 86_400_000).toISOString() });
      clock.advance(3 * 86_400_000 - 1);
      expect((await settle(id)).status).toBe("waiting");
      clock.advance(1);
      run = await settle(id);
      expect(run).toMatchObject({ status: "completed", output: "rested" });
    });
  });

  describe("waitForEvent", () => {
    it("throws WaitTimeoutError when no event comes before the timeout; the code may catch it", async () => {
      const wf = workflow("timeouts", async (ctx) => {
        try {
          return await ctx.waitForEvent("payment", { key: "pay:1", timeout: "7d" });
        } catch (error) {
          return error instanceof WaitTimeoutError ? `timed out: ${error.code}` : "other";
        }
      });
      const { engine, settle, clock } = harness([wf]);
      const { id } = await engine.start(wf, {});
      expect((await settle(id)).status).toBe("waiting");
      clock.advance(7 * 86_400_000);
      expect((await settle(id)).output).toBe("timed out: wait_timeout");
    });

    it("an event for one run does not wake another waiting on a different key", async () => {
      const wf = workflow("keyed", async (ctx, input: { key: string }) => ctx.waitForEvent("e", { key: input.key }));
      const { engine, settle } = harness([wf]);
      const a = await engine.start(wf, { key: "k:a" });
      const b = await engine.start(wf, { key: "k:b" });
      await settle(a.id);
      await settle(b.id);
      const { wokeRunIds } = await engine.signal("k:b", "for b");
      expect(wokeRunIds).toEqual([b.id]);
      expect((await settle(b.id)).output).toBe("for b");
      expect((await settle(a.id)).status).toBe("waiting");
    });
  });

  describe("approvals", () => {
    it("resolves with the decision, who made it and the comment", async () => {
      const wf = workflow("approve-me", async (ctx) => ctx.approval("manager", { summary: "2 x A1" }));
      const { engine, settle } = harness([wf]);
      const { id } = await engine.start(wf, {});
      const waiting = await settle(id);
      expect(waiting.waits).toMatchObject([{ kind: "approval", gate: "manager", summary: "2 x A1" }]);
      await engine.approve(id, "manager", { action: "reject", by: "ada", comment: "too many" });
      expect((await settle(id)).output).toEqual({ action: "reject", by: "ada", comment: "too many" });
    });

    it("two open approvals of one gate: a decision must name one, the refusal names them by wait key, and a key decides", async () => {
      const wf = workflow("twice-gated", async (ctx) => Promise.all([ctx.approval("deploy"), ctx.approval("deploy")]));
      const { engine, settle } = harness([wf]);
      const { id } = await engine.start(wf, {});
      await settle(id);
      const refusal = engine.approve(id, "deploy", { action: "approve" });
      await expect(refusal).rejects.toMatchObject({
        code: "gate_required",
        message: expect.stringContaining("deploy#0 (gate deploy), deploy#1 (gate deploy)"),
        details: { keys: ["deploy#0", "deploy#1"] },
      });
      await engine.approve(id, "deploy#0", { action: "approve", by: "ada" });
      await engine.approve(id, "deploy#1", { action: "reject", by: "bob" });
      expect((await settle(id)).output).toMatchObject([
        { action: "approve", by: "ada" },
        { action: "reject", by: "bob" },
      ]);
    });

    it("refuses a decision for a run that is not waiting for that gate, and changes nothing", async () => {
      const wf = workflow("gated", async (ctx) => ctx.approval("manager"));
      const { engine, settle, store } = harness([wf]);
      const { id } = await engine.start(wf, {});
      await settle(id);
      await expect(engine.approve(id, "finance", { action: "approve" })).rejects.toMatchObject({ code: "not_waiting" });
      await engine.approve(id, undefined, { action: "approve" });
      await expect(engine.approve(id, "manager", { action: "approve" })).rejects.toMatchObject({ code: "already_decided" });
      await settle(id);
      const before = await store.read(id);
      await expect(engine.approve(id, "manager", { action: "approve" })).rejects.toMatchObject({
        code: "not_waiting",
        message: expect.stringContaining("it is completed"),
      });
      expect(await store.read(id)).toEqual(before);
      expect(await store.listInbox()).toEqual([]);
    });

    it("with several gates, approves only when every gate approved", async () => {
      const wf = workflow("two-gates", async (ctx) => ctx.approval("spend", { gates: ["manager", "finance"] }));
      const { engine, settle } = harness([wf]);
      const { id } = await engine.start(wf, {});
      await settle(id);
      await engine.approve(id, "manager", { action: "approve", by: "m" });
      expect((await settle(id)).status).toBe("waiting");
      await engine.approve(id, "finance", { action: "reject", by: "f" });
      const run = await settle(id);
      expect(run.output).toMatchObject({
        action: "reject",
        by: "f",
        decisions: { manager: { action: "approve" }, finance: { action: "reject" } },
      });
    });
  });

  describe("ask", () => {
    it("accepts only one of the choices and resolves with it", async () => {
      const wf = workflow("asker", async (ctx) => ctx.ask("size", { prompt: "Which size?", choices: ["S", "M", "L"] }));
      const { engine, settle } = harness([wf]);
      const { id } = await engine.start(wf, {});
      await settle(id);
      await expect(engine.answer(id, "size", "XL")).rejects.toMatchObject({ code: "answer_invalid" });
      await engine.answer(id, "size", "M");
      expect((await settle(id)).output).toBe("M");
    });

    it("an answer its schema refuses is dropped and the question stays open", async () => {
      const wf = workflow("asker-schema", async (ctx) => ctx.ask("age", { prompt: "Age?", schema: z.number().int().min(0) }));
      const { engine, settle } = harness([wf]);
      const { id } = await engine.start(wf, {});
      await settle(id);
      await engine.answer(id, "age", "old");
      expect((await settle(id)).status).toBe("waiting");
      await engine.answer(id, "age", 36);
      expect((await settle(id)).output).toBe(36);
    });
  });

  describe("child runs", () => {
    it("a failed child surfaces in the parent as ChildRunFailedError", async () => {
      const child = workflow("bad-child", async () => {
        throw new Error("child broke");
      });
      const parent = workflow("catching-parent", async (ctx) => {
        try {
          return await ctx.child("kid", child, {});
        } catch (error) {
          return error instanceof ChildRunFailedError ? `${error.code}: ${(error.details.error as { message: string }).message}` : "?";
        }
      });
      const { engine, settle } = harness([parent, child]);
      const { id } = await engine.start(parent, {});
      expect((await settle(id)).output).toBe("child_failed: child broke");
    });

    it("cancelling a parent cancels its waiting children", async () => {
      const child = workflow("waiting-child", async (ctx) => ctx.waitForEvent("never", { key: "never" }));
      const parent = workflow("cancel-parent", async (ctx) => ctx.child("kid", child, {}));
      const { engine, settle, store } = harness([parent, child]);
      const { id } = await engine.start(parent, {});
      await settle(id);
      const [kid] = (await store.listRuns({ parentRunId: id })).runs;
      expect(kid?.status).toBe("waiting");
      await engine.cancel(id, "no longer needed");
      expect((await engine.get(id)).status).toBe("cancelled");
      const childRun = await engine.get(kid?.id as string);
      expect(childRun.status).toBe("cancelled");
      expect(childRun.cancelReason).toContain("no longer needed");
    });
  });

  describe("starting runs", () => {
    it("checks the input against the workflow's schema with a clear error", async () => {
      const wf = workflow(
        "typed",
        { input: z.object({ sku: z.string(), qty: z.number().int().positive() }) },
        async (_ctx, input) => input.qty,
      );
      const { engine, store } = harness([wf]);
      await expect(engine.start(wf, { sku: "A1", qty: 0 } as never)).rejects.toMatchObject({
        code: "input_invalid",
        message: expect.stringContaining("qty"),
      });
      expect((await store.listRuns()).runs).toEqual([]);
    });

    it("refuses an unknown workflow name, listing the known ones", async () => {
      const wf = workflow("known", async () => 1);
      const { engine } = harness([wf]);
      await expect(engine.start("unknown", {})).rejects.toMatchObject({
        code: "workflow_not_found",
        message: expect.stringContaining("known"),
      });
    });

    it("a workflow timeout fails the run with run_timeout", async () => {
      const wf = workflow("deadline", { timeout: "1h" }, async (ctx) => ctx.waitForEvent("e", { key: "deadline-e" }));
      const { engine, settle, clock } = harness([wf]);
      const { id } = await engine.start(wf, {});
      expect((await settle(id)).status).toBe("waiting");
      clock.advance(3_600_000);
      expect((await settle(id)).error?.code).toBe("run_timeout");
    });

    it("a child run's own timeout fails the child with run_timeout, and the parent gets the child's failure", async () => {
      const slow = workflow("slow-child", { timeout: "1h" }, async (ctx) => ctx.waitForEvent("e", { key: "never" }));
      const parent = workflow("patient-parent", async (ctx) => {
        try {
          return await ctx.child("c1", slow, {});
        } catch (error) {
          return error instanceof ChildRunFailedError ? `${error.code}: ${(error.details.error as { code: string }).code}` : "other";
        }
      });
      const { engine, settle, clock, store } = harness([slow, parent]);
      const { id } = await engine.start(parent, {});
      expect((await settle(id)).status).toBe("waiting");
      const [child] = (await store.listRuns({ parentRunId: id })).runs;
      expect(await settle(child?.id as string)).toMatchObject({ status: "waiting", wakeAt: expect.any(String) });
      clock.advance(3_600_000);
      expect((await settle(child?.id as string)).error?.code).toBe("run_timeout");
      const run = await settle(id);
      expect(run).toMatchObject({ status: "completed", output: "child_failed: run_timeout" });
    });
  });

  describe("worker", () => {
    it("executes every runnable run until idle", async () => {
      const wf = workflow("many", async (ctx, input: { n: number }) => ctx.step("square", () => input.n * input.n));
      const { engine, store } = harness([wf]);
      const ids = await Promise.all([1, 2, 3, 4, 5, 6].map(async (n) => (await engine.start(wf, { n })).id));
      const worker = engine.runWorker({ concurrency: 2, untilIdle: true, pollMs: 5 });
      await worker.done;
      const outputs = await Promise.all(ids.map(async (id) => (await engine.get(id)).output));
      expect(outputs).toEqual([1, 4, 9, 16, 25, 36]);
      expect((await store.listRuns({ status: "completed" })).runs).toHaveLength(6);
    });
  });
});
