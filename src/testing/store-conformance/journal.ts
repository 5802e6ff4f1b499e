// The journal role's conformance: appends in seq order without gaps, fencing by lease and expected seq, the hash chain.
import { beforeEach, describe, expect, it } from "vitest";
import type { EventBody } from "../../core/index.js";
import { type ChainRow, chainHash, type Lease, type Store, verifyChain } from "../../store/index.js";
import { type FakeClock, type Harness, LEASE_MS } from "./harness.js";

export function journalConformance(t: Harness): void {
  let store: Store;
  let clock: FakeClock;
  beforeEach(() => ({ store, clock } = t));
  const { startRun, commit, step } = t;

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
}
