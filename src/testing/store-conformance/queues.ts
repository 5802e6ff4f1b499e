// The queues role's conformance: admission by concurrency, keys, priority and rate limits, across workers.
import { beforeEach, describe, expect, it } from "vitest";
import type { Lease, Store } from "../../store/index.js";
import { type FakeClock, type Harness, LEASE_MS } from "./harness.js";

export function queuesConformance(t: Harness): void {
  let store: Store;
  let clock: FakeClock;
  beforeEach(() => ({ store, clock } = t));
  const { options, reopen, newRun, commit } = t;

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
}
