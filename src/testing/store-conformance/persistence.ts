// Conformance across handles, for backends that can open a second one on the same storage: what a restart keeps,
// and fencing between writers on separate connections.
import { beforeEach, describe, expect, it } from "vitest";
import type { Lease, Store } from "../../store/index.js";
import { type FakeClock, type Harness, LEASE_MS } from "./harness.js";

export function persistenceConformance(t: Harness): void {
  let store: Store;
  let clock: FakeClock;
  beforeEach(() => ({ store, clock } = t));
  const { options, reopen, startRun, waitingRun, commit, step } = t;

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
}
