// What a step may throw and return, and what happens to an attempt that never finished: every thrown value becomes
// a journaled, coded, bounded failure; a non-JSON result is refused; the poison-step rule ends a step whose
// attempts all died with their process.
import { DuroError, type JournalEvent, workflow } from "duro";
import { describe, expect, it } from "vitest";
import { ERROR_DETAILS_MAX_CHARS, ERROR_MESSAGE_MAX_CHARS } from "../../src/core/index.js";
import { buildTranscript, formatTimeline } from "../../src/observe/index.js";
import { harness as makeHarness, STORES } from "../support/engine.js";

function circular(): Record<string, unknown> {
  const o: Record<string, unknown> = { name: "loop" };
  o.self = o;
  return o;
}

function throwingGetters(): object {
  return Object.defineProperty({ ok: 1 }, "bad", {
    enumerable: true,
    get() {
      throw new Error("getter exploded");
    },
  });
}

// [what is thrown, a fragment the journaled message must hold]
const THROWN: Array<[string, () => unknown, string]> = [
  ["a BigInt", () => 5n, "5n"],
  ["a circular object", circular, "[circular]"],
  ["null", () => null, "null"],
  ["undefined", () => undefined, "undefined"],
  ["a Symbol", () => Symbol("boom"), "Symbol(boom)"],
  ["a function", () => function launch() {}, "[function launch]"],
  ["an object whose getter throws", throwingGetters, "getter exploded"],
  ["a Map", () => new Map([["k", 1n]]), '"k":"1n"'],
];

