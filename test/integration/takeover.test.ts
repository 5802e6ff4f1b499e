// Taking over a crashed process's runs at once on the same machine, with real processes: `duro run` is SIGKILLed from
// outside while its step is in flight, and the user's next command (`duro worker --until-idle`, or `duro resume <id>`)
// finishes the run without waiting for the dead process's 30 s lease; a live holder's run is left to it.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { JournalEvent, RunDetails } from "../../src/index.js";
import {
  type CliOptions,
  duro,
  duroJson,
  effectsByKey,
  fixture,
  freshDir,
  readEffects,
  removeTempDirs,
  type SpawnedCli,
  spawnDuro,
  sqliteUrl,
} from "../support/cli.js";
import { until } from "../support/poll.js";
import { freshPgUrl } from "../support/postgres.js";

afterAll(removeTempDirs);

const HELD = fixture("held.ts");
const RUN_ID = "r_takeover_1";
const TEST_TIMEOUT = 200_000;
/** The lease `duro run` takes: far longer than any command here may take, so that none can wait for it to expire. */
const RUN_LEASE_MS = "600000";
/**
 * Every command's own time limit (a slow machine needs seconds to start one). The dead process's lease outlasts it
 * tenfold, so a command that waited for the lease to expire instead of taking the run over fails by being killed.
 */
const COMMAND_LIMIT_MS = 60_000;

const STORES: Array<{ name: string; db: (dir: string) => string }> = [
  { name: "SQLite", db: (dir) => sqliteUrl(join(dir, "duro.db")) },
  { name: "PostgreSQL", db: () => freshPgUrl() },
];

/** A temp dir with a database, a side-effect log and the file that releases the held step. */
function scene(db: (dir: string) => string) {
  const dir = freshDir("duro-takeover-");
  const effects = join(dir, "effects.jsonl");
  const release = join(dir, "release");
  const cli = (timeoutMs = COMMAND_LIMIT_MS): CliOptions => ({
    cwd: dir,
    env: { DURO_TEST_EFFECTS: effects, DURO_TEST_RELEASE: release },
    timeoutMs,
  });
  return { db: db(dir), effects, release, cli };
}

/** Starts `duro run` of the held workflow and returns once its step is in flight in that process. */
async function runHeld(db: string, cli: CliOptions, effects: string, leaseMs = RUN_LEASE_MS): Promise<SpawnedCli> {
  const started = spawnDuro(["run", HELD, "--id", RUN_ID, "--db", db, "--lease-ms", leaseMs], cli);
  const marked = await until(
    async () => ({ effects: readEffects(effects), exited: started.child.exitCode !== null || started.child.signalCode !== null }),
    (seen) => seen.effects.length > 0 || seen.exited,
    "the held step to start in `duro run`",
    { timeoutMs: COMMAND_LIMIT_MS },
  );
  expect(marked.exited, "duro run ended before its step started").toBe(false);
  expect(marked.effects).toEqual([{ key: "hold#0", attempt: 1, idempotencyKey: `${RUN_ID}:hold#0`, pid: started.child.pid }]);
  return started;
}

/** SIGKILLs `duro run` while its step is in flight (it must still be alive then) and returns its pid. */
async function killMidStep(started: SpawnedCli): Promise<number> {
  expect(started.child.exitCode).toBeNull();
  started.child.kill("SIGKILL");
  const killed = await started.result;
  expect(killed.signal).toBe("SIGKILL");
  return killed.pid;
}

async function inspect(db: string, cli: CliOptions): Promise<{ run: RunDetails; events: JournalEvent[] }> {
  const [run, events] = await Promise.all([
    duroJson<RunDetails>(["runs", "show", RUN_ID, "--db", db], cli),
    duroJson<JournalEvent[]>(["runs", "events", RUN_ID, "--db", db], cli),
  ]);
  return { run, events };
}

