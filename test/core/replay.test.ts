import { describe, expect, it } from "vitest";
import { divergenceError, type EventBody, foldJournal, type JournalEvent, type OpRequest, Replayer } from "../../src/core/index.js";

function stateOf(...bodies: EventBody[]) {
  const created: EventBody = { type: "run_created", workflow: "w", version: "1", input: null, tenant: "default", options: {} };
  const events = [created, ...bodies].map((b, i) => ({ ...b, seq: i + 1, at: "2025-01-01T00:00:00.000Z" }) as JournalEvent);
  return foldJournal("r1", events);
}

describe("Replayer", () => {
  it("hands back settled results only in journal order and only once asked for", () => {
    const state = stateOf(
      { type: "step_started", key: "a#0", attempt: 1 },
      { type: "step_started", key: "b#0", attempt: 1 },
      { type: "step_completed", key: "b#0", result: "B" },
      { type: "step_completed", key: "a#0", result: "A" },
    );
    const live: OpRequest[] = [];
    const replayer = new Replayer(state, { live: (r) => live.push(r), value: () => 0, mark: () => undefined, diverged: () => undefined });
    const settle = (request: OpRequest, op: { result?: unknown }) => request.resolve(op.result);
    expect(replayer.deliverNext(settle)).toBe(false);
    const a = replayer.request("step", "a", {});
    expect(replayer.deliverNext(settle)).toBe(false);
    const b = replayer.request("step", "b", {});
    expect(replayer.peekDelivery()?.key).toBe("b#0");
    expect(replayer.deliverNext(settle)).toBe(true);
    expect(replayer.deliverNext(settle)).toBe(true);
    expect(replayer.replaying).toBe(false);
    return expect(Promise.all([a, b])).resolves.toEqual(["A", "B"]);
  });

  it("sends calls the journal has not settled to the executor, with what it recorded", () => {
    const state = stateOf({ type: "step_started", key: "a#0", attempt: 1 });
    const live: OpRequest[] = [];
    const replayer = new Replayer(state, { live: (r) => live.push(r), value: () => 0, mark: () => undefined, diverged: () => undefined });
    void replayer.request("step", "a", {});
    void replayer.request("step", "new", {});
    expect(live.map((r) => [r.key, r.recorded?.attempts])).toEqual([
      ["a#0", 1],
      ["new#0", undefined],
    ]);
  });

  it("fails with non_determinism naming the expected and the requested key when the code asks for another step", async () => {
    const state = stateOf({ type: "step_started", key: "reserve#0", attempt: 1 }, { type: "step_completed", key: "reserve#0", result: 1 });
    const diverged: Error[] = [];
    const replayer = new Replayer(state, {
      live: () => undefined,
      value: () => 0,
      mark: () => undefined,
      diverged: (e) => diverged.push(e),
    });
    const call = replayer.request("step", "charge", {});
    await expect(call).rejects.toMatchObject({
      code: "non_determinism",
      details: { expected: "reserve#0", requested: "charge#0", position: 0 },
    });
    await expect(call).rejects.toThrow(/"reserve#0".*"charge#0"/);
    expect(diverged).toHaveLength(1);
  });

  it("records a value on first use and replays it after", () => {
    const fresh = new Replayer(stateOf(), {
      live: () => undefined,
      value: (key) => `made ${key}`,
      mark: () => undefined,
      diverged: () => undefined,
    });
    expect(fresh.value("uuid")).toBe("made $uuid#0");
    const replayed = new Replayer(stateOf({ type: "value_recorded", key: "$uuid#0", value: "from journal" }), {
      live: () => undefined,
      value: () => "new",
      mark: () => undefined,
      diverged: () => undefined,
    });
    expect(replayed.value("uuid")).toBe("from journal");
  });
});

describe("Replayer: bookmarks and domain events", () => {
  const hooks = (marks: EventBody[], diverged: Error[] = []) => ({
    live: () => undefined,
    value: () => 0,
    mark: (e: EventBody) => void marks.push(e),
    diverged: (e: Error) => void diverged.push(e),
  });

  it("journals a bookmark once and matches it on replay like any journaled call", () => {
    const marks: EventBody[] = [];
    new Replayer(stateOf(), hooks(marks)).bookmark("planned");
    expect(marks).toEqual([{ type: "bookmark", key: "$bookmark:planned#0", name: "planned" }]);
    const replayed: EventBody[] = [];
    new Replayer(stateOf(marks[0] as EventBody), hooks(replayed)).bookmark("planned");
    expect(replayed).toEqual([]);
  });

  it("fails with non_determinism when the code asks for another bookmark than the journal holds", () => {
    const diverged: Error[] = [];
    const replayer = new Replayer(stateOf({ type: "bookmark", key: "$bookmark:a#0", name: "a" }), hooks([], diverged));
    expect(() => replayer.bookmark("b")).toThrow(/"\$bookmark:a#0".*"\$bookmark:b#0"/);
    expect(diverged).toHaveLength(1);
  });

  it("skips an emit the journal holds and journals a new one, wherever it is, without taking a position", async () => {
    const state = stateOf(
      { type: "domain_event", key: "$emit:shipped#0", name: "shipped", data: 1 },
      { type: "step_started", key: "a#0", attempt: 1 },
      { type: "step_completed", key: "a#0", result: "A" },
    );
    const marks: EventBody[] = [];
    const diverged: Error[] = [];
    const replayer = new Replayer(state, hooks(marks, diverged));
    replayer.emit("added", { n: 1 });
    replayer.emit("shipped", 1);
    const a = replayer.request("step", "a", {});
    replayer.emit("shipped", 2);
    expect(replayer.deliverNext((request, op) => request.resolve(op.result))).toBe(true);
    await expect(a).resolves.toBe("A");
    expect(diverged).toEqual([]);
    expect(marks).toEqual([
      { type: "domain_event", key: "$emit:added#0", name: "added", data: { n: 1 } },
      { type: "domain_event", key: "$emit:shipped#1", name: "shipped", data: 2 },
    ]);
  });

  it("refuses a bookmark or an emit without a name", () => {
    const replayer = new Replayer(stateOf(), hooks([]));
    expect(() => replayer.bookmark("")).toThrow(expect.objectContaining({ code: "invalid_name" }));
    expect(() => replayer.emit("", 1)).toThrow(expect.objectContaining({ code: "invalid_name" }));
  });
});

describe("divergenceError", () => {
  it("says where the code left its journal, at a call or past the end of its calls, and how to fix it", () => {
    const atCall = divergenceError("r1", { position: 2, expected: "a#0", requested: "b#0" });
    expect(atCall.message).toBe(
      'run r1 diverged from its journal at call 3: the journal has "a#0" but the code asked for "b#0". ' +
        "The workflow's code changed while this run was in flight; give the new code a new `version` so old runs keep the old code, or use a patch.",
    );
    const past = divergenceError("r1", { position: -1, expected: "a#0", requested: "nothing more: the code returned" });
    expect(past.message).toBe(
      'run r1 diverged from its journal: the journal\'s next result is for "a#0" but the code asked for nothing more: the code returned. ' +
        "The workflow's code changed while this run was in flight; give the new code a new `version` so old runs keep the old code.",
    );
    expect(past).toMatchObject({ code: "non_determinism", details: { runId: "r1", position: -1, expected: "a#0" } });
  });
});
