// The journal rules of ARCHITECTURE.md, each shown through the engine on the in-memory store.
import { NonRetryableError, workflow } from "duro";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { childRunId } from "../../src/core/index.js";
import { harness as makeHarness, STORES } from "../support/engine.js";

describe.each(STORES)("%s store", (kind) => {
  const harness = (...args: Parameters<typeof makeHarness> extends [unknown, ...infer R] ? R : never) => makeHarness(kind, ...args);

  describe("journal rules", () => {
    it("step keys are the step's name plus an occurrence counter", async () => {
      const wf = workflow("keys", async (ctx) => {
        await ctx.step("charge", () => 1);
        await ctx.step("charge", () => 2);
        await ctx.step("ship", () => 3);
        return "ok";
      });
      const { engine, settle } = harness([wf]);
      const { id } = await engine.start(wf, {});
      const run = await settle(id);
      expect(run.steps.map((s) => s.key)).toEqual(["charge#0", "charge#1", "ship#0"]);
    });

    it("a completed step is never executed again: replay returns its journaled result", async () => {
      const calls: string[] = [];
      const wf = workflow("once", async (ctx) => {
        const a = await ctx.step("a", () => {
          calls.push("a");
          return { n: 1 };
        });
        const event = await ctx.waitForEvent<{ m: number }>("go", { key: "go-key" });
        const b = await ctx.step("b", () => {
          calls.push("b");
          return a.n + event.m;
        });
        return b;
      });
      const { engine, settle } = harness([wf]);
      const { id } = await engine.start(wf, {});
      expect((await settle(id)).status).toBe("waiting");
      await engine.signal("go-key", { m: 41 });
      const run = await settle(id);
      expect(run.status).toBe("completed");
      expect(run.output).toBe(42);
      expect(calls).toEqual(["a", "b"]);
    });

    it("a step started but never finished runs again with attempt + 1 and the same idempotency key", async () => {
      const seen: Array<{ attempt: number; key: string }> = [];
      const wf = workflow("interrupted", async (ctx) =>
        ctx.step("pay", ({ attempt, idempotencyKey }) => {
          seen.push({ attempt, key: idempotencyKey });
          return "paid";
        }),
      );
      const { engine, store, settle } = harness([wf]);
      const { id } = await engine.start(wf, {});
      // A worker journals the step's start and dies before the result: simulate with its lease.
      const lease = await store.claimRun(id, "dead-worker", 1_000);
      if (!lease) throw new Error("claim failed");
      await store.append(id, [{ type: "step_started", key: "pay#0", attempt: 1 }], { lease, expectedSeq: 1 });
      await store.release(lease);
      const run = await settle(id);
      expect(run.status).toBe("completed");
      expect(seen).toEqual([{ attempt: 2, key: `${id}:pay#0` }]);
      const starts = (await engine.events(id)).filter((e) => e.type === "step_started");
      expect(starts.map((e) => (e.type === "step_started" ? e.attempt : 0))).toEqual([1, 2]);
    });

    it("replaying changed code fails the run with non_determinism naming the expected and the requested key", async () => {
      let version = 1;
      const wf = workflow("changing", { version: "fixed" }, async (ctx) => {
        await ctx.step(version === 1 ? "reserve" : "charge", () => 1);
        await ctx.waitForEvent("go", { key: "changing-go" });
        return "done";
      });
      const { engine, settle } = harness([wf]);
      const { id } = await engine.start(wf, {});
      expect((await settle(id)).status).toBe("waiting");
      version = 2;
      await engine.signal("changing-go", null);
      const run = await settle(id);
      expect(run.status).toBe("failed");
      expect(run.error?.code).toBe("non_determinism");
      expect(run.error?.message).toContain('"reserve#0"');
      expect(run.error?.message).toContain('"charge#0"');
    });

    it("code that stops asking for a journaled step fails with non_determinism", async () => {
      let skip = false;
      const wf = workflow("shrinking", async (ctx) => {
        if (!skip) await ctx.step("extra", () => 1);
        await ctx.waitForEvent("go", { key: "shrink-go" });
        return "done";
      });
      const { engine, settle } = harness([wf]);
      const { id } = await engine.start(wf, {});
      await settle(id);
      skip = true;
      await engine.signal("shrink-go", null);
      const run = await settle(id);
      expect(run.error?.code).toBe("non_determinism");
      expect(run.error?.message).toContain("extra#0");
    });

    it("code that also awaits something non-durable between steps still replays (within about a second)", async () => {
      const wf = workflow("slow-between", async (ctx) => {
        const a = await ctx.step("a", () => 1);
        await new Promise((resolve) => setTimeout(resolve, 30));
        const b = await ctx.step("b", () => a + 1);
        await ctx.waitForEvent("go", { key: "slow-between-go" });
        return b;
      });
      const { engine, settle } = harness([wf]);
      const { id } = await engine.start(wf, {});
      await settle(id);
      await engine.signal("slow-between-go", null);
      expect(await settle(id)).toMatchObject({ status: "completed", output: 2 });
    });

    it("results are JSON values: the code gets the same value live and on replay", async () => {
      const received: unknown[] = [];
      const wf = workflow("values", async (ctx) => {
        const value = await ctx.step("make", () => ({ when: new Date(0), skip: undefined, list: [1, 2] }));
        received.push(value);
        await ctx.waitForEvent("go", { key: "values-go" });
        return value;
      });
      const { engine, settle } = harness([wf]);
      const { id } = await engine.start(wf, {});
      await settle(id);
      await engine.signal("values-go", null);
      await settle(id);
      expect(received).toEqual([
        { when: "1970-01-01T00:00:00.000Z", list: [1, 2] },
        { when: "1970-01-01T00:00:00.000Z", list: [1, 2] },
      ]);
    });

    it("large results go to the artifact store and the journal keeps their sha256", async () => {
      const big = "x".repeat(2_000);
      const wf = workflow("big", async (ctx) => {
        const value = await ctx.step("big", () => big);
        await ctx.waitForEvent("go", { key: "big-go" });
        return value.length;
      });
      const { engine, settle } = harness([wf], { artifactThreshold: 1_000 });
      const { id } = await engine.start(wf, {});
      await settle(id);
      const completed = (await engine.events(id)).find((e) => e.type === "step_completed");
      expect(completed).toMatchObject({ resultRef: expect.stringMatching(/^[0-9a-f]{64}$/) });
      expect(completed).not.toHaveProperty("result");
      await engine.signal("big-go", null);
      expect((await settle(id)).output).toBe(2_000);
    });

    it("an unresolved wait suspends the run: nothing runs until it is woken", async () => {
      const wf = workflow("suspends", async (ctx) => ctx.waitForEvent("go", { key: "suspend-go" }));
      const { engine, store } = harness([wf]);
      const { id } = await engine.start(wf, {});
      const outcome = await engine.execute(id);
      expect(outcome?.status).toBe("waiting");
      const record = await store.getRun(id);
      expect(record).toMatchObject({ status: "waiting" });
      expect(record?.readyAt).toBeUndefined();
      expect(record?.leaseOwner).toBeUndefined();
    });

    it("an event sent before the run waits is kept in the inbox and delivered", async () => {
      const wf = workflow("early", async (ctx) => {
        await ctx.step("first", () => 1);
        return ctx.waitForEvent("paid", { key: "early-paid" });
      });
      const { engine, settle } = harness([wf]);
      await engine.signal("early-paid", { amount: 5 });
      const { id } = await engine.start(wf, {});
      const run = await settle(id);
      expect(run.status).toBe("completed");
      expect(run.output).toEqual({ amount: 5 });
    });

    it("a child has a deterministic id, and a parent that crashed after spawning it finds it instead of a twin", async () => {
      const child = workflow("child", async (ctx, input: { n: number }) => ctx.step("double", () => input.n * 2));
      const parent = workflow("parent", async (ctx) => ctx.child("kid", child, { n: 21 }));
      const { engine, store, settle } = harness([parent, child]);
      const { id } = await engine.start(parent, {});
      const { childRunId } = await import("../../src/core/index.js");
      const expectedChild = childRunId(id as never, "kid#0" as never);
      // The parent created its child, then died before journaling child_started.
      await store.createRun({
        id: expectedChild,
        workflow: "child",
        version: child.version,
        input: { n: 21 },
        tenant: "default",
        options: {},
        parentRunId: id,
      });
      const run = await settle(id);
      expect(run.status).toBe("completed");
      expect(run.output).toBe(42);
      expect(run.steps.find((s) => s.key === "kid#0")?.childRunId).toBe(expectedChild);
      const children = await store.listRuns({ parentRunId: id });
      expect(children.runs.map((r) => r.id)).toEqual([expectedChild]);
    });

    it("starting is idempotent by id and by idempotency key", async () => {
      const wf = workflow("idem", async () => "x");
      const { engine, store } = harness([wf]);
      const first = await engine.start(wf, {}, { idempotencyKey: "order-7" });
      const second = await engine.start(wf, {}, { idempotencyKey: "order-7" });
      expect(second).toMatchObject({ id: first.id, created: false });
      const byId = await engine.start(wf, {}, { id: "my-run" });
      expect(await engine.start(wf, {}, { id: "my-run" })).toMatchObject({ id: byId.id, created: false });
      expect((await store.listRuns()).runs).toHaveLength(2);
    });

    it("Promise.all over steps runs them concurrently and journals them in call order", async () => {
      let running = 0;
      let peak = 0;
      const slow = (value: string) => async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((resolve) => setTimeout(resolve, 20));
        running--;
        return value;
      };
      const wf = workflow("parallel", async (ctx) =>
        Promise.all([ctx.step("a", slow("A")), ctx.step("b", slow("B")), ctx.step("c", slow("C"))]),
      );
      const { engine, settle } = harness([wf]);
      const { id } = await engine.start(wf, {});
      const run = await settle(id);
      expect(run.output).toEqual(["A", "B", "C"]);
      expect(peak).toBe(3);
      const starts = (await engine.events(id))
        .filter((e) => e.type === "step_started")
        .map((e) => (e.type === "step_started" ? e.key : ""));
      expect(starts).toEqual(["a#0", "b#0", "c#0"]);
    });

    it("a race between steps replays with the same winner", async () => {
      const winners: string[] = [];
      const wf = workflow("race", async (ctx) => {
        const winner = await Promise.race([
          ctx.step("slow", async () => {
            await new Promise((resolve) => setTimeout(resolve, 30));
            return "slow";
          }),
          ctx.step("fast", () => "fast"),
        ]);
        winners.push(winner);
        await ctx.waitForEvent("go", { key: "race-go" });
        return winner;
      });
      const { engine, settle } = harness([wf]);
      const { id } = await engine.start(wf, {});
      await settle(id);
      await engine.signal("race-go", null);
      await settle(id);
      expect(winners).toEqual(["fast", "fast"]);
    });

    it("now, random and uuid are journaled: a replay sees the same values", async () => {
      const seen: unknown[] = [];
      const wf = workflow("values-journaled", async (ctx) => {
        seen.push([ctx.now().toISOString(), ctx.random(), ctx.uuid()]);
        await ctx.waitForEvent("go", { key: "vj-go" });
        return "ok";
      });
      const { engine, settle, clock } = harness([wf]);
      const { id } = await engine.start(wf, {});
      await settle(id);
      clock.advance(60_000);
      await engine.signal("vj-go", null);
      await settle(id);
      expect(seen).toHaveLength(2);
      expect(seen[1]).toEqual(seen[0]);
      expect((seen[0] as string[])[0]).toBe(new Date(clock.now() - 60_000).toISOString());
    });
  });

  describe("call order", () => {
    // The journal holds a run's durable calls in the order the code made them, whatever each call's own I/O takes
    // (a child's createRun, a value's recording): a replay matches calls to the journal by position.
    const leaf = workflow("order-leaf", { version: "1" }, async (ctx, input: { n: number }) => ctx.step("k", () => input.n));

    async function startedOrder(engine: Awaited<ReturnType<typeof harness>>["engine"], id: string): Promise<string[]> {
      const opened = new Set<string>();
      for (const e of await engine.events(id)) {
        if (
          (e.type === "step_started" || e.type === "child_started" || e.type === "wait_started" || e.type === "value_recorded") &&
          !opened.has(e.key)
        )
          opened.add(e.key);
      }
      return [...opened];
    }

    it("parallel children, steps and waits are journaled in call order and replay after a wait", async () => {
      const parent = workflow("order-parent", { version: "1" }, async (ctx, input: { children: number }) => {
        const results = await Promise.all([
          ...Array.from({ length: input.children }, (_, n) => ctx.child(`c${n}`, leaf, { n })),
          ctx.step("s", () => 100),
          ctx.sleep("nap", "1ms"),
        ]);
        const t = ctx.now().getTime();
        await ctx.waitForEvent("go", { key: `order-go-${ctx.runId}` });
        return { total: (results as Array<number | undefined>).reduce<number>((a, b) => a + (b ?? 0), 0), t: typeof t };
      });
      const { engine, store, settle, clock } = harness([parent, leaf]);
      // Children are created in reverse call order, as a busy connection pool can do.
      const createRun = store.createRun.bind(store);
      let pending = 0;
      store.createRun = async (run) => {
        const delay = 40 - pending++ * 5;
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, delay)));
        return createRun(run);
      };
      const { id } = await engine.start(parent, { children: 6 });
      await settle(id);
      clock.advance(10);
      const waiting = await settle(id);
      expect(waiting.status).toBe("waiting");
      expect(await startedOrder(engine, id)).toEqual(["c0#0", "c1#0", "c2#0", "c3#0", "c4#0", "c5#0", "s#0", "nap#0", "$now#0", "go#0"]);
      await engine.signal(`order-go-${id}`, {});
      const done = await settle(id);
      expect(done.error).toBeUndefined();
      expect(done.output).toEqual({ total: 115, t: "number" });
    });

    it("a value made right after the last replayed result is journaled after the calls made before it", async () => {
      const wf = workflow("order-value", { version: "1" }, async (ctx) => {
        await ctx.step("a", () => 1);
        const b = ctx.step("b", () => 2);
        const t = ctx.now().getTime();
        await b;
        await ctx.waitForEvent("go", { key: `value-go-${ctx.runId}` });
        return typeof t;
      });
      const { engine, store, settle } = harness([wf]);
      const { id } = await engine.start(wf, {});
      // An earlier invocation journaled "a" and stopped: the next one replays it, then the code runs on live.
      const lease = await store.claimRun(id, "earlier-worker", 1_000);
      if (!lease) throw new Error("claim failed");
      await store.append(
        id,
        [
          { type: "step_started", key: "a#0", attempt: 1 },
          { type: "step_completed", key: "a#0", result: 1 },
        ],
        { lease, expectedSeq: 1 },
      );
      await store.release(lease);
      expect((await settle(id)).status).toBe("waiting");
      expect(await startedOrder(engine, id)).toEqual(["a#0", "b#0", "$now#0", "go#0"]);
      await engine.signal(`value-go-${id}`, {});
      expect((await settle(id)).output).toBe("number");
    });

    it("branches that take different numbers of turns between durable calls replay in the order they ran live", async () => {
      const wf = workflow("order-turns", { version: "1" }, async (ctx) => {
        const slow = async () => {
          await ctx.step("a", () => 1);
          for (let i = 0; i < 5; i++) await null;
          return ctx.step("a2", () => 2);
        };
        const fast = async () => {
          await ctx.step("b", () => 3);
          return ctx.step("b2", () => 4);
        };
        const results = await Promise.all([slow(), fast()]);
        await ctx.waitForEvent("go", { key: `turns-go-${ctx.runId}` });
        return results;
      });
      const { engine, settle } = harness([wf]);
      const { id } = await engine.start(wf, {});
      expect((await settle(id)).status).toBe("waiting");
      await engine.signal(`turns-go-${id}`, {});
      const done = await settle(id);
      expect(done.error).toBeUndefined();
      expect(done.output).toEqual([2, 4]);
    });

    it("a child created by an invocation that died before journaling it is cancelled with its parent", async () => {
      const slowLeaf = workflow("order-slow-leaf", { version: "1" }, async (ctx) => ctx.waitForEvent("never", { key: "never" }));
      const parent = workflow("order-orphan", { version: "1" }, async (ctx) => ctx.child("c", slowLeaf, {}));
      const { engine, store, settle, clock } = harness([parent]);
      const append = store.append.bind(store);
      let failed = false;
      store.append = async (runId, events, commit) => {
        if (!failed && events.some((e) => e.type === "child_started")) {
          failed = true;
          throw new Error("connection lost");
        }
        return append(runId, events, commit);
      };
      const { id } = await engine.start(parent, {});
      await expect(engine.execute(id)).rejects.toThrow("connection lost");
      const child = childRunId(id as never, "c#0" as never);
      expect((await store.getRun(child))?.status).toBe("queued");
      await store.requestCancel(id, "stop");
      clock.advance(11_000);
      expect((await settle(id)).status).toBe("cancelled");
      expect((await store.getRun(child))?.status).toBe("cancelled");
    });

    it("a child whose input its schema refuses fails the call the same way live and on replay", async () => {
      const strict = workflow("order-strict", { version: "1", input: z.object({ n: z.number() }) }, async (_ctx, input) => input.n);
      const parent = workflow("order-refused", { version: "1" }, async (ctx) => {
        const [bad, good] = await Promise.allSettled([ctx.child("bad", strict, { n: "x" } as never), ctx.step("after", () => 1)]);
        await ctx.waitForEvent("go", { key: `refused-go-${ctx.runId}` });
        return { bad: bad.status === "rejected" ? (bad.reason as { code: string }).code : "ok", good: good.status };
      });
      const { engine, store, settle } = harness([parent, strict]);
      const { id } = await engine.start(parent, {});
      expect((await settle(id)).status).toBe("waiting");
      await engine.signal(`refused-go-${id}`, {});
      const done = await settle(id);
      expect(done.output).toEqual({ bad: "child_failed", good: "fulfilled" });
      // Refused before it existed: no child run was created for the call.
      expect(await store.getRun(childRunId(id as never, "bad#0" as never))).toBeUndefined();
    });
  });

  describe("retries", () => {
    it("a retry due later is journaled with its time and survives a restart", async () => {
      let attempts = 0;
      const wf = workflow("flaky", async (ctx) =>
        ctx.step(
          "call",
          () => {
            attempts++;
            if (attempts < 3) throw new Error(`try ${attempts} failed`);
            return "finally";
          },
          { retry: { maxAttempts: 5, initialDelay: "10m", backoffFactor: 1, maxDelay: "1h" } },
        ),
      );
      const { engine, settle, clock, store } = harness([wf]);
      const { id } = await engine.start(wf, {});
      let run = await settle(id);
      expect(run.status).toBe("waiting");
      expect(run.steps[0]).toMatchObject({ status: "retrying", attempts: 1, retryAt: new Date(clock.now() + 600_000).toISOString() });
      expect((await store.getRun(id))?.readyAt).toBe(clock.now() + 600_000);
      // Not due yet: a claim finds nothing.
      expect(await store.claim({ workerId: "w", limit: 10, leaseMs: 1000, workflows: ["flaky"] })).toEqual([]);
      clock.advance(600_000);
      run = await settle(id);
      expect(run.steps[0]).toMatchObject({ status: "retrying", attempts: 2 });
      clock.advance(600_000);
      run = await settle(id);
      expect(run).toMatchObject({ status: "completed", output: "finally" });
      expect(attempts).toBe(3);
    });

    it("NonRetryableError fails the step at once; the run fails with the step's error", async () => {
      let attempts = 0;
      const wf = workflow("declined", async (ctx) =>
        ctx.step("charge", () => {
          attempts++;
          throw new NonRetryableError("card declined");
        }),
      );
      const { engine, settle } = harness([wf]);
      const { id } = await engine.start(wf, {});
      const run = await settle(id);
      expect(attempts).toBe(1);
      expect(run.status).toBe("failed");
      expect(run.error).toMatchObject({
        code: "step_failed",
        details: { step: "charge#0", error: { code: "non_retryable", message: "card declined" } },
      });
    });

    it("the workflow can catch a failed step and go on", async () => {
      const wf = workflow("fallback", async (ctx) => {
        try {
          await ctx.step("primary", () => {
            throw new NonRetryableError("down");
          });
        } catch (error) {
          return ctx.step("fallback", () => `used fallback after ${(error as Error).message}`);
        }
        return "primary";
      });
      const { engine, settle } = harness([wf]);
      const { id } = await engine.start(wf, {});
      expect((await settle(id)).output).toBe('used fallback after step "primary#0" failed: down');
    });

    it("a step timeout aborts the attempt and retries it", async () => {
      const signals: AbortSignal[] = [];
      const wf = workflow("slowstep", async (ctx) =>
        ctx.step(
          "slow",
          async ({ attempt, signal }) => {
            signals.push(signal);
            if (attempt === 1) await new Promise((resolve) => setTimeout(resolve, 500));
            return attempt;
          },
          { timeout: "20ms", retry: { maxAttempts: 2, initialDelay: 0 } },
        ),
      );
      const { engine, settle } = harness([wf]);
      const { id } = await engine.start(wf, {});
      const run = await settle(id);
      expect(run.output).toBe(2);
      expect(signals[0]?.aborted).toBe(true);
      expect(run.steps[0]?.attempts).toBe(2);
    });
  });
});
