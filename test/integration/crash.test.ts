// Crash tests with real processes: `duro run` is SIGKILLed at each failpoint (or from outside at a random
// moment), then `duro worker` takes the run over once the dead process's lease expires. The side-effect log
// and the journal must show at-least-once effects with stable idempotency keys and an exactly-once journal.
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { JournalEvent, RunDetails } from "../../src/index.js";
import {
  type CliOptions,
  duro,
  duroJson,
  type Effect,
  effectsByKey,
  fixture,
  freshDir,
  readEffects,
  removeTempDirs,
  spawnDuro,
  sqliteUrl,
} from "../support/cli.js";

afterAll(removeTempDirs);

const CRASHABLE = fixture("crashable.ts");
const WAITING = fixture("waiting.ts");
const LEASE_MS = "500";
/** Each test has its own database, so every run can have this id (given with --id). */
const RUN_ID = "r_crash_1";
const TEST_TIMEOUT = 60_000;

const INPUT = { sku: "A1", qty: 2 };
const EXPECTED_OUTPUT = {
  reservation: "res-A1",
  charged: 40,
  invoice: "INV-res-A1",
  total: 40,
  label: "LBL-res-A1",
  shipment: "TRK-LBL-res-A1",
  notice: "sent INV-res-A1 and TRK-LBL-res-A1",
};
const STEP_KEYS = ["reserve#0", "charge#0", "invoice#0", "label#0", "ship#0", "notify#0"];

/** A temp dir with a SQLite file and a side-effect log, and the options every CLI call in it uses. */
function scene() {
  const dir = freshDir("duro-crash-");
  const effects = join(dir, "effects.jsonl");
  const db = sqliteUrl(join(dir, "duro.db"));
  const cli = (env: Record<string, string> = {}): CliOptions => ({
    cwd: dir,
    env: { DURO_TEST_EFFECTS: effects, ...env },
    timeoutMs: 20_000,
  });
  return { dir, effects, db, cli };
}

/** The run as `duro runs show --json` and its journal as `duro runs events --json` report them. */
async function inspect(runId: string, db: string, options: CliOptions): Promise<{ run: RunDetails; events: JournalEvent[] }> {
  const [run, events] = await Promise.all([
    duroJson<RunDetails>(["runs", "show", runId, "--db", db], options),
    duroJson<JournalEvent[]>(["runs", "events", runId, "--db", db], options),
  ]);
  return { run, events };
}

/** Runs `duro worker <file> --until-idle` with a short lease; it must take over and finish exactly one run. */
async function recoverWithWorker(file: string, db: string, options: CliOptions) {
  const worker = await duro(["worker", file, "--until-idle", "--lease-ms", LEASE_MS, "--db", db, "--json"], options);
  expect(worker.code, worker.stderr).toBe(0);
  expect(JSON.parse(worker.stdout)).toMatchObject({ completed: 1, failed: 0, cancelled: 0 });
  return worker;
}

/** seqs 1..n without gap or duplicate, created first and completed last, every started step completed once. */
function expectSoundJournal(events: JournalEvent[]): void {
  expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
  expect(events[0]?.type).toBe("run_created");
  expect(events.at(-1)?.type).toBe("run_completed");
  expect(events.filter((e) => e.type === "run_completed" || e.type === "run_failed" || e.type === "run_cancelled")).toHaveLength(1);
  const started = new Set(events.flatMap((e) => (e.type === "step_started" ? [e.key] : [])));
  for (const key of started) {
    expect(
      events.filter((e) => e.type === "step_completed" && e.key === key),
      `step_completed of ${key}`,
    ).toHaveLength(1);
  }
  for (const event of events)
    if (event.type === "step_completed") expect(started.has(event.key), `${event.key} completed without starting`).toBe(true);
  expect(events.filter((e) => e.type === "step_failed")).toEqual([]);
}

/** The attempt numbers journaled by step_started, per step key. */
function startedAttempts(events: JournalEvent[]): Map<string, number[]> {
  const byKey = new Map<string, number[]>();
  for (const e of events) if (e.type === "step_started") byKey.set(e.key, [...(byKey.get(e.key) ?? []), e.attempt]);
  return byKey;
}

