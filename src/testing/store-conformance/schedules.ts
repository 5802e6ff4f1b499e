// The schedules role's conformance: upserts that keep a schedule's state, fires that happen exactly once, pausing.
import { beforeEach, describe, expect, it } from "vitest";
import type { ScheduleSpec, Store } from "../../store/index.js";
import { type FakeClock, type Harness, LEASE_MS } from "./harness.js";

export function schedulesConformance(t: Harness): void {
  let store: Store;
  let clock: FakeClock;
  beforeEach(() => ({ store, clock } = t));
  const { options, reopen, newRun } = t;

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
}
