// The runs role's conformance: creating runs (idempotent by id and key), listing them, ending and cancelling.
import { beforeEach, describe, expect, it } from "vitest";
import type { EventBody } from "../../core/index.js";
import { type Lease, type Store, verifyChain } from "../../store/index.js";
import { type FakeClock, type Harness, LEASE_MS } from "./harness.js";

export function runsConformance(t: Harness): void {
  let store: Store;
  let clock: FakeClock;
  beforeEach(() => ({ store, clock } = t));
  const { newRun, startRun, waitingRun, commit, step } = t;

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

    it("createRun journals followedBy right after run_created, in one chain, and the next append fences on it", async () => {
      const verified: EventBody = {
        type: "pack_verified",
        packId: "acme.pack",
        version: "1.0.0",
        digest: "sha256:ab",
        keyId: "ed25519:0f",
      };

      const { run } = await store.createRun(newRun("r_pack", { followedBy: [verified] }));
      const lease = await startRun("r_pack");
      await store.append("r_pack", step("a"), commit(lease, 2));

      expect(run.lastSeq).toBe(2);
      expect((await store.read("r_pack")).map((e) => [e.seq, e.type])).toEqual([
        [1, "run_created"],
        [2, "pack_verified"],
        [3, "step_started"],
        [4, "step_completed"],
      ]);
      expect((await store.read("r_pack", 2))[0]).toMatchObject(verified);
      expect(verifyChain(await store.journalChain("r_pack"))).toMatchObject({ ok: true, events: 4, unchained: 0 });
    });

    it("createRun journals the run's manifest in run_created, and a bookmark and a domain event read back as appended", async () => {
      const manifest = { codeHash: "sha256:ab", source: "/w/flow.yaml", duroVersion: "0.1.0", host: "build-1" };
      await store.createRun(newRun("r1", { manifest }));
      const lease = await startRun("r2");
      const marks: EventBody[] = [
        { type: "bookmark", key: "$bookmark:planned#0", name: "planned" },
        { type: "domain_event", key: "$emit:order.shipped#0", name: "order.shipped", data: { id: 7, lines: [1, 2] } },
      ];
      await store.append("r2", marks, commit(lease, 1));

      expect((await store.read("r1"))[0]).toMatchObject({ type: "run_created", manifest });
      expect((await store.read("r2", 2)).map(({ seq: _s, at: _a, ...body }) => body)).toEqual(marks);
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
}
