// ctx.bookmark and ctx.emit: bookmarks are journaled calls matched on replay, domain events are facts replay skips,
// and a fork from a bookmark replays the journal up to it and runs the rest anew.
import { forkRun, formatTimeline, type WorkflowContext, workflow } from "duro";
import { describe, expect, it } from "vitest";
import { harness, STORES } from "../support/engine.js";

const executed = { a: 0, b: 0, c: 0 };

const planned = workflow("planned", async (ctx: WorkflowContext, input: { n: number }) => {
  const a = await ctx.step("a", () => {
    executed.a++;
    return input.n + 1;
  });
  ctx.bookmark("after-a");
  ctx.emit("a.done", { a });
  const b = await ctx.step("b", () => {
    executed.b++;
    return a * 10;
  });
  const go = await ctx.waitForEvent<number>("go", { key: `go-${input.n}` });
  return ctx.step("c", () => {
    executed.c++;
    return b + go;
  });
});

/** Emits only while `emits` is true: the same run replayed by code with and without them. */
let emits = false;
const changing = workflow("changing", async (ctx: WorkflowContext, input: { key: string }) => {
  if (emits) ctx.emit("started", { key: input.key });
  const first = await ctx.waitForEvent<string>("first", { key: input.key });
  if (emits) ctx.emit("got", { first });
  return ctx.step("done", () => `${first}!`);
});

const catching = workflow("catching", async (ctx: WorkflowContext) => {
  const codes: string[] = [];
  const attempt = (f: () => void) => {
    try {
      f();
    } catch (error) {
      codes.push((error as { code: string }).code);
    }
  };
  attempt(() => ctx.emit("bad", { when: new Map() }));
  attempt(() => ctx.emit("big", "x".repeat(70_000)));
  attempt(() => ctx.emit("", 1));
  attempt(() => ctx.bookmark(""));
  ctx.emit("fine", { when: new Date(0) });
  return codes;
});

describe.each(STORES)("bookmarks and domain events on the %s store", (kind) => {
  it("journals a bookmark and a domain event once, across a replay, and lists the bookmark with the step before it", async () => {
    const { engine, store, settle } = harness(kind, [planned]);
    const run = await engine.start(planned, { n: 1 });
    expect(await settle(run.id)).toMatchObject({ status: "waiting" });
    await engine.signal("go-1", 5);
    const done = await settle(run.id);
    expect(done).toMatchObject({ status: "completed", output: 25 });
    const events = await store.read(run.id);
    expect(events.filter((e) => e.type === "bookmark")).toEqual([
      expect.objectContaining({ type: "bookmark", key: "$bookmark:after-a#0", name: "after-a" }),
    ]);
    expect(events.filter((e) => e.type === "domain_event")).toEqual([
      expect.objectContaining({ type: "domain_event", key: "$emit:a.done#0", name: "a.done", data: { a: 2 } }),
    ]);
    const seq = events.find((e) => e.type === "bookmark")?.seq;
    expect(done.bookmarks).toEqual([{ name: "after-a", ref: "after-a#0", seq, at: expect.any(String), after: "a#0" }]);
    const timeline = formatTimeline(run.id, events);
    expect(timeline).toMatch(/⚑ bookmark after-a \(seq \d+\)[\s\S]*◆ event a\.done[\s\S]*b#0/);
  });

  it("adding or removing emits in the code does not make runs in flight diverge", async () => {
    const { engine, store, settle } = harness(kind, [changing]);
    emits = false;
    const added = await engine.start(changing, { key: "k-added" });
    await settle(added.id);
    emits = true;
    const removed = await engine.start(changing, { key: "k-removed" });
    await settle(removed.id);
    await engine.signal("k-added", "x");
    expect(await settle(added.id)).toMatchObject({ status: "completed", output: "x!" });
    emits = false;
    await engine.signal("k-removed", "y");
    expect(await settle(removed.id)).toMatchObject({ status: "completed", output: "y!" });
    const names = async (id: string) => (await store.read(id)).flatMap((e) => (e.type === "domain_event" ? [e.name] : []));
    // The run that started without emits journals the ones its replay reaches; the other keeps the one it made.
    expect(await names(added.id)).toEqual(["started", "got"]);
    expect(await names(removed.id)).toEqual(["started"]);
  });

  it("refuses an emit of data that is not plain JSON or too large, and an empty name, at the call; the run goes on", async () => {
    const { engine, store, settle } = harness(kind, [catching]);
    const run = await engine.start(catching, {});
    expect(await settle(run.id)).toMatchObject({
      status: "completed",
      output: ["domain_event_invalid", "domain_event_too_large", "invalid_name", "invalid_name"],
    });
    const emitted = (await store.read(run.id)).filter((e) => e.type === "domain_event");
    expect(emitted).toEqual([expect.objectContaining({ name: "fine", data: { when: "1970-01-01T00:00:00.000Z" } })]);
  });

  it("a fork from a bookmark replays what came before it and runs only what follows", async () => {
    const { engine, store, settle } = harness(kind, [planned]);
    Object.assign(executed, { a: 0, b: 0, c: 0 });
    const origin = await engine.start(planned, { n: 2 });
    await settle(origin.id);
    await engine.signal("go-2", 1);
    expect(await settle(origin.id)).toMatchObject({ status: "completed", output: 31 });
    const originEvents = await store.read(origin.id);
    const mark = originEvents.find((e) => e.type === "bookmark");

    const fork = await forkRun(store, origin.id, { fromBookmark: "after-a" });
    const forkEvents = await store.read(fork.id);
    expect(forkEvents[0]).toMatchObject({ options: { forkedFrom: origin.id, forkBookmark: "after-a", forkSeq: mark?.seq } });
    // The copied prefix is the origin's journal up to and including the bookmark.
    expect(forkEvents.slice(1).map((e) => e.type)).toEqual(originEvents.slice(1, mark?.seq).map((e) => e.type));
    await settle(fork.id);
    await engine.signal("go-2", 7);
    expect(await settle(fork.id)).toMatchObject({ status: "completed", output: 37 });
    expect(executed).toEqual({ a: 1, b: 2, c: 2 });
    const replayed = await store.read(fork.id);
    expect(replayed.filter((e) => e.type === "bookmark")).toHaveLength(1);
    expect(replayed.filter((e) => e.type === "domain_event")).toHaveLength(1);
  });

  it("refuses a fork from an unknown bookmark, naming the run's bookmarks, and one given a step and a bookmark", async () => {
    const { engine, store, settle } = harness(kind, [planned]);
    const origin = await engine.start(planned, { n: 3 });
    await settle(origin.id);
    await expect(forkRun(store, origin.id, { fromBookmark: "nope" })).rejects.toMatchObject({
      code: "bookmark_not_found",
      message: expect.stringContaining("its bookmarks: after-a#0"),
    });
    await expect(forkRun(store, origin.id, { fromBookmark: "after-a#1" })).rejects.toMatchObject({ code: "bookmark_not_found" });
    await expect(forkRun(store, origin.id, { fromBookmark: "after-a", fromStep: "a" })).rejects.toMatchObject({
      code: "fork_point_ambiguous",
    });
  });
});
