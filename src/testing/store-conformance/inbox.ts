// The inbox role's conformance: deliveries kept until a waiting run of their tenant consumes them, and open waits.
import { beforeEach, describe, expect, it } from "vitest";
import type { EventBody } from "../../core/index.js";
import type { Lease, Store } from "../../store/index.js";
import { type FakeClock, type Harness, LEASE_MS } from "./harness.js";

export function inboxConformance(t: Harness): void {
  let store: Store;
  let clock: FakeClock;
  beforeEach(() => ({ store, clock } = t));
  const { startRun, waitingRun, commit } = t;

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

    it("an external tool call's wait keeps its tool, call id and arguments", async () => {
      const lease = await startRun("r1");
      const args = { path: "src/a.ts", lines: [1, 2], options: { follow: true } };
      await store.append(
        "r1",
        [{ type: "wait_started", key: "ide/tool:open#0", kind: "tool", eventKey: "tool:r1", tool: "open", callId: "call_7", args }],
        commit(lease, 1, { status: "waiting", release: true }),
      );
      expect(await store.openWaits({ runId: "r1" })).toEqual([
        { runId: "r1", key: "ide/tool:open#0", kind: "tool", eventKey: "tool:r1", tool: "open", callId: "call_7", args },
      ]);
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
}