/**
 * Each step's function ran exactly once, as attempt 1, unless `expected` lists its attempts; every run of a step
 * had the same idempotency key, and a second run happened in the worker after the first in the killed process.
 */
function expectEffects(
  effects: Effect[],
  runId: string,
  keys: string[],
  expected: Record<string, number[]>,
  pids: { killed: number; worker: number },
): void {
  const byKey = effectsByKey(effects);
  expect([...byKey.keys()].sort()).toEqual([...keys].sort());
  for (const key of keys) {
    const ran = byKey.get(key) ?? [];
    expect(
      ran.map((e) => e.attempt),
      `attempts of ${key}`,
    ).toEqual(expected[key] ?? [1]);
    for (const effect of ran) expect(effect.idempotencyKey).toBe(`${runId}:${key}`);
    if (ran.length === 2) expect(ran.map((e) => e.pid)).toEqual([pids.killed, pids.worker]);
    if (ran.length === 1 && ran[0]?.attempt === 2) expect(ran[0].pid).toBe(pids.worker);
  }
}

interface StepCrash {
  failpoint: string;
  /** Attempts the effect log shows, for the steps that did not simply run once (attempt 1). */
  attempts: Record<string, number[]>;
}

// invoice#0 (30 ms) runs beside label#0 (120 ms): every failpoint on it also interrupts label#0.
const STEP_CRASHES: StepCrash[] = [
  { failpoint: "before_step:charge#0", attempts: { "charge#0": [2] } },
  { failpoint: "during_step:charge#0", attempts: { "charge#0": [1, 2] } },
  { failpoint: "after_step_effect:charge#0", attempts: { "charge#0": [1, 2] } },
  // charge#0's result is committed together with the step_started of the two parallel steps that follow it.
  { failpoint: "after_step_journaled:charge#0", attempts: { "invoice#0": [2], "label#0": [2] } },
  { failpoint: "before_step:invoice#0", attempts: { "invoice#0": [2], "label#0": [2] } },
  { failpoint: "during_step:invoice#0", attempts: { "invoice#0": [1, 2], "label#0": [2] } },
  { failpoint: "after_step_effect:invoice#0", attempts: { "invoice#0": [1, 2], "label#0": [1, 2] } },
  { failpoint: "after_step_journaled:invoice#0", attempts: { "label#0": [1, 2] } },
];

