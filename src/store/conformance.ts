// The Store contract as a test suite: every backend runs it unchanged from its own test file
// (`storeConformance("sqlite", makeStore)`). It tests behaviour through the interface only, never a backend's insides.
import { createHash } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { EventBody } from "../core/index.js";
import { type ChainRow, chainHash, verifyChain } from "./chain.js";
import type { ApiKeyRecord, AppendCommit, Lease, NewRun, ScheduleSpec, Store, WorkerInfo } from "./store.js";
import { LAPSED_WORKER_KEPT_MS } from "./workers.js";

/** A clock tests move by hand; stores take it as `clock: () => clock.now()`. */
export class FakeClock {
  private current: number;

  /** default 2025-01-01T00:00:00Z */
  constructor(start = Date.UTC(2025, 0, 1)) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  advance(ms: number): void {
    this.current += ms;
  }
}

export interface ConformanceOptions {
  /**
   * Opens a second handle on the storage the last `makeStore` call created (another connection or pool).
   * Persistent backends pass it to run the tests about restarts and claimers on separate connections.
   */
  reopen?: (clock: FakeClock) => Promise<Store>;
}

const LEASE_MS = 30_000;

export function storeConformance(name: string, makeStore: (clock: FakeClock) => Promise<Store>, options: ConformanceOptions = {}): void {
  describe(`Store conformance: ${name}`, () => {
    let clock: FakeClock;
    let store: Store;
    const opened: Store[] = [];

    beforeEach(async () => {
      clock = new FakeClock();
      store = await makeStore(clock);
      opened.push(store);
    });

    afterEach(async () => {
      for (const s of opened.splice(0)) await s.close();
    });

    async function reopen(): Promise<Store> {
      if (!options.reopen) throw new Error("reopen is not available for this backend");
      const other = await options.reopen(clock);
      opened.push(other);
      return other;
    }

    function newRun(id: string, extra: Partial<NewRun> = {}): NewRun {
      return { id, workflow: "order", version: "1", input: { n: 1 }, tenant: "default", options: {}, ...extra };
    }

    /** Creates a run and leases it to `w1`. */
    async function startRun(id: string, extra: Partial<NewRun> = {}): Promise<Lease> {
      await store.createRun(newRun(id, extra));
      const lease = await store.claimRun(id, "w1", LEASE_MS);
      if (!lease) throw new Error(`could not lease ${id}`);
      return lease;
    }

    /** Creates a run, leases it and suspends it on `waits` (no timer), giving the lease up. */
    async function waitingRun(id: string, ...waits: Array<{ key: string; eventKey: string }>): Promise<number> {
      const lease = await startRun(id);
      const events: EventBody[] = waits.map((w) => ({ type: "wait_started", kind: "event", ...w }));
      const { lastSeq } = await store.append(id, events, { lease, expectedSeq: 1, status: "waiting", release: true });
      return lastSeq;
    }

    function commit(lease: Lease, expectedSeq: number, extra: Partial<AppendCommit> = {}): AppendCommit {
      return { lease, expectedSeq, ...extra };
    }

    const step = (key: string): EventBody[] => [
      { type: "step_started", key, attempt: 1 },
      { type: "step_completed", key, result: { key } },
    ];

    describe("runs", () => {
      it("createRun journals run_created as seq 1 with everything but the id", async () => {
        const { run, created } = await store.createRun(
          newRun("r1", { parentRunId: "p1", idempotencyKey: "k1", options: { deadline: "2025-02-01T00:00:00.000Z" } }),
        );

        expect(created).toBe(true);
        expect(run).toMatchObject({ id: "r1", workflow: "order", version: "1", tenant: "default", status: "queued", lastSeq: 1 });
        expect(run).toMatchObject({ parentRunId: "p1", idempotencyKey: "k1", createdAt: clock.now(), readyAt: clock.now() });
        expect(await store.read("r1")).toEqual([
          {
            type: "run_created",
            seq: 1,
            at: new Date(clock.now()).toISOString(),
            workflow: "order",
            version: "1",
            input: { n: 1 },
            parentRunId: "p1",
            idempotencyKey: "k1",
            tenant: "default",
            options: { deadline: "2025-02-01T00:00:00.000Z" },
          },
        ]);
        expect(await store.getRun("r1")).toEqual(run);
      });

      it("createRun with an existing id returns the existing run and journals nothing", async () => {
        await store.createRun(newRun("r1"));
        clock.advance(1_000);

        const again = await store.createRun(newRun("r1", { input: { n: 2 } }));

        expect(again.created).toBe(false);
        expect(again.run.createdAt).toBe(clock.now() - 1_000);
        expect(await store.head("r1")).toBe(1);
        expect((await store.read("r1"))[0]).toMatchObject({ input: { n: 1 } });
      });

      it("createRun with an idempotency key already used in the tenant returns the first run", async () => {
        await store.createRun(newRun("r1", { idempotencyKey: "order-42" }));

        const again = await store.createRun(newRun("r2", { idempotencyKey: "order-42" }));
        const otherTenant = await store.createRun(newRun("r3", { idempotencyKey: "order-42", tenant: "acme" }));

        expect(again).toMatchObject({ created: false, run: { id: "r1" } });
        expect(await store.getRun("r2")).toBeUndefined();
        expect(otherTenant).toMatchObject({ created: true, run: { id: "r3", tenant: "acme" } });
      });

      it("concurrent createRun calls with one idempotency key create exactly one run", async () => {
        const results = await Promise.all([1, 2, 3].map((i) => store.createRun(newRun(`r${i}`, { idempotencyKey: "same" }))));

        expect(results.filter((r) => r.created)).toHaveLength(1);
        expect(new Set(results.map((r) => r.run.id)).size).toBe(1);
      });

      it("an unknown run has no record, an empty journal and head 0", async () => {
        expect(await store.getRun("nope")).toBeUndefined();
        expect(await store.read("nope")).toEqual([]);
        expect(await store.head("nope")).toBe(0);
      });

      it("createRun with readyAt is not claimable before then", async () => {
        await store.createRun(newRun("r1", { readyAt: clock.now() + 5_000 }));

        expect(await store.claim({ workerId: "w1", limit: 10, leaseMs: LEASE_MS, workflows: ["order"] })).toEqual([]);
        clock.advance(5_000);
        expect(await store.claim({ workerId: "w1", limit: 10, leaseMs: LEASE_MS, workflows: ["order"] })).toHaveLength(1);
      });
    });

    describe("journal", () => {
      it("append numbers events gaplessly after expectedSeq and read returns them in order", async () => {
        const lease = await startRun("r1");

        const first = await store.append("r1", step("a#0"), commit(lease, 1));
        clock.advance(10);
        const second = await store.append("r1", step("b#0"), commit(lease, 3));

        expect([first.lastSeq, second.lastSeq]).toEqual([3, 5]);
        const events = await store.read("r1");
        expect(events.map((e) => [e.seq, e.type])).toEqual([
          [1, "run_created"],
          [2, "step_started"],
          [3, "step_completed"],
          [4, "step_started"],
          [5, "step_completed"],
        ]);
        expect(events[4]).toEqual({
          type: "step_completed",
          seq: 5,
          at: new Date(clock.now()).toISOString(),
          key: "b#0",
          result: { key: "b#0" },
        });
      });

      it("appends to many runs at once all land, and the one that is fenced out changes nothing", async () => {
        const leases: Lease[] = [];
        for (let i = 0; i < 10; i++) leases.push(await startRun(`r${i}`));

        const results = await Promise.allSettled(
          leases.map((lease, i) => store.append(lease.runId, step("a#0"), commit(lease, i === 3 ? 7 : 1))),
        );

        expect(results.map((r) => r.status)).toEqual(leases.map((_, i) => (i === 3 ? "rejected" : "fulfilled")));
        const heads = await Promise.all(leases.map((l) => store.head(l.runId)));
        expect(heads).toEqual(leases.map((_, i) => (i === 3 ? 1 : 3)));
      });

      it("read from a seq returns that event and the ones after it", async () => {
        const lease = await startRun("r1");
        await store.append("r1", [...step("a#0"), ...step("b#0")], commit(lease, 1));

        expect((await store.read("r1", 4)).map((e) => e.seq)).toEqual([4, 5]);
        expect(await store.read("r1", 6)).toEqual([]);
      });

      it("head is the seq of the last event and getRun agrees", async () => {
        const lease = await startRun("r1");
        await store.append("r1", step("a#0"), commit(lease, 1));

        expect(await store.head("r1")).toBe(3);
        expect(await store.getRun("r1")).toMatchObject({ lastSeq: 3, status: "running", leaseOwner: "w1" });
      });

      it("event payloads come back as the JSON values they were", async () => {
        const lease = await startRun("r1");
        const result = { text: 'naïve ☕ \u0000 "quoted"', list: [1, 2.5, null, true], nested: { deep: { x: -1 } } };
        await store.append("r1", [{ type: "step_completed", key: "a#0", result }], commit(lease, 1));

        expect((await store.read("r1", 2))[0]).toMatchObject({ key: "a#0", result });
      });
    });

    describe("fencing", () => {
      it("a stale writer whose run was claimed again gets lease_lost and writes nothing", async () => {
        const stale = await startRun("r1");
        clock.advance(LEASE_MS);
        const current = await store.claimRun("r1", "w2", LEASE_MS);

        await expect(store.append("r1", step("a#0"), commit(stale, 1))).rejects.toMatchObject({ code: "lease_lost" });

        expect(current?.epoch).toBeGreaterThan(stale.epoch);
        expect(await store.head("r1")).toBe(1);
        expect((await store.append("r1", step("a#0"), commit(current as Lease, 1))).lastSeq).toBe(3);
      });

      it("a writer whose lease expired gets lease_lost even when nobody claimed the run", async () => {
        const lease = await startRun("r1");
        clock.advance(LEASE_MS);

        await expect(store.append("r1", step("a#0"), commit(lease, 1))).rejects.toMatchObject({ code: "lease_lost" });
        expect(await store.head("r1")).toBe(1);
      });

      it("an append with the wrong expectedSeq gets lease_lost and writes nothing", async () => {
        const lease = await startRun("r1");
        await store.append("r1", step("a#0"), commit(lease, 1));

        await expect(store.append("r1", step("b#0"), commit(lease, 1))).rejects.toMatchObject({
          code: "lease_lost",
          details: { reason: "seq_mismatch" },
        });
        expect(await store.head("r1")).toBe(3);
      });

      it("a lease given up with the last append cannot append again", async () => {
        const lease = await startRun("r1");
        await store.append("r1", step("a#0"), commit(lease, 1, { release: true }));

        await expect(store.append("r1", step("b#0"), commit(lease, 3))).rejects.toMatchObject({ code: "lease_lost" });
      });

      it("append to an unknown run fails with run_not_found", async () => {
        const lease = await startRun("r1");

        await expect(store.append("nope", step("a#0"), commit({ ...lease, runId: "nope" }, 1))).rejects.toMatchObject({
          code: "run_not_found",
        });
      });
    });

    describe("claims", () => {
      it("claim leases only due runs of the requested workflows", async () => {
        await store.createRun(newRun("a1"));
        await store.createRun(newRun("a2", { readyAt: clock.now() + 1_000 }));
        await store.createRun(newRun("b1", { workflow: "billing" }));

        const leases = await store.claim({ workerId: "w1", limit: 10, leaseMs: LEASE_MS, workflows: ["order"] });

        expect(leases).toEqual([
          { runId: "a1", workflow: "order", workerId: "w1", epoch: expect.any(Number), expiresAt: clock.now() + LEASE_MS },
        ]);
        expect(await store.getRun("a1")).toMatchObject({ status: "running", leaseOwner: "w1" });
        expect(await store.getRun("b1")).toMatchObject({ status: "queued" });
      });

      it("claim takes the most overdue runs first, up to the limit", async () => {
        await store.createRun(newRun("late", { readyAt: clock.now() - 10 }));
        await store.createRun(newRun("later", { readyAt: clock.now() - 5 }));
        await store.createRun(newRun("latest", { readyAt: clock.now() - 20 }));

        const leases = await store.claim({ workerId: "w1", limit: 2, leaseMs: LEASE_MS, workflows: ["order"] });

        expect(leases.map((l) => l.runId)).toEqual(["latest", "late"]);
      });

      it("concurrent claimers lease every run exactly once", async () => {
        const ids = Array.from({ length: 50 }, (_, i) => `r${String(i).padStart(2, "0")}`);
        for (const id of ids) await store.createRun(newRun(id));
        const handles = options.reopen ? [store, await reopen(), store, await reopen(), store] : [store, store, store, store, store];

        const leased: string[] = [];
        for (let round = 0; round < 50; round++) {
          const batches = await Promise.all(
            handles.map((h, i) => h.claim({ workerId: `w${i}`, limit: 3, leaseMs: LEASE_MS, workflows: ["order"] })),
          );
          const got = batches.flat();
          if (got.length === 0) break;
          leased.push(...got.map((l) => l.runId));
        }

        expect(leased.sort()).toEqual(ids);
      });

      it("a leased run is claimable again only after its lease expires, with a higher epoch", async () => {
        const first = await startRun("r1");
        const request = { workerId: "w2", limit: 10, leaseMs: LEASE_MS, workflows: ["order"] };

        clock.advance(LEASE_MS - 1);
        expect(await store.claim(request)).toEqual([]);
        clock.advance(1);
        const [second] = await store.claim(request);

        expect(second).toMatchObject({ runId: "r1", workerId: "w2" });
        expect(second?.epoch).toBeGreaterThan(first.epoch);
      });

      it("claimRun leases a given run unless it is leased, ended or unknown", async () => {
        const lease = await startRun("r1");

        expect(await store.claimRun("r1", "w2", LEASE_MS)).toBeUndefined();
        clock.advance(LEASE_MS);
        const taken = await store.claimRun("r1", "w2", LEASE_MS);
        expect(taken).toMatchObject({ runId: "r1", workflow: "order", workerId: "w2", expiresAt: clock.now() + LEASE_MS });
        await store.append("r1", [{ type: "run_completed", output: 1 }], commit(taken as Lease, 1));
        clock.advance(LEASE_MS);

        expect(await store.claimRun("r1", "w3", LEASE_MS)).toBeUndefined();
        expect(await store.claimRun("nope", "w3", LEASE_MS)).toBeUndefined();
        expect(lease.epoch).toBeLessThan((taken as Lease).epoch);
      });

      it("claimRun takes a waiting run even before it is due", async () => {
        await waitingRun("r1", { key: "w#0", eventKey: "e1" });

        expect(await store.claimRun("r1", "w2", LEASE_MS)).toMatchObject({ runId: "r1", workerId: "w2" });
      });
    });

    describe("version pinning", () => {
      const claimWith = (versions: Record<string, string[]>, workerId = "w1", workflows = ["order"]) =>
        store.claim({ workerId, limit: 10, leaseMs: LEASE_MS, workflows, versions });
      const ids = (leases: Lease[]) => leases.map((l) => l.runId).sort();

      it("a worker holding v1 claims only v1 runs, one holding v2 only v2 runs", async () => {
        await store.createRun(newRun("old", { version: "v1" }));
        await store.createRun(newRun("new", { version: "v2" }));

        expect(ids(await claimWith({ order: ["v2"] }, "w2"))).toEqual(["new"]);
        expect(ids(await claimWith({ order: ["v1"] }, "w1"))).toEqual(["old"]);
        expect(await store.getRun("old")).toMatchObject({ status: "running", leaseOwner: "w1" });
        expect(await store.getRun("new")).toMatchObject({ status: "running", leaseOwner: "w2" });
      });

      it("a worker holding neither version claims nothing and sees nothing due; one holding both claims both", async () => {
        await store.createRun(newRun("old", { version: "v1" }));
        await store.createRun(newRun("new", { version: "v2" }));

        expect(await claimWith({ order: ["v3"] })).toEqual([]);
        expect(await store.nextReadyAt(["order"], { order: ["v3"] })).toBeUndefined();
        expect(await store.nextReadyAt(["order"], { order: ["v1"] })).toBe(clock.now());
        expect(ids(await claimWith({ order: ["v1", "v2"] }))).toEqual(["new", "old"]);
      });

      it("pinning one workflow leaves the others claimable in any version", async () => {
        await store.createRun(newRun("o1", { version: "v1" }));
        await store.createRun(newRun("b1", { workflow: "billing", version: "anything" }));

        expect(ids(await claimWith({ order: ["v2"] }, "w1", ["order", "billing"]))).toEqual(["b1"]);
      });

      it("a waiting run woken by a delivery is claimed only by a worker with its version", async () => {
        await waitingRun("r1", { key: "go#0", eventKey: "go" });
        await store.deliver({ eventKey: "go", payload: null });

        expect(await claimWith({ order: ["2"] })).toEqual([]);
        expect(ids(await claimWith({ order: ["1"] }))).toEqual(["r1"]);
      });

      it("a queue admits only runs in the versions the claimer holds, and keeps the slot for the right worker", async () => {
        await store.configureQueues([{ name: "q", concurrency: 1 }]);
        await store.createRun(newRun("old", { queue: "q", version: "v1" }));
        await store.createRun(newRun("new", { queue: "q", version: "v2" }));

        expect(ids(await claimWith({ order: ["v2"] }))).toEqual(["new"]);
        expect(await store.getRun("old")).toMatchObject({ status: "queued" });
        expect(await store.getRun("old")).not.toHaveProperty("admittedAt");
        expect(await claimWith({ order: ["v1"] })).toEqual([]);
      });

      it("claimRun with versions leaves a run of another version untouched; without versions it takes any", async () => {
        await waitingRun("r1", { key: "go#0", eventKey: "go" });
        await store.createRun(newRun("q1", { queue: "q", version: "v1" }));
        const before = await store.getRun("r1");

        expect(await store.claimRun("r1", "w2", LEASE_MS, { versions: { order: ["2"] } })).toBeUndefined();
        expect(await store.claimRun("q1", "w2", LEASE_MS, { versions: { order: ["2"] } })).toBeUndefined();
        expect(await store.getRun("r1")).toEqual(before);
        expect(await store.getRun("q1")).toMatchObject({ status: "queued" });

        expect(await store.claimRun("r1", "w2", LEASE_MS, { versions: { order: ["1", "2"] } })).toMatchObject({ runId: "r1" });
        expect(await store.claimRun("q1", "w2", LEASE_MS)).toMatchObject({ runId: "q1", workerId: "w2" });
      });
    });

    describe("lease holders", () => {
      const here = { host: "box", hostId: "box/boot-1/pidns-1", pid: 4242, startTime: "1000" };
      const elsewhere = { host: "other", hostId: "other/boot-9/pidns-1", pid: 7, startTime: "5" };

      it("every kind of claim records its holder, and heldLeases lists unexpired leases with them", async () => {
        await store.createRun(newRun("a1"));
        await store.createRun(newRun("b1", { workflow: "billing" }));
        await store.createRun(newRun("q1", { queue: "mail" }));
        await store.createRun(newRun("n1"));
        await store.claim({ workerId: "w1", limit: 10, leaseMs: LEASE_MS, workflows: ["order"], holder: here });
        await store.claimRun("b1", "w2", LEASE_MS, { holder: elsewhere });

        const all = await store.heldLeases();

        expect(all.map((l) => l.runId)).toEqual(["a1", "b1", "n1", "q1"]);
        expect(all.find((l) => l.runId === "a1")).toEqual({
          runId: "a1",
          workflow: "order",
          workerId: "w1",
          epoch: expect.any(Number),
          expiresAt: clock.now() + LEASE_MS,
          holder: here,
        });
        expect(all.find((l) => l.runId === "q1")?.holder).toEqual(here);
        expect(all.find((l) => l.runId === "b1")?.holder).toEqual(elsewhere);
        expect((await store.heldLeases({ hostId: here.hostId })).map((l) => l.runId)).toEqual(["a1", "n1", "q1"]);
        expect((await store.heldLeases({ runId: "b1" })).map((l) => l.workerId)).toEqual(["w2"]);
        expect((await store.heldLeases({ workflows: ["billing"] })).map((l) => l.runId)).toEqual(["b1"]);
        expect((await store.heldLeases({ hostId: here.hostId, limit: 2 })).map((l) => l.runId)).toEqual(["a1", "n1"]);
        clock.advance(LEASE_MS);
        expect(await store.heldLeases()).toEqual([]);
      });

      it("a claim without a holder leaves none, also where an earlier claim had one", async () => {
        await store.createRun(newRun("r1"));
        await store.claimRun("r1", "w1", LEASE_MS, { holder: here });
        clock.advance(LEASE_MS);
        await store.claimRun("r1", "w2", LEASE_MS);

        const [lease] = await store.heldLeases({ runId: "r1" });

        expect(lease).toMatchObject({ workerId: "w2" });
        expect(lease).not.toHaveProperty("holder");
      });

      it("breakLease makes the run claimable at once and fences the old holder out", async () => {
        await store.createRun(newRun("r1"));
        const old = (await store.claimRun("r1", "w1", LEASE_MS, { holder: here })) as Lease;
        expect(await store.claimRun("r1", "w2", LEASE_MS)).toBeUndefined();

        expect(await store.breakLease(old)).toBe(true);
        expect(await store.heldLeases({ runId: "r1" })).toEqual([]);
        const taken = await store.claim({ workerId: "w2", limit: 10, leaseMs: LEASE_MS, workflows: ["order"] });

        expect(taken).toMatchObject([{ runId: "r1", workerId: "w2" }]);
        expect((taken[0] as Lease).epoch).toBeGreaterThan(old.epoch);
        await expect(store.append("r1", step("a#0"), commit(old, 1))).rejects.toMatchObject({ code: "lease_lost" });
        await expect(store.heartbeat(old, LEASE_MS)).rejects.toMatchObject({ code: "lease_lost" });
        expect((await store.append("r1", step("a#0"), commit(taken[0] as Lease, 1))).lastSeq).toBe(3);
      });

      it("a broken lease's holder cannot heartbeat it back before anyone claims the run", async () => {
        const old = await startRun("r1");
        await store.breakLease(old);

        await expect(store.heartbeat(old, LEASE_MS)).rejects.toMatchObject({ code: "lease_lost" });
        await expect(store.append("r1", step("a#0"), commit(old, 1))).rejects.toMatchObject({ code: "lease_lost" });
        expect(await store.claimRun("r1", "w2", LEASE_MS)).toMatchObject({ runId: "r1", workerId: "w2" });
      });

      it("breakLease changes nothing unless the lease is still exactly the one named", async () => {
        const old = await startRun("r1");
        clock.advance(LEASE_MS);
        const current = (await store.claimRun("r1", "w2", LEASE_MS)) as Lease;

        expect(await store.breakLease(old)).toBe(false);
        expect(await store.breakLease({ ...current, workerId: "w1" })).toBe(false);
        expect(await store.breakLease({ ...current, epoch: current.epoch + 1 })).toBe(false);
        expect(await store.claimRun("r1", "w3", LEASE_MS)).toBeUndefined();
        expect((await store.append("r1", step("a#0"), commit(current, 1))).lastSeq).toBe(3);

        await store.append("r1", [{ type: "run_completed", output: 1 }], commit(current, 3));
        expect(await store.breakLease(current)).toBe(false);
        expect(await store.breakLease({ runId: "nope", workerId: "w2", epoch: 1 })).toBe(false);
      });

      it("breakLease of an expired or released lease is refused", async () => {
        const expired = await startRun("r1");
        clock.advance(LEASE_MS);
        expect(await store.breakLease(expired)).toBe(false);

        await store.createRun(newRun("r2"));
        const released = (await store.claimRun("r2", "w1", LEASE_MS)) as Lease;
        await store.release(released, { readyAt: clock.now() + 60_000 });
        expect(await store.breakLease(released)).toBe(false);
        expect(await store.getRun("r2")).toMatchObject({ status: "queued", readyAt: clock.now() + 60_000 });
      });
    });

    describe("heartbeat and release", () => {
      it("heartbeat extends the lease past its first expiry", async () => {
        const lease = await startRun("r1");
        clock.advance(LEASE_MS - 1_000);

        const { expiresAt } = await store.heartbeat(lease, LEASE_MS);
        clock.advance(2_000);

        expect(expiresAt).toBe(clock.now() - 2_000 + LEASE_MS);
        expect(await store.claim({ workerId: "w2", limit: 10, leaseMs: LEASE_MS, workflows: ["order"] })).toEqual([]);
        expect((await store.append("r1", step("a#0"), commit(lease, 1))).lastSeq).toBe(3);
      });

      it("heartbeat fails with lease_lost once the lease is lost", async () => {
        const lease = await startRun("r1");
        clock.advance(LEASE_MS);

        await expect(store.heartbeat(lease, LEASE_MS)).rejects.toMatchObject({ code: "lease_lost" });
        await store.claimRun("r1", "w2", LEASE_MS);
        await expect(store.heartbeat(lease, LEASE_MS)).rejects.toMatchObject({ code: "lease_lost" });
      });

      it("release makes the run claimable now by default, or at readyAt", async () => {
        const request = { workerId: "w2", limit: 10, leaseMs: LEASE_MS, workflows: ["order"] };
        const lease = await startRun("r1");
        await store.release(lease);
        expect(await store.getRun("r1")).toMatchObject({ status: "queued" });
        expect(await store.getRun("r1")).not.toHaveProperty("leaseOwner");
        const [again] = await store.claim(request);

        await store.release(again as Lease, { readyAt: clock.now() + 1_000 });

        expect(await store.claim(request)).toEqual([]);
        clock.advance(1_000);
        expect(await store.claim(request)).toHaveLength(1);
      });

      it("release as waiting without readyAt leaves the run asleep until a delivery", async () => {
        const request = { workerId: "w2", limit: 10, leaseMs: LEASE_MS, workflows: ["order"] };
        const lease = await startRun("r1");
        await store.append("r1", [{ type: "wait_started", key: "w#0", kind: "event", eventKey: "e1" }], commit(lease, 1));

        await store.release(lease, { status: "waiting" });
        clock.advance(LEASE_MS * 10);

        expect(await store.getRun("r1")).toMatchObject({ status: "waiting" });
        expect(await store.claim(request)).toEqual([]);
        expect((await store.deliver({ eventKey: "e1", payload: 1 })).wokeRunIds).toEqual(["r1"]);
        expect(await store.claim(request)).toHaveLength(1);
      });

      it("releasing a lease that was already lost changes nothing", async () => {
        const stale = await startRun("r1");
        clock.advance(LEASE_MS);
        const current = await store.claimRun("r1", "w2", LEASE_MS);

        await store.release(stale);

        expect(await store.getRun("r1")).toMatchObject({ status: "running", leaseOwner: "w2" });
        expect((await store.append("r1", step("a#0"), commit(current as Lease, 1))).lastSeq).toBe(3);
      });
    });

    describe("timers", () => {
      it("a waiting run with readyAt becomes claimable only when due", async () => {
        const request = { workerId: "w2", limit: 10, leaseMs: LEASE_MS, workflows: ["order"] };
        const lease = await startRun("r1");
        const until = clock.now() + 60_000;
        await store.append(
          "r1",
          [{ type: "wait_started", key: "nap#0", kind: "sleep", until: new Date(until).toISOString() }],
          commit(lease, 1, { status: "waiting", readyAt: until, release: true }),
        );

        expect(await store.getRun("r1")).toMatchObject({ status: "waiting", readyAt: until });
        clock.advance(59_999);
        expect(await store.claim(request)).toEqual([]);
        clock.advance(1);
        expect((await store.claim(request)).map((l) => l.runId)).toEqual(["r1"]);
      });

      it("nextReadyAt is the earliest readyAt among unfinished runs of the given workflows", async () => {
        const now = clock.now();
        await store.createRun(newRun("a1", { readyAt: now + 5_000 }));
        await store.createRun(newRun("a2", { readyAt: now + 1_000 }));
        await store.createRun(newRun("b1", { workflow: "billing", readyAt: now + 10 }));

        expect(await store.nextReadyAt(["order"])).toBe(now + 1_000);
        expect(await store.nextReadyAt(["order", "billing"])).toBe(now + 10);
        expect(await store.nextReadyAt(["other"])).toBeUndefined();
      });

      it("nextReadyAt counts a lease's expiry and forgets ended runs", async () => {
        const lease = await startRun("r1");
        expect(await store.nextReadyAt(["order"])).toBe(lease.expiresAt);

        await store.append("r1", [{ type: "run_completed", output: null }], commit(lease, 1));

        expect(await store.nextReadyAt(["order"])).toBeUndefined();
      });
    });

    describe("inbox", () => {
      it("a message sent before the run waits is kept, and waiting on it makes the run ready at once", async () => {
        const sent = await store.deliver({ eventKey: "paid:o1", payload: { amount: 5 } });
        expect(sent.wokeRunIds).toEqual([]);
        expect(await store.peekInbox("paid:o1")).toMatchObject({
          id: sent.id,
          eventKey: "paid:o1",
          payload: { amount: 5 },
          tenant: "default",
        });
        expect((await store.listInbox()).map((m) => m.id)).toEqual([sent.id]);

        await waitingRun("r1", { key: "paid#0", eventKey: "paid:o1" });

        expect(await store.getRun("r1")).toMatchObject({ status: "waiting", readyAt: clock.now() });
        expect(await store.claim({ workerId: "w2", limit: 10, leaseMs: LEASE_MS, workflows: ["order"] })).toHaveLength(1);
      });

      it("deliver wakes the runs waiting on its key and returns their ids", async () => {
        await waitingRun("r1", { key: "paid#0", eventKey: "paid:o1" });
        await waitingRun("r2", { key: "paid#0", eventKey: "paid:o2" });
        const request = { workerId: "w2", limit: 10, leaseMs: LEASE_MS, workflows: ["order"] };
        expect(await store.claim(request)).toEqual([]);
        clock.advance(100);

        const { wokeRunIds } = await store.deliver({ eventKey: "paid:o1", payload: {} });

        expect(wokeRunIds).toEqual(["r1"]);
        expect(await store.getRun("r1")).toMatchObject({ readyAt: clock.now() });
        expect((await store.claim(request)).map((l) => l.runId)).toEqual(["r1"]);
      });

      it("consuming a message takes it out of the inbox; consuming it again fails with inbox_conflict and appends nothing", async () => {
        await waitingRun("r1", { key: "paid#0", eventKey: "paid:o1" });
        await waitingRun("r2", { key: "paid#0", eventKey: "paid:o1" });
        const { id } = await store.deliver({ eventKey: "paid:o1", payload: 7 });
        const resolve: EventBody[] = [{ type: "wait_resolved", key: "paid#0", payload: 7, by: "event" }];
        const l1 = (await store.claimRun("r1", "w1", LEASE_MS)) as Lease;
        const l2 = (await store.claimRun("r2", "w2", LEASE_MS)) as Lease;

        await store.append("r1", resolve, commit(l1, 2, { consume: [id] }));
        const conflict = store.append("r2", resolve, commit(l2, 2, { consume: [id] }));

        await expect(conflict).rejects.toMatchObject({ code: "inbox_conflict", retryable: true });
        expect(await store.peekInbox("paid:o1")).toBeUndefined();
        expect(await store.listInbox()).toEqual([]);
        expect(await store.head("r2")).toBe(2);
        expect(await store.openWaits({ runId: "r2" })).toHaveLength(1);
        expect(await store.openWaits({ runId: "r1" })).toEqual([]);
      });

      it("an append with a failed consume rolls back its other effects too", async () => {
        await waitingRun("r1", { key: "paid#0", eventKey: "paid:o1" });
        const l1 = (await store.claimRun("r1", "w1", LEASE_MS)) as Lease;

        const failing = store.append(
          "r1",
          [
            { type: "wait_resolved", key: "paid#0", payload: 1, by: "event" },
            { type: "run_completed", output: 1 },
          ],
          commit(l1, 2, { consume: [987_654], deliver: [{ eventKey: "parent:x", payload: 1 }] }),
        );

        await expect(failing).rejects.toMatchObject({ code: "inbox_conflict" });
        expect(await store.getRun("r1")).toMatchObject({ status: "running", lastSeq: 2 });
        expect(await store.peekInbox("parent:x")).toBeUndefined();
        expect(await store.openWaits({ runId: "r1" })).toHaveLength(1);
      });

      it("a delivery inside an append lands in the same commit and wakes its waiter", async () => {
        await waitingRun("parent", { key: "child#0", eventKey: "child:c1" });
        const child = await startRun("c1", { parentRunId: "parent" });

        await store.append(
          "c1",
          [{ type: "run_completed", output: "done" }],
          commit(child, 1, { deliver: [{ eventKey: "child:c1", payload: "done" }] }),
        );

        expect(await store.peekInbox("child:c1")).toMatchObject({ payload: "done" });
        expect(await store.getRun("parent")).toMatchObject({ status: "waiting", readyAt: clock.now() });
        expect((await store.claim({ workerId: "w2", limit: 10, leaseMs: LEASE_MS, workflows: ["order"] })).map((l) => l.runId)).toEqual([
          "parent",
        ]);
      });

      it("openWaits lists a run's open waits, and the runs waiting on a key", async () => {
        const lease = await startRun("r1");
        await store.append(
          "r1",
          [
            { type: "wait_started", key: "nap#0", kind: "sleep", until: "2025-01-02T00:00:00.000Z" },
            { type: "wait_started", key: "ok#0", kind: "approval", eventKey: "approve:r1", gate: "manager", prompt: "Ship it?" },
          ],
          commit(lease, 1, { status: "waiting", readyAt: clock.now() + 86_400_000, release: true }),
        );
        await waitingRun("r2", { key: "ok#0", eventKey: "approve:r1" });

        expect(await store.openWaits({ runId: "r1" })).toEqual([
          { runId: "r1", key: "nap#0", kind: "sleep", until: "2025-01-02T00:00:00.000Z" },
          { runId: "r1", key: "ok#0", kind: "approval", eventKey: "approve:r1", gate: "manager", prompt: "Ship it?" },
        ]);
        expect((await store.openWaits({ eventKey: "approve:r1" })).map((w) => w.runId).sort()).toEqual(["r1", "r2"]);
        expect(await store.openWaits({ eventKey: "nobody" })).toEqual([]);
        expect(await store.openWaits({ runId: "nope" })).toEqual([]);
      });

      it("wait_resolved closes the wait", async () => {
        await waitingRun("r1", { key: "paid#0", eventKey: "paid:o1" });
        const lease = (await store.claimRun("r1", "w1", LEASE_MS)) as Lease;

        await store.append("r1", [{ type: "wait_resolved", key: "paid#0", payload: null, by: "timeout" }], commit(lease, 2));

        expect(await store.openWaits({ runId: "r1" })).toEqual([]);
        expect(await store.openWaits({ eventKey: "paid:o1" })).toEqual([]);
      });

      it("listInbox returns unconsumed messages oldest first, by tenant", async () => {
        const a = await store.deliver({ eventKey: "k1", payload: 1 });
        clock.advance(1);
        const b = await store.deliver({ eventKey: "k2", payload: 2, tenant: "acme" });
        clock.advance(1);
        const c = await store.deliver({ eventKey: "k1", payload: 3 });

        expect((await store.listInbox()).map((m) => m.id)).toEqual([a.id, b.id, c.id]);
        expect((await store.listInbox({ tenant: "acme" })).map((m) => m.payload)).toEqual([2]);
        expect((await store.listInbox({ limit: 2 })).map((m) => m.id)).toEqual([a.id, b.id]);
        expect(await store.peekInbox("k1")).toMatchObject({ id: a.id, createdAt: clock.now() - 2 });
      });
    });

    describe("ending and cancelling", () => {
      const endings: Array<[EventBody, string]> = [
        [{ type: "run_completed", output: { ok: true } }, "completed"],
        [{ type: "run_failed", error: { code: "boom", message: "it broke" } }, "failed"],
        [{ type: "run_cancelled", reason: "user" }, "cancelled"],
      ];
      for (const [event, status] of endings) {
        it(`${event.type} ends the run as ${status}, clearing its lease, waits and readiness`, async () => {
          const lease = await startRun("r1");
          await store.append("r1", [{ type: "wait_started", key: "w#0", kind: "event", eventKey: "e1" }], commit(lease, 1));

          const result = await store.append("r1", [event], commit(lease, 2));

          expect(result).toEqual({ lastSeq: 3 });
          const run = await store.getRun("r1");
          expect(run).toMatchObject({ status, lastSeq: 3 });
          expect(run).not.toHaveProperty("readyAt");
          expect(run).not.toHaveProperty("leaseOwner");
          expect(await store.openWaits({ runId: "r1" })).toEqual([]);
          await expect(store.append("r1", step("x#0"), commit(lease, 3))).rejects.toMatchObject({ code: "lease_lost" });
          expect((await store.deliver({ eventKey: "e1", payload: 1 })).wokeRunIds).toEqual([]);
          clock.advance(LEASE_MS);
          expect(await store.claim({ workerId: "w2", limit: 10, leaseMs: LEASE_MS, workflows: ["order"] })).toEqual([]);
        });
      }

      it("a cancel request wakes a waiting run and its lease holder hears of it from append and heartbeat", async () => {
        await waitingRun("r1", { key: "w#0", eventKey: "never" });
        clock.advance(5);

        const record = await store.requestCancel("r1", "user asked");

        expect(record).toMatchObject({ id: "r1", status: "waiting", cancelRequested: "user asked", readyAt: clock.now() });
        const [lease] = await store.claim({ workerId: "w2", limit: 10, leaseMs: LEASE_MS, workflows: ["order"] });
        expect(await store.heartbeat(lease as Lease, LEASE_MS)).toMatchObject({ cancelRequested: "user asked" });
        expect(await store.append("r1", step("x#0"), commit(lease as Lease, 2))).toEqual({ lastSeq: 4, cancelRequested: "user asked" });
        expect(await store.append("r1", [{ type: "run_cancelled", reason: "user asked" }], commit(lease as Lease, 4))).toEqual({
          lastSeq: 5,
        });
        expect(await store.getRun("r1")).not.toHaveProperty("cancelRequested");
      });

      it("a run that suspends after a cancel request is ready at once", async () => {
        const lease = await startRun("r1");
        await store.requestCancel("r1", "stop");

        await store.append(
          "r1",
          [{ type: "wait_started", key: "nap#0", kind: "sleep" }],
          commit(lease, 1, { status: "waiting", readyAt: clock.now() + 86_400_000, release: true }),
        );

        expect(await store.getRun("r1")).toMatchObject({ status: "waiting", readyAt: clock.now() });
      });

      it("requestCancel of an ended run fails with run_terminal, of an unknown run with run_not_found", async () => {
        const lease = await startRun("r1");
        await store.append("r1", [{ type: "run_completed", output: 1 }], commit(lease, 1));

        await expect(store.requestCancel("r1", "late")).rejects.toMatchObject({ code: "run_terminal", category: "input" });
        await expect(store.requestCancel("nope", "x")).rejects.toMatchObject({ code: "run_not_found", category: "input" });
      });
    });

    describe("queues", () => {
      const claimAll = (s: Store = store, workerId = "w1", limit = 10) =>
        s.claim({ workerId, limit, leaseMs: LEASE_MS, workflows: ["order"] });
      const ids = (leases: Lease[]) => leases.map((l) => l.runId).sort();
      const finish = (lease: Lease, expectedSeq = 1) =>
        store.append(lease.runId, [{ type: "run_completed", output: null }], commit(lease, expectedSeq));

      it("a run in a queue is claimable only once the queue admits it; without limits a claim admits it at once", async () => {
        const { run } = await store.createRun(newRun("r1", { queue: "mail", priority: 3 }));
        expect(run).toMatchObject({ status: "queued", queue: "mail", priority: 3 });
        expect(run).not.toHaveProperty("readyAt");
        expect(await store.nextReadyAt(["order"])).toBeUndefined();

        const leases = await claimAll();

        expect(ids(leases)).toEqual(["r1"]);
        expect(await store.getRun("r1")).toMatchObject({ status: "running", queue: "mail", admittedAt: clock.now() });
        expect(await store.listQueues()).toEqual([{ name: "mail", pending: 0, active: 1, startedInWindow: 0 }]);
      });

      it("concurrency: at most N admitted and unfinished runs; waiting runs keep their slot; an ended run frees it", async () => {
        await store.configureQueues([{ name: "mail", concurrency: 2 }]);
        for (const id of ["r1", "r2", "r3", "r4"]) await store.createRun(newRun(id, { queue: "mail" }));

        const first = await claimAll();
        expect(ids(first)).toEqual(["r1", "r2"]);
        expect(await claimAll(store, "w2")).toEqual([]);

        const [a, b] = first as [Lease, Lease];
        await store.append(
          a.runId,
          [{ type: "wait_started", key: "w#0", kind: "event", eventKey: "e" }],
          commit(a, 1, { status: "waiting", release: true }),
        );
        expect(await claimAll(store, "w2")).toEqual([]);

        await finish(b);
        expect(ids(await claimAll(store, "w2"))).toEqual(["r3"]);
        expect(await store.listQueues()).toEqual([{ name: "mail", concurrency: 2, pending: 1, active: 2, startedInWindow: 0 }]);
      });

      it("keyConcurrency: a full key is skipped and the runs behind it with other keys are admitted", async () => {
        await store.configureQueues([{ name: "sync", keyConcurrency: 1 }]);
        await store.createRun(newRun("r1", { queue: "sync", concurrencyKey: "acme" }));
        await store.createRun(newRun("r2", { queue: "sync", concurrencyKey: "acme" }));
        await store.createRun(newRun("r3", { queue: "sync", concurrencyKey: "globex" }));
        await store.createRun(newRun("r4", { queue: "sync" }));

        const first = await claimAll();
        expect(ids(first)).toEqual(["r1", "r3", "r4"]);
        expect(await claimAll()).toEqual([]);

        await finish(first.find((l) => l.runId === "r1") as Lease);
        expect(ids(await claimAll())).toEqual(["r2"]);
      });

      it("priority: lower numbers are admitted first, then older runs", async () => {
        await store.configureQueues([{ name: "q", concurrency: 1 }]);
        await store.createRun(newRun("r1", { queue: "q", priority: 5 }));
        clock.advance(1);
        await store.createRun(newRun("r2", { queue: "q", priority: 0 }));
        clock.advance(1);
        await store.createRun(newRun("r3", { queue: "q", priority: 5 }));
        clock.advance(1);
        await store.createRun(newRun("r4", { queue: "q", priority: 1 }));

        const order: string[] = [];
        for (let i = 0; i < 4; i++) {
          const [lease] = await claimAll();
          order.push((lease as Lease).runId);
          await finish(lease as Lease);
        }

        expect(order).toEqual(["r2", "r4", "r1", "r3"]);
      });

      it("rate limit: at most N admissions per sliding window, and nextReadyAt says when the window opens", async () => {
        await store.configureQueues([{ name: "api", rateLimit: { limit: 2, periodMs: 60_000 } }]);
        for (const id of ["r1", "r2", "r3", "r4", "r5"]) await store.createRun(newRun(id, { queue: "api" }));
        const start = clock.now();

        const admitted = await claimAll();
        expect(admitted).toHaveLength(2);
        for (const lease of admitted) await finish(lease);
        clock.advance(10_000);
        expect(await claimAll()).toEqual([]);
        expect(await store.nextReadyAt(["order"])).toBe(start + 60_000);

        clock.advance(50_000);
        expect(await claimAll()).toHaveLength(2);
        expect((await store.listQueues())[0]).toMatchObject({ name: "api", pending: 1, active: 2, startedInWindow: 2 });
      });

      it("claimRun admits a run waiting in its queue only within the limits", async () => {
        await store.configureQueues([{ name: "q", concurrency: 1 }]);
        await store.createRun(newRun("r1", { queue: "q" }));
        await store.createRun(newRun("r2", { queue: "q" }));

        const lease = (await store.claimRun("r2", "w1", LEASE_MS)) as Lease;
        expect(lease.runId).toBe("r2");
        expect(await store.claimRun("r1", "w1", LEASE_MS)).toBeUndefined();

        await finish(lease);
        expect((await store.claimRun("r1", "w1", LEASE_MS))?.runId).toBe("r1");
      });

      it("an admitted run released without ending keeps its slot and is claimable again", async () => {
        await store.configureQueues([{ name: "q", concurrency: 1 }]);
        await store.createRun(newRun("r1", { queue: "q" }));
        await store.createRun(newRun("r2", { queue: "q" }));
        const [lease] = await claimAll();

        await store.release(lease as Lease);

        expect(ids(await claimAll(store, "w2"))).toEqual(["r1"]);
        expect(await store.getRun("r2")).toMatchObject({ status: "queued" });
      });

      it("cancelling a run that waits for admission makes it claimable so it can record its cancellation", async () => {
        await store.configureQueues([{ name: "q", concurrency: 1 }]);
        await store.createRun(newRun("r1", { queue: "q" }));
        await claimAll();
        await store.createRun(newRun("r2", { queue: "q" }));

        await store.requestCancel("r2", "not needed");

        expect(ids(await claimAll(store, "w2"))).toEqual(["r2"]);
        expect((await store.listQueues())[0]).toMatchObject({ active: 1 });
      });

      it("configureQueues replaces a queue's limits; listQueues lists every queue by name", async () => {
        await store.configureQueues([
          { name: "b", concurrency: 1 },
          { name: "a", keyConcurrency: 2, rateLimit: { limit: 5, periodMs: 1_000 } },
        ]);
        await store.configureQueues([{ name: "b", concurrency: 3 }]);
        await store.createRun(newRun("r1", { queue: "c" }));

        expect(await store.listQueues()).toEqual([
          { name: "a", keyConcurrency: 2, rateLimit: { limit: 5, periodMs: 1_000 }, pending: 0, active: 0, startedInWindow: 0 },
          { name: "b", concurrency: 3, pending: 0, active: 0, startedInWindow: 0 },
          { name: "c", pending: 1, active: 0, startedInWindow: 0 },
        ]);
      });

      it("claimers on separate handles never admit more than the limit together", async () => {
        await store.configureQueues([{ name: "q", concurrency: 3, keyConcurrency: 1 }]);
        for (let i = 0; i < 12; i++) await store.createRun(newRun(`r${i}`, { queue: "q", concurrencyKey: `k${i % 4}` }));
        const handles = options.reopen ? [store, await reopen(), await reopen()] : [store, store, store];

        const leases = (await Promise.all(handles.flatMap((h, i) => [claimAll(h, `w${i}`, 2), claimAll(h, `v${i}`, 2)]))).flat();

        expect(leases).toHaveLength(3);
        const keys = await Promise.all(leases.map(async (l) => (await store.getRun(l.runId))?.concurrencyKey));
        expect(new Set(keys).size).toBe(3);
      });
    });

    describe("listRuns", () => {
      it("lists newest first and filters by status, workflow, parent and tenant", async () => {
        await store.createRun(newRun("r1"));
        await store.createRun(newRun("r2", { workflow: "billing", parentRunId: "r1" }));
        await store.createRun(newRun("r3", { tenant: "acme", parentRunId: "r1" }));
        await startRun("r4");

        const ids = async (filter: Parameters<Store["listRuns"]>[0]) => (await store.listRuns(filter)).runs.map((r) => r.id);
        expect(await ids({})).toEqual(["r4", "r3", "r2", "r1"]);
        expect(await ids({ status: "running" })).toEqual(["r4"]);
        expect(await ids({ workflow: "billing" })).toEqual(["r2"]);
        expect(await ids({ parentRunId: "r1" })).toEqual(["r3", "r2"]);
        expect(await ids({ tenant: "acme" })).toEqual(["r3"]);
        expect(await ids({ status: "queued", workflow: "order", tenant: "default" })).toEqual(["r1"]);
        expect(await store.listRuns({ limit: 10 })).not.toHaveProperty("nextCursor");
      });

      it("pages with the cursor visit every matching run exactly once", async () => {
        const all: string[] = [];
        for (let i = 0; i < 23; i++) {
          const id = `r${String(i).padStart(2, "0")}`;
          await store.createRun(newRun(id, { workflow: i % 3 === 0 ? "billing" : "order" }));
          if (i % 3 !== 0) all.push(id);
        }

        const seen: string[] = [];
        let cursor: string | undefined;
        let pages = 0;
        do {
          const page = await store.listRuns({ workflow: "order", limit: 5, ...(cursor === undefined ? {} : { cursor }) });
          seen.push(...page.runs.map((r) => r.id));
          cursor = page.nextCursor;
          pages++;
        } while (cursor !== undefined && pages < 10);

        expect(seen).toEqual([...all].reverse());
        expect(pages).toBe(3);
      });

      it("defaults to 50 runs a page", async () => {
        for (let i = 0; i < 51; i++) await store.createRun(newRun(`r${i}`));

        const page = await store.listRuns();

        expect(page.runs).toHaveLength(50);
        expect(page.nextCursor).toBeDefined();
      });

      it("a cursor the store did not make fails with invalid_cursor", async () => {
        await expect(store.listRuns({ cursor: "not a cursor" })).rejects.toMatchObject({ code: "invalid_cursor" });
      });
    });

    describe("artifacts", () => {
      it("artifacts are stored under their sha256 and storing the same bytes twice is a no-op", async () => {
        const bytes = new TextEncoder().encode("a large step result");
        const expected = createHash("sha256").update(bytes).digest("hex");

        const first = await store.putArtifact(bytes);
        const second = await store.putArtifact(Uint8Array.from(bytes));

        expect([first, second]).toEqual([expected, expected]);
        expect(Buffer.from((await store.getArtifact(first)) as Uint8Array).equals(Buffer.from(bytes))).toBe(true);
        expect(await store.getArtifact("0".repeat(64))).toBeUndefined();
      });

      it("an empty artifact round-trips", async () => {
        const sha = await store.putArtifact(new Uint8Array());

        expect((await store.getArtifact(sha))?.byteLength).toBe(0);
      });
    });

    describe("tenants in the inbox", () => {
      /** Like waitingRun, in a given tenant. */
      async function waitingRunOf(tenant: string, id: string, eventKey: string): Promise<void> {
        const lease = await startRun(id, { tenant });
        await store.append(id, [{ type: "wait_started", kind: "event", key: "paid#0", eventKey }], {
          lease,
          expectedSeq: 1,
          status: "waiting",
          release: true,
        });
      }
      const claimAll = { workerId: "w2", limit: 10, leaseMs: LEASE_MS, workflows: ["order"] };

      it("a delivery wakes only the runs of its own tenant, and each tenant peeks only its own messages", async () => {
        await waitingRunOf("acme", "r1", "paid:o1");
        await waitingRunOf("globex", "r2", "paid:o1");
        clock.advance(100);

        const sent = await store.deliver({ eventKey: "paid:o1", payload: { by: "acme" }, tenant: "acme" });

        expect(sent.wokeRunIds).toEqual(["r1"]);
        expect((await store.claim(claimAll)).map((l) => l.runId)).toEqual(["r1"]);
        expect(await store.peekInbox("paid:o1", "acme")).toMatchObject({ id: sent.id, tenant: "acme" });
        expect(await store.peekInbox("paid:o1", "globex")).toBeUndefined();
        expect(await store.peekInbox("paid:o1")).toMatchObject({ id: sent.id });
      });

      it("a message of another tenant kept in the inbox does not wake a run that starts waiting on its key", async () => {
        await store.deliver({ eventKey: "paid:o1", payload: {}, tenant: "globex" });

        await waitingRunOf("acme", "r1", "paid:o1");

        expect(await store.getRun("r1")).toMatchObject({ status: "waiting" });
        expect((await store.getRun("r1"))?.readyAt).toBeUndefined();
        expect(await store.claim(claimAll)).toEqual([]);
      });
    });

    describe("API access", () => {
      const key = (id: string, extra: Partial<ApiKeyRecord> = {}): ApiKeyRecord => ({
        id,
        tenant: "acme",
        role: "operator",
        hash: `hash-of-${id}`,
        createdAt: clock.now(),
        ...extra,
      });

      it("API keys are found by hash, listed by tenant, and revoked once", async () => {
        await store.createApiKey(key("k1", { name: "ci" }));
        await store.createApiKey(key("k2", { tenant: "globex", role: "viewer" }));

        expect(await store.findApiKey("hash-of-k1")).toEqual(key("k1", { name: "ci" }));
        expect(await store.findApiKey("hash-of-nobody")).toBeUndefined();
        expect((await store.listApiKeys()).map((k) => k.id)).toEqual(["k1", "k2"]);
        expect((await store.listApiKeys({ tenant: "globex" })).map((k) => k.id)).toEqual(["k2"]);

        const revokedAt = clock.now();
        expect(await store.revokeApiKey("k1")).toMatchObject({ id: "k1", revokedAt });
        clock.advance(1_000);
        expect(await store.revokeApiKey("k1")).toMatchObject({ revokedAt });
        expect(await store.findApiKey("hash-of-k1")).toMatchObject({ revokedAt });
        expect(await store.revokeApiKey("nope")).toBeUndefined();
      });

      it("a secret keeps its first value", async () => {
        expect(await store.secret("links", "first")).toBe("first");
        expect(await store.secret("links", "second")).toBe("first");
        expect(await store.secret("other", "x")).toBe("x");
      });

      it("a token can be used once", async () => {
        expect(await store.useToken("t1", clock.now() + 1_000)).toBe(true);
        expect(await store.useToken("t1", clock.now() + 1_000)).toBe(false);
        expect(await store.useToken("t2", clock.now() + 1_000)).toBe(true);
      });

      it("concurrent first uses of a token let exactly one through", async () => {
        const uses = await Promise.all([1, 2, 3, 4].map(() => store.useToken("t1", clock.now() + 1_000)));
        expect(uses.filter(Boolean)).toHaveLength(1);
      });
    });

    describe.runIf(options.reopen !== undefined)("persistence", () => {
      it("runs, journals, waits and the inbox survive closing and reopening", async () => {
        await waitingRun("r1", { key: "paid#0", eventKey: "paid:o1" });
        await store.deliver({ eventKey: "other", payload: 1 });
        await store.close();

        const again = await reopen();

        expect(await again.getRun("r1")).toMatchObject({ status: "waiting", lastSeq: 2 });
        expect((await again.read("r1")).map((e) => e.type)).toEqual(["run_created", "wait_started"]);
        expect(await again.openWaits({ eventKey: "paid:o1" })).toHaveLength(1);
        expect(await again.peekInbox("other")).toMatchObject({ payload: 1 });
      });

      it("a writer on another handle is fenced like any other", async () => {
        const stale = await startRun("r1");
        const other = await reopen();
        clock.advance(LEASE_MS);
        const current = (await other.claimRun("r1", "w2", LEASE_MS)) as Lease;

        await expect(store.append("r1", step("a#0"), commit(stale, 1))).rejects.toMatchObject({ code: "lease_lost" });
        expect((await other.append("r1", step("a#0"), commit(current, 1))).lastSeq).toBe(3);
        expect(await store.head("r1")).toBe(3);
      });
    });

    describe("schedules", () => {
      const MINUTE = 60_000;
      function spec(extra: Partial<ScheduleSpec> = {}): ScheduleSpec {
        return {
          name: "nightly",
          cron: "0 2 * * *",
          timezone: "Europe/Paris",
          workflow: "order",
          input: { report: "sales" },
          catchUp: "latest",
          maxCatchUp: 100,
          nextFireAt: clock.now() + MINUTE,
          ...extra,
        };
      }
      /** Fires `name` from `expected` to `next`, starting one run per fire time given. */
      function fire(expected: number, next: number, ...fireIds: string[]) {
        return store.fireSchedule({
          name: "nightly",
          expectedNextFireAt: expected,
          nextFireAt: next,
          runs: fireIds.map((id) => newRun(id)),
          ...(fireIds.length ? { lastFiredAt: expected } : {}),
        });
      }

      it("upsertSchedule creates a schedule with its next fire and lists it", async () => {
        const created = await store.upsertSchedule(spec());

        const expected = { ...spec(), paused: false, createdAt: clock.now(), updatedAt: clock.now() };
        expect(created).toEqual(expected);
        expect(await store.listSchedules()).toEqual([expected]);
      });

      it("upserting the same cron keeps the next fire; a new cron or time zone takes the new one", async () => {
        const first = clock.now() + MINUTE;
        await store.upsertSchedule(spec({ nextFireAt: first }));
        clock.advance(10);

        const same = await store.upsertSchedule(spec({ nextFireAt: first + 999, input: { report: "costs" } }));
        expect(same).toMatchObject({ nextFireAt: first, input: { report: "costs" }, updatedAt: clock.now() });

        const moved = await store.upsertSchedule(spec({ cron: "0 3 * * *", nextFireAt: first + 5 }));
        expect(moved).toMatchObject({ cron: "0 3 * * *", nextFireAt: first + 5 });
        const rezoned = await store.upsertSchedule(spec({ cron: "0 3 * * *", timezone: "UTC", nextFireAt: first + 7 }));
        expect(rezoned).toMatchObject({ timezone: "UTC", nextFireAt: first + 7 });
      });

      it("fireSchedule moves the next fire and creates its runs; a second fire from the same value does nothing", async () => {
        const at = clock.now() + MINUTE;
        await store.upsertSchedule(spec({ nextFireAt: at }));
        clock.advance(MINUTE);

        const first = await fire(at, at + MINUTE, "r_fire1");
        const second = await fire(at, at + 2 * MINUTE, "r_fire1b");

        expect(first.fired).toBe(true);
        expect(first.runs.map((r) => [r.run.id, r.run.status, r.created])).toEqual([["r_fire1", "queued", true]]);
        expect(second).toEqual({ fired: false, runs: [] });
        expect(await store.getRun("r_fire1b")).toBeUndefined();
        expect((await store.listSchedules())[0]).toMatchObject({ nextFireAt: at + MINUTE, lastFiredAt: at, lastRunId: "r_fire1" });
        expect(await store.claim({ workerId: "w1", limit: 10, leaseMs: LEASE_MS, workflows: ["order"] })).toHaveLength(1);
      });

      it("concurrent fires of one due time fire it once", async () => {
        const at = clock.now() + MINUTE;
        await store.upsertSchedule(spec({ nextFireAt: at }));
        clock.advance(MINUTE);
        const others = options.reopen ? [await reopen(), await reopen()] : [store, store];

        const results = await Promise.all(
          [store, ...others].map((s, i) =>
            s.fireSchedule({
              name: "nightly",
              expectedNextFireAt: at,
              nextFireAt: at + MINUTE,
              runs: [newRun(`r_racer${i}`)],
              lastFiredAt: at,
            }),
          ),
        );

        expect(results.filter((r) => r.fired)).toHaveLength(1);
        expect((await store.listRuns()).runs).toHaveLength(1);
      });

      it("a fire whose run exists already (same fire time) creates no second run", async () => {
        const at = clock.now() + MINUTE;
        await store.upsertSchedule(spec({ nextFireAt: at }));
        await store.createRun(newRun("r_same"));

        const result = await fire(at, at + MINUTE, "r_same");

        expect(result.fired).toBe(true);
        expect(result.runs.map((r) => r.created)).toEqual([false]);
        expect((await store.listRuns()).runs).toHaveLength(1);
      });

      it("a fire may start several runs, or none and only move the next fire", async () => {
        const at = clock.now() + MINUTE;
        await store.upsertSchedule(spec({ nextFireAt: at }));

        const many = await fire(at, at + MINUTE, "r_a", "r_b", "r_c");
        const none = await fire(at + MINUTE, at + 2 * MINUTE);

        expect(many.runs.map((r) => r.run.id)).toEqual(["r_a", "r_b", "r_c"]);
        expect(none).toEqual({ fired: true, runs: [] });
        expect((await store.listSchedules())[0]).toMatchObject({ nextFireAt: at + 2 * MINUTE, lastRunId: "r_c" });
      });

      it("a paused schedule does not fire; resuming sets its next fire; unknown names give undefined", async () => {
        const at = clock.now() + MINUTE;
        await store.upsertSchedule(spec({ nextFireAt: at }));

        expect(await store.setSchedulePaused("nightly", true)).toMatchObject({ paused: true, nextFireAt: at });
        expect(await fire(at, at + MINUTE, "r_paused")).toEqual({ fired: false, runs: [] });
        expect(await store.upsertSchedule(spec({ nextFireAt: at }))).toMatchObject({ paused: true });
        expect(await store.setSchedulePaused("nightly", false, at + 5 * MINUTE)).toMatchObject({
          paused: false,
          nextFireAt: at + 5 * MINUTE,
        });
        expect(await store.setSchedulePaused("nope", true)).toBeUndefined();
        expect(await store.getRun("r_paused")).toBeUndefined();
      });
    });

    describe("retention", () => {
      async function endRun(id: string, type: "run_completed" | "run_failed"): Promise<void> {
        const lease = await startRun(id);
        const end: EventBody = type === "run_completed" ? { type, output: 1 } : { type, error: { code: "boom", message: "boom" } };
        await store.append(id, [end], commit(lease, 1));
      }

      it("prunes ended runs of one status older than the cutoff, in bounded batches, with their journals and consumed messages", async () => {
        await waitingRun("r_paid", { key: "paid#0", eventKey: "paid:1" });
        const { id: message } = await store.deliver({ eventKey: "paid:1", payload: 1 });
        const lease = (await store.claimRun("r_paid", "w1", LEASE_MS)) as Lease;
        const done: EventBody[] = [
          { type: "wait_resolved", key: "paid#0", payload: 1, by: "event" },
          { type: "run_completed", output: 1 },
        ];
        await store.append("r_paid", done, commit(lease, 2, { consume: [message] }));
        await endRun("r_done", "run_completed");
        await endRun("r_failed", "run_failed");
        await waitingRun("r_waiting", { key: "w#0", eventKey: "later" });
        await store.deliver({ eventKey: "unclaimed", payload: 2 });
        const cutoff = clock.now() + 1;
        clock.advance(10);
        await endRun("r_recent", "run_completed");

        expect(await store.pruneRuns({ status: "completed", before: cutoff, limit: 1 })).toEqual(["r_paid"]);
        expect(await store.pruneRuns({ status: "completed", before: cutoff, limit: 10 })).toEqual(["r_done"]);
        expect(await store.pruneRuns({ status: "completed", before: cutoff, limit: 10 })).toEqual([]);

        for (const id of ["r_paid", "r_done"]) {
          expect(await store.getRun(id)).toBeUndefined();
          expect(await store.read(id)).toEqual([]);
          expect(await store.journalChain(id)).toEqual([]);
        }
        const left = (await store.listRuns()).runs.map((r) => r.id).sort();
        expect(left).toEqual(["r_failed", "r_recent", "r_waiting"]);
        expect((await store.listInbox()).map((m) => m.eventKey)).toEqual(["unclaimed"]);
        expect(await store.pruneRuns({ status: "failed", before: cutoff, limit: 10 })).toEqual(["r_failed"]);
        // An id freed by pruning can be used again.
        expect((await store.createRun(newRun("r_done"))).created).toBe(true);
      });

      it("findPrunable names the runs a prune would take without deleting them; runIds limits a prune to those runs", async () => {
        for (const id of ["r_1", "r_2", "r_3"]) {
          await endRun(id, "run_completed");
          clock.advance(10);
        }
        const request = { status: "completed" as const, before: clock.now(), limit: 10 };

        expect(await store.findPrunable(request)).toEqual(["r_1", "r_2", "r_3"]);
        expect(await store.findPrunable({ ...request, limit: 2 })).toEqual(["r_1", "r_2"]);
        expect(await store.getRun("r_1")).toBeDefined();
        expect(await store.pruneRuns({ ...request, runIds: ["r_3", "r_1", "r_unknown"] })).toEqual(["r_1", "r_3"]);
        expect(await store.findPrunable(request)).toEqual(["r_2"]);
        expect(await store.findPrunable({ ...request, runIds: ["r_1"] })).toEqual([]);
      });

      it("expireInbox deletes, in bounded batches, old messages nobody consumed or waits for", async () => {
        const old1 = await store.deliver({ eventKey: "nobody", payload: 1 });
        const old2 = await store.deliver({ eventKey: "nobody", payload: 2, tenant: "acme" });
        const awaited = await store.deliver({ eventKey: "paid:1", payload: 3 });
        // Same key, other tenant: a run of tenant default waiting on it does not keep it.
        const foreign = await store.deliver({ eventKey: "paid:1", payload: 4, tenant: "acme" });
        await waitingRun("r_waiting", { key: "paid#0", eventKey: "paid:1" });
        await waitingRun("r_took", { key: "took#0", eventKey: "took:1" });
        const { id: taken } = await store.deliver({ eventKey: "took:1", payload: 5 });
        const lease = (await store.claimRun("r_took", "w1", LEASE_MS)) as Lease;
        await store.append(
          "r_took",
          [{ type: "wait_resolved", key: "took#0", payload: 5, by: "event" }],
          commit(lease, 2, { consume: [taken] }),
        );
        const cutoff = clock.now() + 1;
        clock.advance(10);
        const recent = await store.deliver({ eventKey: "nobody", payload: 6 });

        const first = await store.expireInbox({ before: cutoff, limit: 1 });
        const rest = await store.expireInbox({ before: cutoff, limit: 10 });
        expect(first).toHaveLength(1);
        expect([...first, ...rest].sort((a, b) => a - b)).toEqual([old1.id, old2.id, foreign.id]);
        expect(rest).toEqual([...rest].sort((a, b) => a - b));
        expect(await store.expireInbox({ before: cutoff, limit: 10 })).toEqual([]);

        expect((await store.listInbox()).map((m) => m.id)).toEqual([awaited.id, recent.id]);
        expect(await store.peekInbox("paid:1", "default")).toMatchObject({ id: awaited.id });
        expect(await store.read("r_took")).toHaveLength(3);
      });

      it("collectArtifacts deletes, in bounded batches, artifacts no remaining run references once the grace period passed", async () => {
        const bytes = (text: string) => new TextEncoder().encode(text);
        await endRun("r_old", "run_completed");
        await startRun("r_live");
        const onlyOld = await store.putArtifact(bytes("only r_old"), { runId: "r_old" });
        const alsoOld = await store.putArtifact(bytes("also only r_old"), { runId: "r_old" });
        const shared = await store.putArtifact(bytes("shared"), { runId: "r_old" });
        await store.putArtifact(bytes("shared"), { runId: "r_live" });
        const kept = await store.putArtifact(bytes("stored without a run"));
        const putAt = clock.now();
        clock.advance(60_000);

        expect(await store.collectArtifacts({ before: clock.now(), limit: 10 })).toEqual([]);
        expect(await store.pruneRuns({ status: "completed", before: clock.now(), limit: 10 })).toEqual(["r_old"]);
        // Not older than the cutoff: a run may be about to reference them.
        expect(await store.collectArtifacts({ before: putAt, limit: 10 })).toEqual([]);

        const first = await store.collectArtifacts({ before: putAt + 1, limit: 1 });
        const second = await store.collectArtifacts({ before: putAt + 1, limit: 1 });
        expect([...first, ...second].sort()).toEqual([onlyOld, alsoOld].sort());
        expect(await store.collectArtifacts({ before: clock.now() + 1, limit: 10 })).toEqual([]);
        expect(await store.getArtifact(onlyOld)).toBeUndefined();
        expect(await store.getArtifact(alsoOld)).toBeUndefined();
        expect(new TextDecoder().decode(await store.getArtifact(shared))).toBe("shared");
        expect(new TextDecoder().decode(await store.getArtifact(kept))).toBe("stored without a run");
      });

      it("storing an unreferenced artifact again restarts its grace period, and a run's put makes it referenced again", async () => {
        const bytes = new TextEncoder().encode("result");
        await endRun("r_old", "run_completed");
        const sha256 = await store.putArtifact(bytes, { runId: "r_old" });
        clock.advance(60_000);
        await store.pruneRuns({ status: "completed", before: clock.now(), limit: 10 });
        const cutoff = clock.now();
        await startRun("r_new");

        await store.putArtifact(bytes, { runId: "r_new" });
        clock.advance(60_000);

        expect(await store.collectArtifacts({ before: cutoff, limit: 10 })).toEqual([]);
        expect(await store.collectArtifacts({ before: clock.now() + 1, limit: 10 })).toEqual([]);
        expect(await store.getArtifact(sha256)).toEqual(bytes);
      });

      it("one owner at a time holds a maintenance lease, until it expires", async () => {
        const lease = (owner: string) => store.acquireMaintenanceLease({ name: "retention", owner, ttlMs: 60_000 });

        expect(await lease("w1")).toBe(true);
        expect(await lease("w2")).toBe(false);
        clock.advance(30_000);
        expect(await lease("w1")).toBe(true);
        clock.advance(59_000);
        expect(await lease("w2")).toBe(false);
        expect(await store.acquireMaintenanceLease({ name: "other", owner: "w2", ttlMs: 1_000 })).toBe(true);
        clock.advance(1_000);
        expect(await lease("w2")).toBe(true);
        expect(await lease("w1")).toBe(false);
      });
    });

    it("countUnfinished counts queued, running and waiting runs per workflow version, not ended ones", async () => {
      expect(await store.countUnfinished()).toEqual([]);
      await store.createRun(newRun("q1", { version: "v2" }));
      await store.createRun(newRun("q2", { version: "v2" }));
      await startRun("r1", { version: "v2" });
      await waitingRun("w1", { key: "go", eventKey: "k" });
      const done = await startRun("d1", { workflow: "invoice", version: "7" });
      await store.append("d1", [{ type: "run_completed", output: null }], { lease: done, expectedSeq: 1, release: true });
      await store.createRun(newRun("i1", { workflow: "invoice", version: "7" }));
      expect(await store.countUnfinished()).toEqual([
        { workflow: "invoice", version: "7", queued: 1, running: 0, waiting: 0 },
        { workflow: "order", version: "1", queued: 0, running: 0, waiting: 1 },
        { workflow: "order", version: "v2", queued: 2, running: 1, waiting: 0 },
      ]);
    });

    describe("live workers registry", () => {
      function workerInfo(id: string, extra: Partial<WorkerInfo> = {}): WorkerInfo {
        return {
          id,
          host: "host-a",
          pid: 4242,
          startedAt: clock.now() - 1_000,
          workflows: { order: ["v1", "v2"], "send-mail": ["3f9a"] },
          pinned: true,
          anyVersion: ["send-mail"],
          concurrency: 16,
          active: 0,
          ...extra,
        };
      }

      it("an announced worker is listed with what it holds until its ttl passes", async () => {
        await store.announceWorker(workerInfo("w_b"), 30_000);
        await store.announceWorker(workerInfo("w_a", { pinned: false, anyVersion: [], workflows: { order: ["v1"] } }), 10_000);

        expect(await store.listWorkers()).toEqual([
          {
            ...workerInfo("w_a", { pinned: false, anyVersion: [], workflows: { order: ["v1"] } }),
            seenAt: clock.now(),
            expiresAt: clock.now() + 10_000,
          },
          { ...workerInfo("w_b"), seenAt: clock.now(), expiresAt: clock.now() + 30_000 },
        ]);
        clock.advance(10_000);
        expect((await store.listWorkers()).map((w) => w.id)).toEqual(["w_b"]);
        expect((await store.listWorkers({ includeExpired: true })).map((w) => w.id)).toEqual(["w_a", "w_b"]);
        clock.advance(20_000);
        expect(await store.listWorkers()).toEqual([]);
      });

      it("announcing again replaces the worker's row and moves its expiry on", async () => {
        await store.announceWorker(workerInfo("w1"), 3_000);
        clock.advance(2_000);
        const now = clock.now();
        const renewed = workerInfo("w1", { workflows: { order: ["v2"] }, anyVersion: [], active: 5 });
        await store.announceWorker(renewed, 3_000);
        clock.advance(2_000);

        expect(await store.listWorkers()).toEqual([{ ...renewed, seenAt: now, expiresAt: now + 3_000 }]);
        expect(await store.listWorkers({ includeExpired: true })).toHaveLength(1);
      });

      it("a retired worker is gone at once, and announcing brings it back", async () => {
        await store.announceWorker(workerInfo("w1"), 30_000);
        await store.announceWorker(workerInfo("w2"), 30_000);

        await store.retireWorker("w1");
        await store.retireWorker("w_unknown");
        expect((await store.listWorkers({ includeExpired: true })).map((w) => w.id)).toEqual(["w2"]);
        await store.announceWorker(workerInfo("w1"), 30_000);
        expect((await store.listWorkers()).map((w) => w.id)).toEqual(["w1", "w2"]);
      });

      it("the row of a worker that never retired is deleted by an announcement a day after it lapsed", async () => {
        await store.announceWorker(workerInfo("w_dead"), 30_000);
        clock.advance(30_000 + LAPSED_WORKER_KEPT_MS - 1);
        await store.announceWorker(workerInfo("w_live"), 30_000);
        expect((await store.listWorkers({ includeExpired: true })).map((w) => w.id)).toEqual(["w_dead", "w_live"]);

        clock.advance(2);
        await store.announceWorker(workerInfo("w_live"), 30_000);
        expect((await store.listWorkers({ includeExpired: true })).map((w) => w.id)).toEqual(["w_live"]);
      });

      it("a worker announced without anyVersion is stored with none", async () => {
        const { anyVersion: _, ...info } = workerInfo("w1");
        await store.announceWorker(info, 30_000);
        expect((await store.listWorkers())[0]?.anyVersion).toEqual([]);
      });
    });

    describe("hash chain", () => {
      it("every event's hash chains from the one before, over exactly the bytes read returns", async () => {
        const lease = await startRun("r_chain");
        await store.append("r_chain", [{ type: "step_started", key: "a", attempt: 1 }], commit(lease, 1));
        clock.advance(5);
        const many: EventBody[] = [
          { type: "step_completed", key: "a", result: { text: "é ✓ \n", n: 1.5 } },
          { type: "step_started", key: "b", attempt: 1 },
          { type: "step_completed", key: "b", result: null },
        ];
        await store.append("r_chain", many, commit(lease, 2));

        const rows = await store.journalChain("r_chain");
        const events = await store.read("r_chain");
        expect(rows.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5]);
        expect(rows.map((r) => ({ seq: r.seq, type: r.type, at: new Date(r.at).toISOString(), ...JSON.parse(r.data) }))).toEqual(events);
        let previous = "";
        for (const row of rows) {
          previous = chainHash(previous, row.seq, row.type, row.at, row.data);
          expect(row.hash).toBe(previous);
        }
        expect(verifyChain(rows)).toEqual({ ok: true, events: 5, unchained: 0 });
        expect(await store.journalChain("r_unknown")).toEqual([]);
      });

      it("verifyChain names the first edited, removed or reordered event", async () => {
        const lease = await startRun("r_tamper");
        const steps: EventBody[] = ["a", "b", "c"].map((key) => ({ type: "step_started", key, attempt: 1 }));
        await store.append("r_tamper", steps, commit(lease, 1));
        const rows = await store.journalChain("r_tamper");

        const edited = rows.map((r) => (r.seq === 3 ? { ...r, data: r.data.replace('"b"', '"x"') } : r));
        expect(verifyChain(edited)).toMatchObject({ ok: false, firstBadSeq: 3 });
        expect(verifyChain(rows.filter((r) => r.seq !== 2))).toMatchObject({ ok: false, firstBadSeq: 2 });
        const [r1, r2, r3, r4] = rows as [ChainRow, ChainRow, ChainRow, ChainRow];
        const swapped = [r1, { ...r3, seq: 2 }, { ...r2, seq: 3 }, r4];
        expect(verifyChain(swapped)).toMatchObject({ ok: false, firstBadSeq: 2 });
        expect(verifyChain(rows.map((r) => (r.seq === 4 ? { ...r, hash: null } : r)))).toMatchObject({ ok: false, firstBadSeq: 4 });
      });

      it("a run created after the chain began stays chained: with every hash removed it fails verification", async () => {
        const lease = await startRun("r_stripped");
        await store.append("r_stripped", [{ type: "step_started", key: "a", attempt: 1 }], commit(lease, 1));
        const run = await store.getRun("r_stripped");
        const since = await store.chainSince();
        expect(run?.createdAt).toBeGreaterThan(since);
        const stripped = (await store.journalChain("r_stripped")).map((r) => ({ ...r, hash: null }));
        expect(verifyChain(stripped, { requireChain: (run?.createdAt ?? 0) > since })).toMatchObject({
          ok: false,
          firstBadSeq: 1,
          problem: expect.stringContaining("created after the journal's chain began"),
        });
        // Only a run from before the chain may have no hashes at all.
        expect(verifyChain(stripped)).toMatchObject({ ok: true, unchained: 2 });
      });
    });
  });
}
