// One round of the simulation: generate programs from a seed, start them as runs, let real worker processes execute
// them while faults strike and the driver plays the outside world, let the system settle, then check everything.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { createEngine, type Engine } from "duro";
import pg from "pg";
import { MemoryStore } from "../../src/store/index.js";
import { openStore } from "../../src/store/open.js";
import { startTcpProxy, type TcpProxy } from "../support/tcp-proxy.js";
import { type CheckFigures, check } from "./check.js";
import { Driver, type DriverCounts } from "./driver.js";
import { type FaultCounts, Fleet } from "./fleet.js";
import { generateProgram, nodesOf, Rng, type SimProgram, stepCalls } from "./program.js";
import { type SimEffect, type SimInput, sim, simKeyed } from "./workflow.js";

export type SimStore = "sqlite" | "postgres" | "memory";

export interface SimOptions {
  seed: number;
  programs: number;
  store: SimStore;
  workers: number;
  /** How long faults strike (ms); then the system is let to settle. */
  chaosMs: number;
  /** How long settling may take before a run still open counts as stuck (ms). default 120_000 */
  settleMs?: number;
  /** DURO_FAILPOINTS of a deliberately broken build: every worker is armed with them too (this process reads its own). */
  failpoints?: string;
  /** Whether workers may die between a run's end and the cancelling of its children (see docs/simulation.md). default true */
  crashAfterRunEnded?: boolean;
  /** The PostgreSQL server (default DURO_TEST_PG or postgres://postgres@127.0.0.1:5432/test). */
  pgUrl?: string;
  log?: (line: string) => void;
}

export interface SimReport {
  seed: number;
  store: SimStore;
  programs: number;
  figures: CheckFigures;
  faults: FaultCounts & { dbCuts: number };
  driver: DriverCounts;
  violations: string[];
  /** Things worth a look that are not violations (refused driver calls, worker errors). */
  notes: string[];
  elapsedMs: number;
}

const TABLE = "sim_rows";
const LEASE_MS = 2_000;
/** Faults a round with worker processes strikes at least. */
const MIN_FAULTS = 2;

const DEFAULT_SETTLE_MS = 120_000;

/** The command that replays a round with these options. */
export function replayCommand(options: Omit<SimOptions, "log" | "pgUrl">): string {
  const env = options.failpoints ? `DURO_FAILPOINTS='${options.failpoints}' ` : "";
  const settle = options.settleMs !== undefined && options.settleMs !== DEFAULT_SETTLE_MS ? ` --settle-ms ${options.settleMs}` : "";
  const runEnd = options.crashAfterRunEnded === false ? " --no-run-end-crash" : "";
  return `${env}npm run sim -- --seed ${options.seed} --programs ${options.programs} --store ${options.store} --workers ${options.workers} --chaos-ms ${options.chaosMs}${settle}${runEnd}`;
}

export async function simulate(options: SimOptions): Promise<SimReport> {
  const started = Date.now();
  const log = options.log ?? (() => undefined);
  const rng = new Rng(options.seed);
  const dir = mkdtempSync(join(tmpdir(), "duro-sim-"));
  const effectsFile = join(dir, "effects.jsonl");
  const previousEffects = process.env.DURO_SIM_EFFECTS;
  // The driver's engine executes a run itself when it cancels one that no worker holds.
  process.env.DURO_SIM_EFFECTS = effectsFile;
  const db = await openDatabase(options, dir);
  const memory = options.store === "memory";
  const engine = createEngine({ store: memory ? new MemoryStore() : openStore(db.url), workflows: [sim, simKeyed], leaseMs: LEASE_MS });
  const notes: string[] = [];
  let fleet: Fleet | undefined;
  let proxy: TcpProxy | undefined;
  let dbCuts = 0;
  try {
    await engine.list({ limit: 1 });
    await db.createTable();
    const programs = Array.from({ length: options.programs }, () => generateProgram(rng, { transactions: !memory }));
    // A memory store lives in this process only: no `duro` command can reach it.
    const driver = new Driver(engine, memory ? undefined : db.url, dir, rng);
    let workerUrl = db.url;
    if (options.store === "postgres") {
      const target = new URL(db.url);
      proxy = await startTcpProxy(target.hostname, Number(target.port || 5432));
      const through = new URL(db.url);
      through.host = `127.0.0.1:${proxy.port}`;
      workerUrl = through.toString();
    }
    const inProcess = memory ? engine.runWorker({ concurrency: 8 * options.workers }) : undefined;
    if (!inProcess) {
      fleet = new Fleet({
        db: workerUrl,
        cwd: dir,
        effectsFile,
        workers: options.workers,
        leaseMs: LEASE_MS,
        rng,
        keys: stepKeys(programs),
        ...(options.failpoints ? { failpoints: options.failpoints } : {}),
        ...(options.crashAfterRunEnded === undefined ? {} : { crashAfterRunEnded: options.crashAfterRunEnded }),
        log: (line) => notes.push(line),
      });
      fleet.start();
    }
    // Runs start at moments spread over the first half of the faults; a third go through a keyed queue.
    const toStart = programs.map((program, n) => ({ program, n }));
    const chaosEnd = Date.now() + options.chaosMs;
    let nextStrike = Date.now() + rng.int(200, 800);
    // A loaded machine may start workers slower than the fault phase lasts: it goes on until faults struck, within a bound.
    const bound = Date.now() + Math.max(4 * options.chaosMs, 60_000);
    const struck = () => (fleet ? fleet.faults.killed + fleet.faults.stopped + fleet.faults.failpoints + dbCuts : MIN_FAULTS);
    while (toStart.length > 0 || Date.now() < chaosEnd || (struck() < MIN_FAULTS && Date.now() < bound)) {
      const due = toStart.splice(0, rng.int(0, Math.max(1, Math.ceil(programs.length / 4))));
      for (const { program, n } of due) await startRun(engine, program, n, db.table, rng);
      await driver.tick();
      if (fleet && Date.now() >= nextStrike) {
        if (proxy && rng.chance(0.2)) {
          dbCuts++;
          await cut(proxy, rng.int(200, 1_500));
        } else await fleet.strike();
        nextStrike = Date.now() + rng.int(150, 900);
      }
      await pause(rng.int(50, 200));
    }
    fleet?.calm();
    log(`seed ${options.seed}: ${programs.length} programs started, faults stop; settling`);
    const settleEnd = Date.now() + (options.settleMs ?? DEFAULT_SETTLE_MS);
    while ((await driver.tick()) > 0 && Date.now() < settleEnd) await pause(150);
    await driver.drain();
    // Once more: a run a `duro` command answered may have moved on to another wait.
    while ((await driver.tick()) > 0 && Date.now() < settleEnd) await pause(150);
    await fleet?.stop();
    await inProcess?.stop();
    await driver.drain();
    notes.push(...driver.errors.map((e) => `driver: ${e}`));
    const result = await check({
      engine,
      db: db.url,
      cwd: dir,
      effects: readEffects(effectsFile),
      sent: driver.sent,
      rows: await db.readRows(),
      cliSample: memory ? 0 : 3,
      rng,
    });
    return {
      seed: options.seed,
      store: options.store,
      programs: options.programs,
      figures: result.figures,
      faults: { ...(fleet?.faults ?? { spawned: 0, killed: 0, stopped: 0, failpoints: 0 }), dbCuts },
      driver: driver.counts,
      violations: result.violations,
      notes,
      elapsedMs: Date.now() - started,
    };
  } finally {
    await fleet?.stop();
    await proxy?.close();
    await engine.close();
    await db.drop();
    if (previousEffects === undefined) delete process.env.DURO_SIM_EFFECTS;
    else process.env.DURO_SIM_EFFECTS = previousEffects;
    if (!process.env.DURO_KEEP_TMP) rmSync(dir, { recursive: true, force: true });
  }
}

