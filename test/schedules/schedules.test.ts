// Schedules driven by a fake clock on every store: fire times (with a daylight-saving time zone), catch-up after
// downtime, deterministic run ids, exactly one run per fire time across engines, cron changes, pause and resume.
import { createEngine, type FiredRun, type ScheduleOptions, schedule, scheduledRunId, workflow } from "duro";
import { describe, expect, it } from "vitest";
import { harness, STORES } from "../support/engine.js";

const report = workflow("report", async (ctx, input: { kind: string }) => ctx.step("write", () => `${input.kind} report`));
const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

/** A harness whose engine fires `nightly` (a schedule of `report`) with these options. */
function scheduled(kind: (typeof STORES)[number], options: ScheduleOptions) {
  const nightly = schedule("nightly", options, report, { kind: "sales" });
  const h = harness(kind, [], { schedules: [nightly] });
  const fire = async () => (await h.engine.schedules.fireDue()).map((f) => f.fireAt);
  const next = async () => (await h.engine.schedules.list())[0]?.nextFireAt as number;
  return { ...h, nightly, fire, next };
}

describe.each(STORES)("%s store", (kind) => {
  it("fires once per cron time, into a run whose id derives from the schedule and the fire time", async () => {
    const { engine, clock, settle, fire, next } = scheduled(kind, { cron: "*/15 * * * *" });
    const start = clock.now();

    expect(await fire()).toEqual([]);
    expect(await next()).toBe(start + 15 * 60_000);
    clock.advance(15 * 60_000);
    const fired: FiredRun[] = await engine.schedules.fireDue();
    expect(await fire()).toEqual([]);

    const runId = scheduledRunId("nightly", start + 15 * 60_000);
    expect(fired).toEqual([{ schedule: "nightly", fireAt: iso(start + 15 * 60_000), runId, created: true }]);
    expect(await settle(runId)).toMatchObject({ status: "completed", output: "sales report" });
    const [created] = await engine.events(runId);
    expect(created).toMatchObject({ type: "run_created", options: { schedule: "nightly", scheduledAt: iso(start + 15 * 60_000) } });
    expect((await engine.schedules.list())[0]).toMatchObject({
      lastFiredAt: start + 15 * 60_000,
      lastRunId: runId,
      lastRunStatus: "completed",
      nextFireAt: start + 30 * 60_000,
    });
  });

  it("a new schedule never fires for times before it existed", async () => {
    const { clock, fire, next } = scheduled(kind, { cron: "0 * * * *" });
    clock.advance(HOUR + 7 * 60_000); // 01:07, an hour after the last fire time before it

    expect(await fire()).toEqual([]);
    expect(await next()).toBe(Date.UTC(2025, 0, 1, 2));
  });

  it("follows the time zone through daylight-saving changes: a skipped time fires after the gap, a repeated one once", async () => {
    const { clock, fire, next } = scheduled(kind, { cron: "30 2 * * *", timezone: "Europe/Paris" });
    const fired: string[] = [];
    for (const day of [Date.UTC(2025, 2, 28), Date.UTC(2025, 9, 24)]) {
      clock.advance(day - clock.now());
      await fire(); // registers, or moves past the days between the two windows
      for (let i = 0; i < 3; i++) {
        clock.advance((await next()) - clock.now());
        fired.push(...(await fire()));
      }
    }

    expect(fired).toEqual([
      "2025-03-28T01:30:00.000Z", // 02:30 CET
      "2025-03-29T01:30:00.000Z",
      "2025-03-30T01:00:00.000Z", // 02:30 does not exist that night: 03:00 CEST, the first time after the gap
      "2025-10-24T00:30:00.000Z", // 02:30 CEST
      "2025-10-25T00:30:00.000Z",
      "2025-10-26T00:30:00.000Z", // 02:30 happens twice that night: it fires on the first only
    ]);
    expect(await next()).toBe(Date.parse("2025-10-27T01:30:00.000Z")); // 02:30 CET again
  });

  describe("catch-up after downtime (hourly; no worker from 00:00 to 05:30)", () => {
    async function afterDowntime(options: Partial<ScheduleOptions>) {
      const h = scheduled(kind, { cron: "0 * * * *", ...options });
      await h.fire();
      h.clock.advance(5.5 * HOUR);
      const fired = await h.fire();
      return { ...h, fired, nextAfter: await h.next() };
    }
    const at = (hour: number) => iso(Date.UTC(2025, 0, 1, hour));

    it('"latest" (the default) starts the latest missed fire once', async () => {
      const { fired, nextAfter, engine } = await afterDowntime({});

      expect(fired).toEqual([at(5)]);
      expect(nextAfter).toBe(Date.UTC(2025, 0, 1, 6));
      expect((await engine.list()).runs.map((r) => r.id)).toEqual([scheduledRunId("nightly", Date.UTC(2025, 0, 1, 5))]);
    });

    it('"all" starts every missed fire, oldest first, at most maxCatchUp of them', async () => {
      expect((await afterDowntime({ catchUp: "all" })).fired).toEqual([at(1), at(2), at(3), at(4), at(5)]);
      expect((await afterDowntime({ catchUp: "all", maxCatchUp: 2 })).fired).toEqual([at(4), at(5)]);
    });

    it('"none" skips the missed fires and fires on time again afterwards', async () => {
      const { fired, nextAfter, clock, fire, engine } = await afterDowntime({ catchUp: "none" });

      expect(fired).toEqual([]);
      expect(nextAfter).toBe(Date.UTC(2025, 0, 1, 6));
      clock.advance(30 * 60_000 + 10_000); // 06:00:10, found 10 s late: on time
      expect(await fire()).toEqual([at(6)]);
      expect((await engine.list()).runs).toHaveLength(1);
    });
  });

  it("two engines on one store firing the same due time start one run", async () => {
    const { engine, store, clock, nightly } = scheduled(kind, { cron: "0 * * * *", catchUp: "all" });
    const other = createEngine({ store, schedules: [nightly], clock: () => clock.now(), workerId: "other" });
    await engine.schedules.fireDue();
    clock.advance(3 * HOUR);

    const fired = (await Promise.all([engine.schedules.fireDue(), other.schedules.fireDue(), engine.schedules.fireDue()])).flat();

    expect(fired.map((f) => f.fireAt).sort()).toEqual([1, 2, 3].map((h) => iso(Date.UTC(2025, 0, 1, h))));
    expect((await engine.list()).runs).toHaveLength(3);
  });

  it("changing a schedule's cron recomputes its next fire; an unchanged definition keeps it", async () => {
    const { engine, store, clock, next } = scheduled(kind, { cron: "0 * * * *" });
    await engine.schedules.fireDue();
    clock.advance(20 * 60_000);
    const again = createEngine({
      store,
      schedules: [schedule("nightly", { cron: "0 * * * *" }, report, { kind: "costs" })],
      clock: () => clock.now(),
    });
    await again.schedules.fireDue();
    expect(await next()).toBe(Date.UTC(2025, 0, 1, 1));
    expect((await engine.schedules.list())[0]?.input).toEqual({ kind: "costs" });

    const changed = createEngine({
      store,
      schedules: [schedule("nightly", { cron: "*/15 * * * *" }, report, { kind: "x" })],
      clock: () => clock.now(),
    });
    await changed.schedules.fireDue();

    expect(await next()).toBe(Date.UTC(2025, 0, 1, 0, 30));
  });

  it("a paused schedule does not fire; resumed, it fires from the next time after now", async () => {
    const { engine, clock, fire, next } = scheduled(kind, { cron: "0 * * * *" });
    await fire();

    expect(await engine.schedules.pause("nightly")).toMatchObject({ paused: true });
    clock.advance(3.5 * HOUR);
    expect(await fire()).toEqual([]);
    await engine.schedules.resume("nightly");
    expect(await next()).toBe(Date.UTC(2025, 0, 1, 4));
    expect(await fire()).toEqual([]);
    clock.advance(30 * 60_000);
    expect(await fire()).toEqual([iso(Date.UTC(2025, 0, 1, 4))]);
    await expect(engine.schedules.pause("nope")).rejects.toMatchObject({ code: "schedule_not_found", category: "input" });
  });
});

