// The workers role's conformance: the live workers registry and unfinished runs counted per workflow version.
import { beforeEach, describe, expect, it } from "vitest";
import { LAPSED_WORKER_KEPT_MS, type Store, type WorkerInfo } from "../../store/index.js";
import type { FakeClock, Harness } from "./harness.js";

export function workersConformance(t: Harness): void {
  let store: Store;
  let clock: FakeClock;
  beforeEach(() => ({ store, clock } = t));
  const { newRun, startRun, waitingRun } = t;

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
}
