// The work role's conformance: claims (one holder at a time), version pinning, lease holders and takeover,
// heartbeats and release, and timers that make runs claimable again.
import { beforeEach, describe, expect, it } from "vitest";
import type { Lease, Store } from "../../store/index.js";
import { type FakeClock, type Harness, LEASE_MS } from "./harness.js";

export function workConformance(t: Harness): void {
  let store: Store;
  let clock: FakeClock;
  beforeEach(() => ({ store, clock } = t));
  const { options, reopen, newRun, startRun, waitingRun, commit, step } = t;

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
}