describe.concurrent("crash recovery with real processes", () => {
  for (const { failpoint, attempts } of STEP_CRASHES) {
    it(`a run killed at ${failpoint} is finished by a worker with every step journaled once`, { timeout: TEST_TIMEOUT }, async () => {
      const { effects, db, cli } = scene();

      const killed = await duro(
        ["run", CRASHABLE, "--id", RUN_ID, "--input", JSON.stringify(INPUT), "--db", db, "--lease-ms", LEASE_MS],
        cli({ DURO_FAILPOINTS: failpoint }),
      );
      expect(killed.signal, `${killed.stdout}\n${killed.stderr}`).toBe("SIGKILL");
      expect(killed.stderr).toContain(`failpoint ${failpoint} hit`);

      const worker = await recoverWithWorker(CRASHABLE, db, cli());

      const { run, events } = await inspect(RUN_ID, db, cli());
      expect(run.status).toBe("completed");
      expect(run.output).toEqual(EXPECTED_OUTPUT);
      expectSoundJournal(events);
      expect([...startedAttempts(events).keys()].sort()).toEqual([...STEP_KEYS].sort());
      for (const [key, journaled] of startedAttempts(events)) {
        expect(journaled, `step_started attempts of ${key}`).toEqual(key in attempts ? [1, 2] : [1]);
      }
      expectEffects(readEffects(effects), RUN_ID, STEP_KEYS, attempts, { killed: killed.pid, worker: worker.pid });
    });
  }

  it("a run killed while_waiting for an event completes once the event is signalled and a worker runs", {
    timeout: TEST_TIMEOUT,
  }, async () => {
    const { effects, db, cli } = scene();
    const key = "pay:order-7";

    const killed = await duro(
      [
        "run",
        WAITING,
        "--workflow",
        "awaits-event",
        "--id",
        RUN_ID,
        "--input",
        JSON.stringify({ key }),
        "--db",
        db,
        "--lease-ms",
        LEASE_MS,
      ],
      cli({ DURO_FAILPOINTS: "while_waiting:payment#0" }),
    );
    expect(killed.signal, `${killed.stdout}\n${killed.stderr}`).toBe("SIGKILL");
    expect(killed.stderr).toContain("failpoint while_waiting:payment#0 hit");
    // Only a run whose suspension was committed is woken by the event.
    const signalled = await duroJson<{ wokeRunIds: string[] }>(
      ["signal", key, "--payload", JSON.stringify({ amount: 40 }), "--db", db],
      cli(),
    );
    expect(signalled.wokeRunIds).toEqual([RUN_ID]);

    const worker = await recoverWithWorker(WAITING, db, cli());

    const { run, events } = await inspect(RUN_ID, db, cli());
    expect(run.status).toBe("completed");
    expect(run.output).toEqual({ order: `order-for-${key}`, payment: { amount: 40 }, receipt: `order-for-${key} paid {"amount":40}` });
    expectSoundJournal(events);
    expect(events.filter((e) => e.type === "wait_started" && e.key === "payment#0")).toHaveLength(1);
    expect(events.filter((e) => e.type === "wait_resolved" && e.key === "payment#0")).toMatchObject([
      { payload: { amount: 40 }, by: "event" },
    ]);
    expectEffects(readEffects(effects), RUN_ID, ["prepare#0", "fulfil#0"], {}, { killed: killed.pid, worker: worker.pid });
    expect(readEffects(effects).map((e) => e.pid)).toEqual([killed.pid, worker.pid]);
  });

  it("a run SIGKILLed from outside at a random moment among many short steps is finished by a worker", {
    timeout: TEST_TIMEOUT,
  }, async () => {
    const { effects, db, cli } = scene();
    const steps = 40;
    const killAfterEffects = 3 + Math.floor(Math.random() * 25);
    const extraDelayMs = Math.floor(Math.random() * 20);
    const seed = `killed after ${killAfterEffects} effects + ${extraDelayMs} ms`;

    const started = spawnDuro(
      ["run", CRASHABLE, "--workflow", "many", "--id", RUN_ID, "--input", JSON.stringify({ steps }), "--db", db, "--lease-ms", LEASE_MS],
      cli(),
    );
    await until(() => readEffects(effects).length >= killAfterEffects || started.child.exitCode !== null, 15_000, seed);
    await new Promise((resolve) => setTimeout(resolve, extraDelayMs));
    started.child.kill("SIGKILL");
    const killed = await started.result;
    expect(killed.signal, seed).toBe("SIGKILL");

    const worker = await recoverWithWorker(CRASHABLE, db, cli());

    const { run, events } = await inspect(RUN_ID, db, cli());
    expect(run.status, seed).toBe("completed");
    expect(run.output, seed).toEqual({ steps, sum: sumOfSquaresBelow(steps) });
    expectSoundJournal(events);
    const keys = Array.from({ length: steps }, (_, i) => `tick#${i}`);
    const journaled = startedAttempts(events);
    expect([...journaled.keys()], seed).toEqual(keys);
    // Steps are sequential: at most the one in flight at the kill was started twice.
    const restarted = keys.filter((key) => (journaled.get(key) ?? []).length > 1);
    expect(restarted.length, seed).toBeLessThanOrEqual(1);
    for (const key of restarted) expect(journaled.get(key), seed).toEqual([1, 2]);
    // The restarted step ran in the killed process (attempt 1) unless the kill came before its function was called.
    const ranTwice = Object.fromEntries(
      restarted.map((key) => [key, effectsByKey(readEffects(effects)).get(key)?.length === 2 ? [1, 2] : [2]]),
    );
    expectEffects(readEffects(effects), RUN_ID, keys, ranTwice, { killed: killed.pid, worker: worker.pid });
  });
});

function sumOfSquaresBelow(n: number): number {
  return Array.from({ length: n }, (_, i) => i * i).reduce((a, b) => a + b, 0);
}

async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
