// Attribution and finding runs: session and actor in the runs index, the waits index's kind projected as waitingFor
// (in the commit that changes the waits), who sent a message and who asked to cancel, and filters that page.
import { beforeEach, describe, expect, it } from "vitest";
import type { EventBody } from "../../core/index.js";
import type { NewRun, Store } from "../../store/index.js";
import { type Harness, LEASE_MS } from "./harness.js";

export function findingConformance(t: Harness): void {
  let store: Store;
  beforeEach(() => ({ store } = t));
  const { newRun, startRun, commit } = t;

  /** Starts a run and suspends it on one wait of `wait`'s shape. */
  async function waitOn(
    id: string,
    wait: Omit<Extract<EventBody, { type: "wait_started" }>, "type" | "key">,
    extra?: Partial<NewRun>,
  ): Promise<void> {
    const lease = await startRun(id, extra);
    await store.append(id, [{ type: "wait_started", key: `${id}-wait`, ...wait }], commit(lease, 1, { status: "waiting", release: true }));
  }

  describe("attribution and finding runs", () => {
    it("a run's session and actor are journaled on run_created and kept in the index", async () => {
      const { run } = await store.createRun(newRun("r1", { session: "chat-7", actor: "alice" }));

      expect(run).toMatchObject({ session: "chat-7", actor: "alice" });
      expect(await store.getRun("r1")).toMatchObject({ session: "chat-7", actor: "alice" });
      expect((await store.read("r1"))[0]).toMatchObject({ type: "run_created", session: "chat-7", actor: "alice" });
    });

    it("listRuns filters by session and actor", async () => {
      await store.createRun(newRun("r1", { session: "s1", actor: "alice" }));
      await store.createRun(newRun("r2", { session: "s1", actor: "bob" }));
      await store.createRun(newRun("r3", { session: "s2", actor: "alice" }));
      await store.createRun(newRun("r4"));

      expect((await store.listRuns({ session: "s1" })).runs.map((r) => r.id)).toEqual(["r2", "r1"]);
      expect((await store.listRuns({ actor: "alice" })).runs.map((r) => r.id)).toEqual(["r3", "r1"]);
      expect((await store.listRuns({ session: "s1", actor: "alice" })).runs.map((r) => r.id)).toEqual(["r1"]);
    });

    it("waitingFor names what the newest open wait waits for, and is gone once it resolves", async () => {
      await waitOn("timer", { kind: "sleep", until: "2030-01-01T00:00:00.000Z" });
      await waitOn("event", { kind: "event", eventKey: "paid" });
      await waitOn("approval", { kind: "approval", gate: "boss", eventKey: "duro:approval:approval" });
      await waitOn("question", { kind: "ask", gate: "q", eventKey: "duro:ask:question", prompt: "?" });
      await waitOn("child", { kind: "child", eventKey: "duro:child:c1", childRunId: "c1" });
      await waitOn("limit", { kind: "event", eventKey: "limits:limit" });
      await store.createRun(newRun("queued"));

      const byKind = async (waitingFor: Parameters<Store["listRuns"]>[0] & object) =>
        (await store.listRuns(waitingFor)).runs.map((r) => r.id);
      for (const kind of ["timer", "event", "approval", "question", "child", "limit"] as const) {
        expect(await byKind({ waitingFor: kind })).toEqual([kind]);
        expect((await store.getRun(kind))?.waitingFor).toBe(kind);
      }
      expect((await store.getRun("queued"))?.waitingFor).toBeUndefined();

      const lease = await store.claimRun("event", "w1", 30_000);
      await store.append("event", [{ type: "wait_resolved", key: "event-wait", payload: null, by: "event" }], commit(lease as never, 2));
      expect((await store.getRun("event"))?.waitingFor).toBeUndefined();
      expect(await byKind({ waitingFor: "event" })).toEqual([]);
    });

    it("a run with two open waits shows the newer; when it ends it waits for nothing", async () => {
      const lease = await startRun("r1");
      await store.append(
        "r1",
        [
          { type: "wait_started", key: "a", kind: "approval", gate: "g", eventKey: "duro:approval:a" },
          { type: "wait_started", key: "t", kind: "sleep", until: "2030-01-01T00:00:00.000Z" },
        ],
        commit(lease, 1),
      );
      expect((await store.getRun("r1"))?.waitingFor).toBe("timer");
      await store.append("r1", [{ type: "wait_resolved", key: "t", payload: null, by: "timer" }], commit(lease, 3));
      expect((await store.getRun("r1"))?.waitingFor).toBe("approval");
      await store.append("r1", [{ type: "run_completed", output: null }], commit(lease, 4));
      expect((await store.getRun("r1"))?.waitingFor).toBeUndefined();
    });

    it("filtered listing pages with its cursor", async () => {
      for (let i = 1; i <= 5; i++) await store.createRun(newRun(`r${i}`, { session: i % 2 ? "odd" : "even" }));

      const first = await store.listRuns({ session: "odd", limit: 2 });
      const second = await store.listRuns({ session: "odd", limit: 2, ...(first.nextCursor ? { cursor: first.nextCursor } : {}) });

      expect(first.runs.map((r) => r.id)).toEqual(["r5", "r3"]);
      expect(second).toEqual({ runs: [expect.objectContaining({ id: "r1" })] });
    });

    it("listRuns filters by version and by a created time range (since included, until not)", async () => {
      for (const [id, version] of [
        ["r1", "1"],
        ["r2", "2"],
        ["r3", "2"],
        ["r4", "1"],
      ] as const) {
        await store.createRun(newRun(id, { version }));
        t.clock.advance(1_000);
      }
      const start = Date.UTC(2025, 0, 1);

      expect((await store.listRuns({ version: "2" })).runs.map((r) => r.id)).toEqual(["r3", "r2"]);
      expect((await store.listRuns({ since: start + 1_000, until: start + 3_000 })).runs.map((r) => r.id)).toEqual(["r3", "r2"]);
      expect((await store.listRuns({ since: start + 2_000 })).runs.map((r) => r.id)).toEqual(["r4", "r3"]);
      expect((await store.listRuns({ until: start + 1_000 })).runs.map((r) => r.id)).toEqual(["r1"]);
      expect((await store.listRuns({ version: "1", since: start + 1 })).runs.map((r) => r.id)).toEqual(["r4"]);
    });

    it("sorted by updated, the most recently changed run comes first and the cursor pages without repeats or gaps", async () => {
      for (const id of ["r1", "r2", "r3", "r4", "r5"]) {
        await store.createRun(newRun(id));
        t.clock.advance(1_000);
      }
      // r2 and r4 change later, at the same moment: their order is their position, newest first.
      for (const id of ["r2", "r4"]) {
        const lease = await store.claimRun(id, "w1", LEASE_MS);
        await store.append(id, t.step("s"), commit(lease as never, 1));
      }

      const pages: string[][] = [];
      let cursor: string | undefined;
      do {
        const page = await store.listRuns({ sort: "updated", limit: 2, ...(cursor === undefined ? {} : { cursor }) });
        pages.push(page.runs.map((r) => r.id));
        cursor = page.nextCursor;
      } while (cursor !== undefined);

      expect(pages).toEqual([["r4", "r2"], ["r5", "r3"], ["r1"]]);
      expect((await store.listRuns({ sort: "created", limit: 2 })).runs.map((r) => r.id)).toEqual(["r5", "r4"]);
    });

    // Each store may read a filtered page its own way (PostgreSQL seeks over the index that holds the filters in front
    // of the sort); every way must page through exactly the runs the unfiltered listing holds that match, in its order.
    it("every filter and pair and triple of filters pages, in both sorts, through the matching runs of the whole listing", async () => {
      const RUNS = 30;
      for (let i = 0; i < RUNS; i++) {
        const extra = { workflow: i % 2 ? "b" : "a", version: `${1 + (Math.floor(i / 2) % 2)}`, tenant: `t${1 + (i % 3)}` };
        if (i % 4 === 0) await waitOn(`r${i}`, { kind: "event", eventKey: `e${i}` }, extra);
        else await store.createRun(newRun(`r${i}`, extra));
        t.clock.advance(i % 3 === 0 ? 0 : 1_000);
      }
      // Some runs change later, several at one moment, so the sort by updated has ties to break by position.
      for (let i = 1; i < RUNS; i += 5) {
        if (i % 4 === 0) continue; // waiting, with a journal of its own
        const lease = await store.claimRun(`r${i}`, "w1", LEASE_MS);
        expect(lease, `r${i}`).toBeDefined();
        await store.append(`r${i}`, t.step("s"), commit(lease as NonNullable<typeof lease>, 1, { release: true }));
        if (i % 2 === 0) t.clock.advance(1_000);
      }
      const fields = {
        status: ["waiting", "queued"],
        workflow: ["a"],
        version: ["2"],
        tenant: ["t1", "t3"],
        waitingFor: ["event"],
      } as const;
      const filters: Array<Record<string, string>> = [];
      const names = Object.keys(fields) as Array<keyof typeof fields>;
      for (const [i, first] of names.entries()) {
        for (const value of fields[first]) {
          filters.push({ [first]: value });
          for (const [j, second] of names.slice(i + 1).entries()) {
            for (const other of fields[second]) {
              filters.push({ [first]: value, [second]: other });
              for (const third of names.slice(i + j + 2))
                for (const last of fields[third]) filters.push({ [first]: value, [second]: other, [third]: last });
            }
          }
        }
      }
      for (const sort of ["created", "updated"] as const) {
        const all = (await store.listRuns({ sort, limit: 100 })).runs;
        expect(all).toHaveLength(RUNS);
        for (const filter of filters) {
          const expected = all.filter((run) => Object.entries(filter).every(([k, v]) => run[k as keyof typeof run] === v)).map((r) => r.id);
          const paged: string[] = [];
          let cursor: string | undefined;
          do {
            const page = await store.listRuns({ ...filter, sort, limit: 4, ...(cursor === undefined ? {} : { cursor }) });
            paged.push(...page.runs.map((r) => r.id));
            cursor = page.nextCursor;
          } while (cursor !== undefined && paged.length <= RUNS);

          expect(paged, `${sort} ${JSON.stringify(filter)}`).toEqual(expected);
        }
      }
    });

    it("filter values with quotes, backslashes and percent signs match exactly, alone and together", async () => {
      const odd = { workflow: "it's a \\ path %", version: "v'1", tenant: "t\\'1" };
      await store.createRun(newRun("r1", odd));
      await store.createRun(newRun("r2", { ...odd, workflow: "it's a \\ path" }));
      await store.createRun(newRun("r3", odd));
      const ids = async (filter: Parameters<Store["listRuns"]>[0]) => (await store.listRuns(filter)).runs.map((r) => r.id);

      expect(await ids({ workflow: odd.workflow })).toEqual(["r3", "r1"]);
      expect(await ids({ workflow: odd.workflow, version: odd.version })).toEqual(["r3", "r1"]);
      expect(await ids({ tenant: odd.tenant, workflow: odd.workflow, sort: "updated" })).toEqual(["r3", "r1"]);
      const first = await store.listRuns({ tenant: odd.tenant, limit: 2 });
      expect(first.runs.map((r) => r.id)).toEqual(["r3", "r2"]);
      expect(await ids({ tenant: odd.tenant, ...(first.nextCursor ? { cursor: first.nextCursor } : {}) })).toEqual(["r1"]);
    });

    it("a bad sort, a time that is not a number, or a cursor of the other sort is refused with its code", async () => {
      await store.createRun(newRun("r1"));
      await store.createRun(newRun("r2"));
      const created = (await store.listRuns({ limit: 1 })).nextCursor;
      const updated = (await store.listRuns({ limit: 1, sort: "updated" })).nextCursor;

      await expect(store.listRuns({ sort: "name" as never })).rejects.toMatchObject({ code: "invalid_sort" });
      await expect(store.listRuns({ since: Number.NaN })).rejects.toMatchObject({ code: "invalid_time" });
      await expect(store.listRuns({ sort: "updated", cursor: created as string })).rejects.toMatchObject({ code: "invalid_cursor" });
      await expect(store.listRuns({ cursor: updated as string })).rejects.toMatchObject({ code: "invalid_cursor" });
    });

    it("a message keeps who sent it, and a cancel request who asked (the first request's)", async () => {
      await store.deliver({ eventKey: "paid", payload: 1, attribution: { actor: "alice", keyId: "k_1" } });
      await store.deliver({ eventKey: "paid", payload: 2 });
      await store.createRun(newRun("r1"));

      const [first, second] = await store.listInbox();
      const cancelled = await store.requestCancel("r1", "stop", {
        actor: "bob",
        traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
      });
      const again = await store.requestCancel("r1", "again", { actor: "carol" });

      expect(first?.attribution).toEqual({ actor: "alice", keyId: "k_1" });
      expect(second?.attribution).toBeUndefined();
      expect((await store.peekInbox("paid"))?.attribution).toEqual({ actor: "alice", keyId: "k_1" });
      expect(cancelled.cancelAttribution).toEqual({ actor: "bob", traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" });
      expect(again).toMatchObject({ cancelRequested: "stop", cancelAttribution: { actor: "bob" } });
    });
  });
}