describe("schedule definitions", () => {
  it.each([
    [{ cron: "every day" }, "invalid_cron"],
    [{ cron: "0 2 * * *", timezone: "Mars/Olympus" }, "invalid_timezone"],
    [{ cron: "0 2 * * *", catchUp: "some" as never }, "invalid_catch_up"],
    [{ cron: "0 2 * * *", maxCatchUp: 0 }, "invalid_catch_up"],
  ])("bad options %j fail with %s", (options, code) => {
    expect(() => schedule("s", options, report, { kind: "x" })).toThrow(expect.objectContaining({ code, category: "definition" }));
  });

  it("a bad name or a missing workflow fails at definition", () => {
    expect(() => schedule("no spaces", { cron: "0 2 * * *" }, report, { kind: "x" })).toThrow(
      expect.objectContaining({ code: "invalid_schedule_name" }),
    );
    expect(() => schedule("s", { cron: "0 2 * * *" }, {} as typeof report, { kind: "x" })).toThrow(
      expect.objectContaining({ code: "invalid_schedule" }),
    );
  });

  it("two different schedules with one name cannot be registered together", () => {
    const { engine } = harness("memory", []);
    const a = schedule("s", { cron: "0 2 * * *" }, report, { kind: "a" });
    const b = schedule("s", { cron: "0 3 * * *" }, report, { kind: "b" });
    expect(() => createEngine({ store: engine.store, schedules: [a, b] })).toThrow(expect.objectContaining({ code: "duplicate_schedule" }));
  });

  it("an input the workflow's schema refuses fails when the engine syncs, naming the schedule's workflow", async () => {
    const typed = workflow(
      "typed",
      { input: { "~standard": { version: 1, vendor: "t", validate: () => ({ issues: [{ message: "no" }] }) } } },
      async () => 1,
    );
    const { engine } = harness("memory", [], { schedules: [schedule("s", { cron: "0 2 * * *" }, typed, {})] });
    await expect(engine.schedules.fireDue()).rejects.toMatchObject({ code: "input_invalid" });
  });
});
