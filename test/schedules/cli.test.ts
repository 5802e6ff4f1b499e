// `duro schedules list|pause|resume` against a real database: what it shows, what pausing does, and bad input.
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { createEngine } from "../../src/index.js";
import { openStore } from "../../src/store/open.js";
import { duro, duroJson, fixture, freshDir, removeTempDirs, sqliteUrl } from "../support/cli.js";
import { everySecond } from "../support/workflows/ticker.js";

afterAll(removeTempDirs);

interface Listed {
  name: string;
  cron: string;
  timezone: string;
  workflow: string;
  paused: boolean;
  nextFireAt: string;
  lastFiredAt: string | null;
  lastRunId?: string;
  lastRunStatus?: string;
}

it("lists schedules with their next and last fire and last run; pause and resume flip them, resume moves the next fire past now", async () => {
  const dir = freshDir("duro-sched-cli-");
  const db = sqliteUrl(join(dir, "duro.db"));
  // A clock that stands still, then jumps past one fire time.
  let now = Date.UTC(2025, 5, 1, 12);
  const engine = createEngine({ store: openStore(db), schedules: [everySecond], clock: () => now });
  await engine.schedules.fireDue();
  now += 1_000;
  const [fired] = await engine.schedules.fireDue();
  await engine.close();

  const listed = await duroJson<Listed[]>(["schedules", "list", "--db", db], { cwd: dir });
  const text = await duro(["schedules", "list", "--db", db], { cwd: dir });
  const paused = await duroJson<Listed>(["schedules", "pause", "every-second", "--db", db], { cwd: dir });
  const listedPaused = await duro(["schedules", "list", "--db", db], { cwd: dir });
  const resumed = await duroJson<Listed>(["schedules", "resume", "every-second", "--db", db], { cwd: dir });

  expect(listed).toEqual([
    expect.objectContaining({
      name: "every-second",
      cron: "* * * * * *",
      timezone: "UTC",
      workflow: "tick",
      paused: false,
      nextFireAt: "2025-06-01T12:00:02.000Z",
      lastFiredAt: "2025-06-01T12:00:01.000Z",
      lastRunId: fired?.runId,
      lastRunStatus: "queued",
    }),
  ]);
  expect(text.stdout).toMatch(/^NAME\s+CRON\s+TZ\s+WORKFLOW\s+NEXT FIRE\s+LAST FIRE\s+LAST RUN/);
  expect(text.stdout).toContain(
    `every-second  * * * * * *  UTC  tick      2025-06-01T12:00:02.000Z  2025-06-01T12:00:01.000Z  ${fired?.runId} (queued)`,
  );
  expect(paused.paused).toBe(true);
  expect(listedPaused.stdout).toMatch(/every-second .* paused /);
  expect(resumed.paused).toBe(false);
  // Resumed now (real time): the next fire is the first second after it, not the one before the pause.
  expect(Date.parse(resumed.nextFireAt)).toBeGreaterThan(Date.UTC(2025, 5, 1, 12, 0, 2));
});

it("bad input exits 2 with a code and a hint", async () => {
  const dir = freshDir("duro-sched-cli-");
  const db = sqliteUrl(join(dir, "duro.db"));
  expect((await duro(["db", "migrate", "--db", db], { cwd: dir })).code).toBe(0);

  const unknown = await duro(["schedules", "pause", "nope", "--db", db], { cwd: dir });
  const missing = await duro(["schedules", "resume", "--db", db], { cwd: dir });
  const wrong = await duro(["schedules", "fire", "--db", db], { cwd: dir });
  const empty = await duro(["schedules", "list", "--db", db], { cwd: dir });

  expect([unknown.code, missing.code, wrong.code]).toEqual([2, 2, 2]);
  expect(unknown.stderr).toContain("[schedule_not_found]");
  expect(unknown.stderr).toContain("duro schedules list");
  expect(missing.stderr).toContain("missing the schedule's name");
  expect(wrong.stderr).toContain('unknown "schedules fire"');
  expect(empty.stdout).toContain("no schedules");
});

it("duro worker refuses at start a schedule whose input the workflow's schema rejects", async () => {
  const dir = freshDir("duro-sched-cli-");
  const db = sqliteUrl(join(dir, "duro.db"));

  const worker = await duro(["worker", fixture("bad-schedule.ts"), "--db", db], { cwd: dir });

  expect(worker.code, worker.stderr).toBe(2);
  expect(worker.stderr).toContain("[input_invalid]");
  expect(worker.stderr).toContain('workflow "validated"');
  expect((await duroJson<unknown[]>(["schedules", "list", "--db", db], { cwd: dir })).length).toBe(0);
});
