// The maintenance role's conformance: retention of runs, artifacts and inbox messages in bounded batches, and the
// maintenance lease.
import { beforeEach, describe, expect, it } from "vitest";
import type { EventBody } from "../../core/index.js";
import type { Lease, Store } from "../../store/index.js";
import { type FakeClock, type Harness, LEASE_MS } from "./harness.js";

export function maintenanceConformance(t: Harness): void {
  let store: Store;
  let clock: FakeClock;
  beforeEach(() => ({ store, clock } = t));
  const { newRun, startRun, waitingRun, commit } = t;

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
}