async function startRun(engine: Engine, program: SimProgram, n: number, table: string, rng: Rng): Promise<void> {
  const keyed = rng.chance(0.3);
  const input: SimInput = { program, table, ...(keyed ? { key: `k${n % 3}` } : {}) };
  await engine.start(keyed ? simKeyed : sim, input);
}

async function cut(proxy: TcpProxy, ms: number): Promise<void> {
  await proxy.down();
  setTimeout(() => void proxy.up().catch(() => undefined), ms);
}

/** The step keys a program's runs use (their children's included), for arming failpoints. */
function stepKeys(programs: SimProgram[]): string[] {
  const keys = new Set<string>();
  const visit = (program: SimProgram) => {
    for (const node of nodesOf(program.body)) {
      for (const call of stepCalls(node)) keys.add(call.key);
      if (node.t === "sleep" || node.t === "event") keys.add(`${node.name}#0`);
      if (node.t === "child") visit(node.program);
    }
  };
  for (const program of programs) visit(program);
  return [...keys];
}

function readEffects(file: string): SimEffect[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return [];
  }
  // A worker killed mid-write leaves at most a torn last line.
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as SimEffect];
      } catch {
        return [];
      }
    });
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface SimDatabase {
  url: string;
  /** The application table, as transactional steps name it. */
  table: string;
  createTable(): Promise<void>;
  readRows(): Promise<Map<string, number> | undefined>;
  drop(): Promise<void>;
}

/** The round's database: a SQLite file in its folder, a PostgreSQL schema of its own, or memory. */
async function openDatabase(options: SimOptions, dir: string): Promise<SimDatabase> {
  if (options.store === "memory") {
    return {
      url: "memory:",
      table: TABLE,
      createTable: async () => undefined,
      readRows: async () => undefined,
      drop: async () => undefined,
    };
  }
  if (options.store === "sqlite") {
    const file = join(dir, "sim.db");
    const withDb = <T>(fn: (d: Database.Database) => T): T => {
      const d = new Database(file);
      try {
        return fn(d);
      } finally {
        d.close();
      }
    };
    return {
      url: `sqlite:${file}`,
      table: TABLE,
      createTable: async () => withDb((d) => void d.exec(`CREATE TABLE ${TABLE} (id TEXT PRIMARY KEY, value INTEGER NOT NULL)`)),
      readRows: async () =>
        withDb(
          (d) =>
            new Map(
              (d.prepare(`SELECT id, value FROM ${TABLE}`).all() as Array<{ id: string; value: number }>).map((r) => [r.id, r.value]),
            ),
        ),
      drop: async () => undefined,
    };
  }
  const server = options.pgUrl ?? process.env.DURO_TEST_PG ?? "postgres://postgres@127.0.0.1:5432/test";
  const schema = `duro_sim_${process.pid}_${options.seed}_${Date.now().toString(36)}`;
  const url = new URL(server);
  url.searchParams.set("schema", schema);
  const admin = new pg.Pool({ connectionString: server, max: 1 });
  return {
    url: url.toString(),
    table: `"${schema}".${TABLE}`,
    createTable: async () => void (await admin.query(`CREATE TABLE "${schema}".${TABLE} (id text PRIMARY KEY, value integer NOT NULL)`)),
    readRows: async () => {
      const { rows } = await admin.query<{ id: string; value: number }>(`SELECT id, value FROM "${schema}".${TABLE}`);
      return new Map(rows.map((r) => [r.id, r.value]));
    },
    drop: async () => {
      try {
        await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await admin.end();
      }
    },
  };
}
