// Three `duro worker` processes share a schedule firing every second, one of them SIGKILLed half way: every fire
// time in the window they ran produced exactly one run, with the id derived from the schedule and the fire time.
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { createEngine, type Engine, type RunRecord, scheduledRunId } from "../../src/index.js";
import { openStore } from "../../src/store/open.js";
import { fixture, freshDir, removeTempDirs, type SpawnedCli, spawnDuro, sqliteUrl } from "../support/cli.js";
import { freshPgUrl } from "../support/postgres.js";
import { tick } from "../support/workflows/ticker.js";

afterAll(removeTempDirs);

const SCHEDULE = "every-second";

async function allRuns(engine: Engine): Promise<RunRecord[]> {
  const runs: RunRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await engine.list({ workflow: "tick", limit: 200, ...(cursor === undefined ? {} : { cursor }) });
    runs.push(...page.runs);
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return runs;
}

/** Polls (bounded) until the schedule has started `count` runs. */
async function untilRuns(engine: Engine, count: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  while ((await allRuns(engine)).length < count) {
    if (Date.now() > deadline) throw new Error(`fewer than ${count} scheduled runs after 30 s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function threeWorkers(db: string): Promise<void> {
  const dir = freshDir("duro-sched-");
  const engine = createEngine({ store: openStore(db), workflows: [tick] });
  const before = Date.now();
  const start = (): SpawnedCli =>
    spawnDuro(["worker", fixture("ticker.ts"), "--db", db, "--lease-ms", "2000"], { cwd: dir, timeoutMs: 90_000 });
  const workers = [start(), start(), start()];

  await untilRuns(engine, 3);
  workers[0]?.child.kill("SIGKILL");
  const killed = await workers[0]?.result;
  await untilRuns(engine, 8);
  for (const w of workers.slice(1)) w.child.kill("SIGTERM");
  const stopped = await Promise.all(workers.slice(1).map((w) => w.result));

  expect(killed?.signal).toBe("SIGKILL");
  expect(stopped.map((r) => r.code)).toEqual([0, 0]);
  const runs = await allRuns(engine);
  const fireTimes: number[] = [];
  for (const run of runs) {
    const [created] = await engine.events(run.id);
    const scheduledAt = Date.parse((created?.type === "run_created" && (created.options.scheduledAt as string)) || "");
    expect(run.id).toBe(scheduledRunId(SCHEDULE, scheduledAt));
    fireTimes.push(scheduledAt);
  }
  fireTimes.sort((a, b) => a - b);
  const first = fireTimes[0] as number;
  const last = fireTimes.at(-1) as number;
  // No fire for a time before the schedule existed, and every second from the first fire to the last exactly once.
  expect(first).toBeGreaterThan(before);
  expect(fireTimes).toEqual(Array.from({ length: (last - first) / 1_000 + 1 }, (_, i) => first + i * 1_000));
  const schedules = await engine.schedules.list();
  expect(schedules).toHaveLength(1);
  expect(schedules[0]).toMatchObject({ name: SCHEDULE, lastFiredAt: last, lastRunId: scheduledRunId(SCHEDULE, last) });
  expect(schedules[0]?.nextFireAt).toBeGreaterThan(last);
  await engine.close();
}

it("SQLite: 3 workers (one SIGKILLed) fire an every-second schedule exactly once per second", async () => {
  await threeWorkers(sqliteUrl(join(freshDir("duro-sched-db-"), "duro.db")));
}, 120_000);

it("PostgreSQL: 3 workers (one SIGKILLed) fire an every-second schedule exactly once per second", async () => {
  await threeWorkers(freshPgUrl());
}, 120_000);