describe.each(STORES)("%s store", (kind) => {
  const harness = (...args: Parameters<typeof makeHarness> extends [unknown, ...infer R] ? R : never) => makeHarness(kind, ...args);

  const failedSteps = (events: JournalEvent[]) => events.flatMap((e) => (e.type === "step_failed" ? [e] : []));

  describe("thrown values", () => {
    for (const [what, make, fragment] of THROWN) {
      it(`a step that throws ${what} fails with a journaled step_error describing it`, async () => {
        const wf = workflow("throws", async (ctx) => {
          await ctx.step(
            "bad",
            () => {
              throw make();
            },
            { retry: { maxAttempts: 1 } },
          );
        });
        const { engine, settle } = harness([wf]);
        const { id } = await engine.start(wf, {});
        const run = await settle(id);
        expect(run.status).toBe("failed");
        const [failed] = failedSteps(await engine.events(id));
        expect(failed?.error.code).toBe("step_error");
        expect(failed?.error.message).toContain(fragment);
      });
    }

    it("a DuroError whose details hold a BigInt and a cycle is journaled with its code and described details", async () => {
      const wf = workflow("duro-details", async (ctx) => {
        await ctx.step("bad", () => {
          throw new DuroError("card_declined", "the card was declined", {
            category: "step",
            details: { amount: 1200n, context: circular() },
          });
        });
      });
      const { engine, settle } = harness([wf]);
      const { id } = await engine.start(wf, {});
      expect((await settle(id)).status).toBe("failed");
      const [failed] = failedSteps(await engine.events(id));
      expect(failed?.error).toMatchObject({
        code: "card_declined",
        details: { amount: "1200n", context: { name: "loop", self: "[circular]" } },
      });
    });

    it("a huge message and huge details are cut to the journal's bounds, saying how much was left out", async () => {
      const wf = workflow("huge", async (ctx) => {
        await ctx.step("bad", () => {
          throw new DuroError("too_much", "x".repeat(1_000_000), {
            category: "step",
            details: { rows: Array.from({ length: 90 }, (_, i) => `${i}`.repeat(1_000)) },
          });
        });
      });
      const { engine, settle } = harness([wf]);
      const { id } = await engine.start(wf, {});
      expect((await settle(id)).status).toBe("failed");
      const [failed] = failedSteps(await engine.events(id));
      expect(failed?.error.message.length).toBeLessThan(ERROR_MESSAGE_MAX_CHARS + 100);
      expect(failed?.error.message).toContain(`(${1_000_000 - ERROR_MESSAGE_MAX_CHARS} more characters)`);
      expect(JSON.stringify(failed?.error.details).length).toBeLessThan(ERROR_DETAILS_MAX_CHARS);
      expect(failed?.error.details?.truncated).toMatch(/characters of JSON/);
    });
  });

  describe("results that are not JSON", () => {
    const returned: Array<[string, () => unknown, string]> = [
      ["a Map", () => new Map([["a", 1]]), "a Map"],
      ["a Set inside an object", () => ({ when: new Date(0), tags: new Set(["x"]) }), "a Set at $.tags"],
      ["a function", () => () => 1, "a function"],
      ["a class instance without toJSON", () => [new (class Order {})()], "an instance of Order at $[0]"],
      ["NaN", () => ({ total: Number.NaN }), "NaN at $.total"],
    ];
    for (const [what, make, fragment] of returned) {
      it(`a step that returns ${what} fails with result_not_serializable instead of journaling {}`, async () => {
        const wf = workflow("returns", async (ctx) => ctx.step("bad", () => make()));
        const { engine, settle } = harness([wf]);
        const { id } = await engine.start(wf, {});
        expect((await settle(id)).status).toBe("failed");
        const [failed] = failedSteps(await engine.events(id));
        expect(failed?.error.code).toBe("result_not_serializable");
        expect(failed?.error.message).toContain(fragment);
      });
    }

    it("a Date is journaled as its ISO string and undefined properties are left out", async () => {
      const wf = workflow("dates", async (ctx) => ctx.step("ok", () => ({ when: new Date(0), gone: undefined })));
      const { engine, settle } = harness([wf]);
      const { id } = await engine.start(wf, {});
      const run = await settle(id);
      expect(run.status).toBe("completed");
      expect(run.output).toEqual({ when: "1970-01-01T00:00:00.000Z" });
    });
  });

  describe("attempts that never finished", () => {
    /** Journals `attempts` starts of `key` as dead workers would (each died during its attempt). */
    async function dieDuring(h: ReturnType<typeof harness>, id: string, key: string, attempts: number) {
      for (let attempt = 1; attempt <= attempts; attempt++) {
        const lease = await h.store.claimRun(id, `dead-worker-${attempt}`, 1_000);
        if (!lease) throw new Error("claim failed");
        const head = await h.store.head(id);
        const events =
          attempt === 1
            ? [{ type: "step_started" as const, key, attempt }]
            : [
                { type: "attempt_orphaned" as const, key, attempt: attempt - 1 },
                { type: "step_started" as const, key, attempt },
              ];
        await h.store.append(id, events, { lease, expectedSeq: head });
        await h.store.release(lease);
      }
    }

    it("a resume journals attempt_orphaned for the interrupted attempt before retrying it", async () => {
      const wf = workflow("orphan", async (ctx) => ctx.step("pay", () => "paid"));
      const h = harness([wf]);
      const { id } = await h.engine.start(wf, {});
      await dieDuring(h, id, "pay#0", 1);
      expect((await h.settle(id)).status).toBe("completed");
      const steps = (await h.engine.events(id)).filter((e) => e.type !== "run_created" && e.type !== "run_completed");
      expect(steps.map((e) => [e.type, "attempt" in e ? e.attempt : undefined])).toEqual([
        ["step_started", 1],
        ["attempt_orphaned", 1],
        ["step_started", 2],
        ["step_completed", undefined],
      ]);
      // The timeline and the transcript show what happened to attempt 1.
      const events = await h.engine.events(id);
      expect(formatTimeline(id, events)).toContain("attempt 1 failed [attempt_orphaned: the process died during it]");
      const line = buildTranscript(id, events).lines.find((l) => l.status === "orphaned");
      expect(line).toMatchObject({ step: "pay#0", attempt: 1, error: { code: "attempt_orphaned" } });
    });

    it("a step whose process died during each of its maxAttempts attempts fails with attempts_exhausted and is not run again", async () => {
      let ran = 0;
      const wf = workflow("poisoned", async (ctx) =>
        ctx.step(
          "boom",
          () => {
            ran++;
            return "never";
          },
          { retry: { maxAttempts: 2 } },
        ),
      );
      const h = harness([wf]);
      const { id } = await h.engine.start(wf, {});
      await dieDuring(h, id, "boom#0", 2);
      const run = await h.settle(id);
      expect(run.status).toBe("failed");
      expect(ran).toBe(0);
      const events = await h.engine.events(id);
      expect(events.filter((e) => e.type === "attempt_orphaned").map((e) => ("attempt" in e ? e.attempt : 0))).toEqual([1, 2]);
      const [failed] = failedSteps(events);
      expect(failed?.error).toMatchObject({ code: "attempts_exhausted", details: { attempts: 2, died: 2, maxAttempts: 2 } });
      expect(failed?.error.message).toContain("the process died during it 2 time(s)");
    });
  });
});
