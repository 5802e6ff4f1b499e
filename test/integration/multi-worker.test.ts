// Several worker processes on one database, SIGKILLed at random while they work: every run completes,
// every step is journaled exactly once, and a step ran twice only when a worker died while it ran.
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { createEngine, type JournalEvent } from "../../src/index.js";
import { openStore } from "../../src/store/index.js";
import { runChaos } from "../support/chaos.js";
import { fixture, freshDir, readEffects, removeTempDirs, sqliteUrl } from "../support/cli.js";
import five, { STEPS } from "../support/workflows/five.js";

afterAll(removeTempDirs);

const RUNS = 300;

it("SQLite: 3 workers SIGKILLed at random complete every run with an exactly-once journal", async () => {
  const dir = freshDir("duro-chaos-");
  const effectsFile = join(dir, "effects.jsonl");
  const db = sqliteUrl(join(dir, "duro.db"));
  const engine = createEngine({ store: await openStore(db), workflows: [five] });
  const ids: string[] = [];
  for (let n = 0; n < RUNS; n++) ids.push((await engine.start(five, { n })).id);

  const chaos = await runChaos({
    file: fixture("five.ts"),
    db,
    cwd: dir,
    env: { DURO_TEST_EFFECTS: effectsFile },
    workers: 3,
    chaosMs: 2_500,
    killEveryMs: 400,
    leaseMs: 1_000,
  });
  expect(chaos.kills).toBeGreaterThan(2);
  expect(chaos.finalCodes).toEqual([0, 0, 0]);

  const effects = readEffects(effectsFile);
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
      const ran = effects.filter((e) => e.idempotencyKey === `${id}:${step}#0`);
      expect(ran.length).toBeGreaterThanOrEqual(1);
      // Each attempt number ran once: two holders of overlapping leases would both run the same attempt.
      expect(new Set(ran.map((e) => e.attempt)).size).toBe(ran.length);
      duplicates += ran.length - 1;
    }
    const pids = new Set(effects.filter((e) => e.idempotencyKey.startsWith(`${id}:`)).map((e) => e.pid));
    if (pids.size > 1) handedOver++;
  }
  // The kills landed while work was in flight: runs moved from a dead worker to another process.
  expect(handedOver).toBeGreaterThan(0);
  // Only steps in flight in a killed worker (at most its concurrency) run again.
  expect(duplicates).toBeLessThanOrEqual(chaos.kills * 4);
  await engine.close();
}, 120_000);
