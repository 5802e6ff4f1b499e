// Several worker processes on one database, SIGKILLed at random while they work: every run completes,
// every step is journaled exactly once, and a step ran twice only when a worker died while it ran.
// The same scenario runs on SQLite (processes share one file) and on PostgreSQL (issue 3's 2,000-run load).
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { createEngine, type JournalEvent } from "../../src/index.js";
import { openStore } from "../../src/store/index.js";
import { runChaos } from "../support/chaos.js";
import { type Effect, fixture, freshDir, readEffects, removeTempDirs, sqliteUrl } from "../support/cli.js";
import { freshPgUrl } from "../support/postgres.js";
import five, { STEPS } from "../support/workflows/five.js";

afterAll(removeTempDirs);

interface Scenario {
  db: string;
  runs: number;
  workers: number;
  chaosMs: number;
  killEveryMs: number;
}

async function chaosScenario({ db, runs, workers, chaosMs, killEveryMs }: Scenario): Promise<void> {
  const dir = freshDir("duro-chaos-");
  const effectsFile = join(dir, "effects.jsonl");
  const engine = createEngine({ store: openStore(db), workflows: [five] });
  const started = performance.now();
  const ids: string[] = [];
  for (let n = 0; n < runs; n++) ids.push((await engine.start(five, { n })).id);
  const phases: Record<string, number> = { start: performance.now() - started };

  const chaosStarted = performance.now();
  const chaos = await runChaos({
    file: fixture("five.ts"),
    db,
    cwd: dir,
    env: { DURO_TEST_EFFECTS: effectsFile },
    workers,
    chaosMs,
    killEveryMs,
    leaseMs: 1_000,
  });
  phases.chaosAndDrain = performance.now() - chaosStarted;
  const checkStarted = performance.now();
  expect(chaos.kills).toBeGreaterThan(2);
  expect(chaos.finalCodes).toEqual(Array.from({ length: workers }, () => 0));

  const effects = new Map<string, Effect[]>();
  for (const effect of readEffects(effectsFile))
    effects.set(effect.idempotencyKey, [...(effects.get(effect.idempotencyKey) ?? []), effect]);
  let duplicates = 0;
  let handedOver = 0;
  for (const [index, id] of ids.entries()) {
    const run = await engine.get(id);
    expect(run.status, id).toBe("completed");
    expect(run.output).toBe(index + STEPS.length);
    const events: JournalEvent[] = await engine.events(id);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    const completed = events.flatMap((e) => (e.type === "step_completed" ? [e.key] : []));
    expect(completed).toEqual(STEPS.map((s) => `${s}#0`));
    for (const step of STEPS) {
      const ran = effects.get(`${id}:${step}#0`) ?? [];
      expect(ran.length).toBeGreaterThanOrEqual(1);
      // Each attempt number ran once: two holders of overlapping leases would both run the same attempt.
      expect(new Set(ran.map((e) => e.attempt)).size).toBe(ran.length);
      duplicates += ran.length - 1;
    }
    const pids = new Set(STEPS.flatMap((step) => (effects.get(`${id}:${step}#0`) ?? []).map((e) => e.pid)));
    if (pids.size > 1) handedOver++;
  }
  // The kills landed while work was in flight: runs moved from a dead worker to another process.
  expect(handedOver).toBeGreaterThan(0);
  // Only steps in flight in a killed worker (at most its concurrency of 4) run again.
  expect(duplicates).toBeLessThanOrEqual(chaos.kills * 4);
  phases.check = performance.now() - checkStarted;
  console.log(
    `${runs} runs, ${chaos.kills} kills, ${duplicates} steps re-run, ${handedOver} runs handed over; ms: ${JSON.stringify(phases, (_, v) => (typeof v === "number" ? Math.round(v) : v))}`,
  );
  await engine.close();
}

it("SQLite: 3 workers SIGKILLed at random complete 300 runs with an exactly-once journal", async () => {
  const db = sqliteUrl(join(freshDir("duro-chaos-db-"), "duro.db"));
  await chaosScenario({ db, runs: 300, workers: 3, chaosMs: 2_500, killEveryMs: 400 });
}, 120_000);

it("PostgreSQL: 4 workers SIGKILLed at random complete 2,000 runs of 5 steps with an exactly-once journal", async () => {
  await chaosScenario({ db: freshPgUrl(), runs: 2_000, workers: 4, chaosMs: 8_000, killEveryMs: 700 });
}, 240_000);