/** The run completed; hold#0 ran in the killed process (attempt 1) and again, with the same key, in `recoverer`. */
async function expectFinishedBy(recoverer: number, killed: number, db: string, cli: CliOptions, effects: string): Promise<void> {
  const { run, events } = await inspect(db, cli);
  expect(run.status).toBe("completed");
  expect(run.output).toBe("held after");
  expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
  const hold = effectsByKey(readEffects(effects)).get("hold#0") ?? [];
  expect(hold.map((e) => [e.attempt, e.pid, e.idempotencyKey])).toEqual([
    [1, killed, `${RUN_ID}:hold#0`],
    [2, recoverer, `${RUN_ID}:hold#0`],
  ]);
}

describe.each(STORES)("a crashed `duro run` on $name", ({ db: makeDb }) => {
  it("is taken over at once by `duro worker --until-idle`", { timeout: TEST_TIMEOUT }, async () => {
    const { db, effects, release, cli } = scene(makeDb);
    const killed = await killMidStep(await runHeld(db, cli(), effects));
    writeFileSync(release, "");

    const worker = await duro(["worker", HELD, "--until-idle", "--db", db, "--json"], cli());

    expect(worker.code, worker.stderr).toBe(0);
    expect(JSON.parse(worker.stdout)).toMatchObject({ completed: 1, failed: 0 });
    expect(worker.stderr).toContain(`run ${RUN_ID} was held by worker`);
    expect(worker.stderr).toContain(`(pid ${killed} on this host), which is no longer running; took it over`);
    await expectFinishedBy(worker.pid, killed, db, cli(), effects);
  });

  it("is taken over at once by `duro resume <id>`", { timeout: TEST_TIMEOUT }, async () => {
    const { db, effects, release, cli } = scene(makeDb);
    const killed = await killMidStep(await runHeld(db, cli(), effects));
    writeFileSync(release, "");

    const resumed = await duro(["resume", RUN_ID, "--db", db], cli());

    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toContain(`run ${RUN_ID} completed`);
    expect(resumed.stderr).toContain(`(pid ${killed} on this host), which is no longer running; took it over`);
    await expectFinishedBy(resumed.pid, killed, db, cli(), effects);
  });
});

describe("a live `duro run`", () => {
  it("keeps its run: a worker leaves it, saying who holds it and until when, and resume waits for it", {
    timeout: TEST_TIMEOUT,
  }, async () => {
    const { db, effects, release, cli } = scene(STORES[0]?.db as (dir: string) => string);
    // It lives through two other commands: a time limit for all three. With the default lease (30 s), which a live
    // holder keeps renewing, resume waits for the run (it waits up to 30 s for what is due).
    const started = await runHeld(db, cli(3 * COMMAND_LIMIT_MS), effects, "30000");
    const pid = started.child.pid as number;

    const worker = await duro(["worker", HELD, "--until-idle", "--db", db, "--json"], cli());
    expect(worker.code, worker.stderr).toBe(0);
    expect(JSON.parse(worker.stdout)).toMatchObject({ completed: 0 });
    expect(worker.stderr).toMatch(
      new RegExp(`run ${RUN_ID} is held by worker w_\\w+ \\(pid ${pid} on this host, alive\\) until \\d\\d:\\d\\d:\\d\\d UTC; not waiting`),
    );

    const resume = spawnDuro(["resume", RUN_ID, "--db", db], cli());
    let stderr = "";
    resume.child.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    await until(
      async () => stderr,
      (text) => text.includes("waiting for it to finish"),
      "resume to say what it waits for",
      { timeoutMs: COMMAND_LIMIT_MS },
    );
    expect(stderr).toMatch(new RegExp(`run ${RUN_ID} is held by worker w_\\w+ \\(pid ${pid} on this host, alive\\) until`));
    expect(readEffects(effects)).toHaveLength(1);
    writeFileSync(release, "");

    const [run, resumed] = await Promise.all([started.result, resume.result]);
    expect(run.code, run.stderr).toBe(0);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toContain(`run ${RUN_ID} completed`);
    // Every step ran once, in the process that held the run from the start.
    expect(readEffects(effects).map((e) => [e.key, e.attempt, e.pid])).toEqual([
      ["hold#0", 1, pid],
      ["after#0", 1, pid],
    ]);
  });
});
