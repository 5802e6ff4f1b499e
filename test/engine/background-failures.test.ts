// Background work of an invocation (looking for a wait's message, running a child inline) can meet a database that
// is away for a moment. That ends the invocation, as a failed commit does; it must never fail the run itself.
import { DuroError, NonRetryableError, workflow } from "duro";
import { describe, expect, it } from "vitest";
import type { Store } from "../../src/store/index.js";
import { harness, STORES } from "../support/engine.js";

/** Makes the store's next `times` calls of `method` fail as an unreachable database does. */
function failNext(store: Store, method: "peekInbox", times: number): void {
  const original = store[method].bind(store);
  let left = times;
  store[method] = (async (...args: Parameters<Store[typeof method]>) => {
    if (left-- > 0) throw new DuroError("db_unavailable", "cannot reach the database (injected)", { category: "storage", retryable: true });
    return original(...args);
  }) as Store[typeof method];
}

describe.each(STORES)("%s store", (kind) => {
  it("a storage failure while looking for a wait's event ends the invocation; the run stays running and completes on the next claim", async () => {
    const wf = workflow("inbox-outage", async (ctx) => ctx.waitForEvent("e", { key: "k:outage" }));
    const { engine, store, clock, settle } = harness(kind, [wf]);
    // Parked before the wait exists, so the wait looks for it as soon as it starts.
    await engine.signal("k:outage", "hello");
    const { id } = await engine.start(wf, {});
    failNext(store, "peekInbox", 1);
    await expect(engine.execute(id)).rejects.toMatchObject({ code: "db_unavailable" });
    const events = await engine.events(id);
    expect(events.some((e) => e.type === "run_failed")).toBe(false);
    expect((await engine.get(id)).status).toBe("running");
    clock.advance(10_001);
    expect(await settle(id)).toMatchObject({ status: "completed", output: "hello" });
  });
});

describe.each(STORES)("%s store: a failing parent's children", (kind) => {
  it("are cancelled before the parent's end is committed, so an invocation that dies in between leaves none orphaned", async () => {
    const waiter = workflow("waiter", async (ctx) => ctx.waitForEvent("never", { key: "k:never" }));
    const parent = workflow("doomed-parent", async (ctx) => {
      const child = ctx.child("c", waiter, {});
      await ctx.step("boom", () => {
        throw new NonRetryableError("boom");
      });
      return child;
    });
    const { engine, store, clock, settle } = harness(kind, [parent, waiter]);
    const { id } = await engine.start(parent, {});
    // The children lookup is where the invocation dies (as a process killed there would).
    const listRuns = store.listRuns.bind(store);
    let failures = 1;
    store.listRuns = async (query) => {
      if (query?.parentRunId && failures-- > 0)
        throw new DuroError("db_unavailable", "cannot reach the database (injected)", { category: "storage" });
      return listRuns(query);
    };
    await expect(engine.execute(id)).rejects.toMatchObject({ code: "db_unavailable" });
    clock.advance(10_001);
    expect((await settle(id)).status).toBe("failed");
    // A child still executing when it was cancelled ends at its next claim; one nobody cancelled would wait for ever.
    clock.advance(10_001);
    const children = (await store.listRuns({ parentRunId: id })).runs;
    const ended = await Promise.all(children.map(async (child) => (await settle(child.id)).status));
    expect(ended).toEqual(["cancelled"]);
  });
});
