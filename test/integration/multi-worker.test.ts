// Several worker processes on one database, SIGKILLed at random while they work: every run completes,
// every step is journaled exactly once, a step ran twice only when a worker died while it ran, and a queue's
// per-key limit held across all the processes (no more than two runs of one customer at any moment).
// The same scenario runs on SQLite (processes share one file) and on PostgreSQL (issue 3's 2,000-run load).
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { createEngine, type JournalEvent } from "../../src/index.js";
import { openStore } from "../../src/store/open.js";
import { runChaos } from "../support/chaos.js";
import { type Effect, fixture, freshDir, readEffects, removeTempDirs, sqliteUrl } from "../support/cli.js";
import { expectFiveCompleted } from "../support/five-checks.js";
import { freshPgUrl } from "../support/postgres.js";
import five, { fiveKeyed, PER_CUSTOMER, STEPS } from "../support/workflows/five.js";

afterAll(removeTempDirs);

interface Scenario {
  db: string;
  runs: number;
  workers: number;
  chaosMs: number;
  killEveryMs: number;
  /** Customers the runs are spread over; every other run goes through the per-customer queue. */
  customers: number;
}

async function chaosScenario({ db, runs, workers, chaosMs, killEveryMs, customers }: Scenario): Promise<void> {
  const dir = freshDir("duro-chaos-");
  const effectsFile = join(dir, "effects.jsonl");
  const engine = createEngine({ store: openStore(db), workflows: [five, fiveKeyed] });
  const started = performance.now();
  const ids: string[] = [];
  for (let n = 0; n < runs; n++) {
    const handle = n % 2 === 0 ? await engine.start(five, { n }) : await engine.start(fiveKeyed, { n, customer: `c${n % customers}` });
    ids.push(handle.id);
  }
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
  // Every run completed, its journal gapless with each step journaled once.
  await expectFiveCompleted(engine, ids);
  for (const id of ids) {
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
  const overlap = await maxRunsAtOnceByKey(engine, ids);
  for (const [customer, most] of overlap) expect(most, customer).toBeLessThanOrEqual(PER_CUSTOMER);
  // The limit was reached, so it was what held runs back (the workers had more slots than the queue allowed).
  expect(Math.max(...overlap.values())).toBe(PER_CUSTOMER);
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

/**
 * The most runs of one customer that held a queue slot at the same moment. A run holds its slot from its admission
 * (admittedAt, read by the admitting claim after it has seen every earlier completion) to its run_completed.
 */
async function maxRunsAtOnceByKey(engine: ReturnType<typeof createEngine>, ids: string[]): Promise<Map<string, number>> {
  const edges = new Map<string, Array<[number, number]>>();
  for (const id of ids) {
    const record = await engine.store.getRun(id);
    if (record?.queue === undefined) continue;
    const completed = (await engine.events(id)).find((e) => e.type === "run_completed") as JournalEvent;
    const key = record.concurrencyKey as string;
    // Ends sort before starts at the same instant: a slot freed at t may be taken at t.
    edges.set(key, [...(edges.get(key) ?? []), [record.admittedAt as number, 1], [Date.parse(completed.at), -1]]);
  }
  const most = new Map<string, number>();
  for (const [key, list] of edges) {
    let now = 0;
    let peak = 0;
    for (const [, delta] of list.sort((a, b) => a[0] - b[0] || a[1] - b[1])) {
      now += delta;
      peak = Math.max(peak, now);
    }
    most.set(key, peak);
  }
  return most;
}

it("SQLite: 3 workers SIGKILLed at random complete 300 runs with an exactly-once journal", async () => {
  const db = sqliteUrl(join(freshDir("duro-chaos-db-"), "duro.db"));
  await chaosScenario({ db, runs: 300, workers: 3, chaosMs: 2_500, killEveryMs: 400, customers: 3 });
}, 240_000);

it("PostgreSQL: 4 workers SIGKILLed at random complete 2,000 runs of 5 steps with an exactly-once journal", async () => {
  await chaosScenario({ db: freshPgUrl(), runs: 2_000, workers: 4, chaosMs: 8_000, killEveryMs: 700, customers: 6 });
}, 480_000);
