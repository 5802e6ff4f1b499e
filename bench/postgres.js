// The PostgreSQL measurements, against the server in DURO_BENCH_PG (else DURO_TEST_PG, else
// postgres://postgres@127.0.0.1:5432/test). Each measurement works in a schema of its own (duro_bench_<pid>_<n>),
// dropped afterwards, also when it fails. Multi-worker figures use real worker processes (`node bin/duro.js worker`),
// as deployed. `asyncCommit: true` adds the libpq option `-c synchronous_commit=off` to the URL: every commit then
// returns before its WAL flush (a server crash may lose the last ones), which shows what the flushes cost.
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { createEngine, openPostgresStore } from "../dist/index.js";
import { percentile } from "./lib.js";
import { sequential, signalled } from "./worker-workflows.js";

export { percentile };

export const PG_URL = process.env.DURO_BENCH_PG ?? process.env.DURO_TEST_PG ?? "postgres://postgres@127.0.0.1:5432/test";

const CLI = fileURLToPath(new URL("../bin/duro.js", import.meta.url));
const WORKFLOWS = fileURLToPath(new URL("./worker-workflows.js", import.meta.url));

/** Epoch ms with a fraction; comparable between processes of one machine (the probe step returns the same). */
const epochNow = () => performance.timeOrigin + performance.now();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

let schemas = 0;

/** Runs `fn(url, schema)` with a URL whose ?schema= is new; the schema is dropped afterwards, also on failure. */
async function withTempSchema({ asyncCommit = false }, fn) {
  const schema = `duro_bench_${process.pid}_${schemas++}`;
  const url = new URL(PG_URL);
  url.searchParams.set("schema", schema);
  if (asyncCommit) url.searchParams.set("options", "-c synchronous_commit=off");
  try {
    return await fn(url.toString(), schema);
  } finally {
    await admin((client) => client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
  }
}

/** A short-lived plain pg connection for what the bench inspects, measures as a reference, or cleans up. */
export async function admin(fn) {
  const client = new pg.Client({ connectionString: PG_URL, application_name: "duro-bench" });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Whether the server answers; the PostgreSQL figures are skipped (with the reason) when it does not. */
export async function postgresReachable() {
  try {
    await admin((client) => client.query("SELECT 1"));
    return { ok: true };
  } catch (error) {
    return { ok: false, reason: error?.message || error?.code || String(error) };
  }
}

/** The server's version and the settings that decide what a commit costs. */
export async function serverInfo() {
  return admin(async (client) => {
    const { rows } = await client.query(
      "SELECT name, setting FROM pg_settings WHERE name IN ('server_version', 'synchronous_commit', 'wal_sync_method')",
    );
    return Object.fromEntries(rows.map((r) => [r.name, r.setting]));
  });
}

function expectStatus(record, status, what) {
  if (record.status !== status) throw new Error(`${what}: the run ended ${record.status}, expected ${status}`);
}

/** One run of `steps` sequential steps executed in this process (`runUntilSettled`), timed from the claim to completion. */
export async function pgSingleRun({ steps, asyncCommit = false }) {
  return withTempSchema({ asyncCommit }, async (url) => {
    const engine = createEngine({ store: openPostgresStore(url), workflows: [sequential] });
    try {
      const { id } = await engine.start(sequential, { steps });
      const cpu = process.cpuUsage();
      const start = performance.now();
      const record = await engine.runUntilSettled(id);
      const ms = performance.now() - start;
      const { user, system } = process.cpuUsage(cpu);
      expectStatus(record, "completed", `single run of ${steps} steps`);
      return { ms, stepsPerSec: (steps / ms) * 1000, cpuUsPerStep: (user + system) / steps };
    } finally {
      await engine.close();
    }
  });
}

/**
 * `runs` runs of `stepsPerRun` steps, created from this process, then executed by `workers` worker processes
 * (`--until-idle`, and `--concurrency <concurrency>` when given; else the worker's default). Timed from the spawn to the last run's completing commit (the runs
 * index's updated_at, written with the workers' clock), so the processes' start-up counts and their exit does not.
 */
export async function pgRunThroughput({ runs, stepsPerRun, workers, concurrency, asyncCommit = false }) {
  return withTempSchema({ asyncCommit }, async (url, schema) => {
    const engine = createEngine({ store: openPostgresStore(url), workflows: [sequential] });
    try {
      await startRuns(engine, runs, stepsPerRun);
      const spawnedAt = epochNow();
      const outcomes = await Promise.all(
        Array.from({ length: workers }, () =>
          runWorker(url, ["--until-idle", ...(concurrency === undefined ? [] : ["--concurrency", String(concurrency)])]),
        ),
      );
      const { completed, lastAt, firstStepAt } = await admin(async (client) => {
        const { rows } = await client.query(
          `SELECT count(*) FILTER (WHERE status = 'completed')::int AS completed, max(updated_at)::float8 AS "lastAt",
             (SELECT min(at) FROM "${schema}".journal WHERE seq = 2)::float8 AS "firstStepAt"
           FROM "${schema}".runs`,
        );
        return rows[0];
      });
      if (completed !== runs) throw new Error(`${workers} workers completed ${completed} of ${runs} runs`);
      const ms = lastAt - spawnedAt;
      return {
        ms,
        runsPerSec: (runs / ms) * 1000,
        // From the first step any worker journaled: the same work without the processes' start-up.
        runsPerSecFromFirstStep: (runs / (lastAt - firstStepAt)) * 1000,
        perWorker: outcomes.map((o) => o.completed),
      };
    } finally {
      await engine.close();
    }
  });
}

/**
 * A worker process that finds nothing to do, timed from spawn to exit, `times` times: the start-up (node, modules,
 * connecting, listening) and shut-down that every worker process pays, so also every throughput pass above.
 */
export async function pgWorkerStartup({ times }) {
  return withTempSchema({}, async (url) => {
    const store = openPostgresStore(url);
    await store.ready(); // the schema exists and is up to date, as it is for the throughput passes
    await store.close();
    const ms = [];
    for (let i = 0; i < times; i++) {
      const start = performance.now();
      await runWorker(url, ["--until-idle"]);
      ms.push(performance.now() - start);
    }
    return ms;
  });
}

/** Creates the runs a few at a time (the pool has 10 connections). */
async function startRuns(engine, runs, stepsPerRun) {
  const batch = 20;
  for (let i = 0; i < runs; i += batch) {
    const n = Math.min(batch, runs - i);
    await Promise.all(Array.from({ length: n }, () => engine.start(sequential, { steps: stepsPerRun })));
  }
}

/** Runs `duro worker` to its end; resolves with how many runs it completed. */
function runWorker(url, args) {
  return spawnWorker(url, args).exited;
}

/** Spawns `duro worker` on the bench workflows with --json (no progress lines); `exited` rejects unless it exits cleanly. */
function spawnWorker(url, args) {
  const child = spawn(process.execPath, [CLI, "worker", WORKFLOWS, "--db", url, "--json", ...args], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout.on("data", (chunk) => {
    out += chunk;
  });
  child.stderr.on("data", (chunk) => {
    err += chunk;
  });
  const exited = new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => {
      const firstLines = (text) => text.trim().split("\n").slice(0, 3).join(" | ");
      if (code !== 0) return reject(new Error(`duro worker exited with ${code ?? signal}: ${firstLines(err)}`));
      // A worker that goes idle while another still holds runs says it leaves them to it: a notice, not an error.
      const errors = err
        .split("\n")
        .filter((line) => line.trim() !== "" && !/^duro: run \S+ is held by worker .*; not waiting for it/.test(line))
        .join("\n");
      if (errors !== "") return reject(new Error(`duro worker reported errors: ${firstLines(errors)}`));
      // With --json the worker's stdout is one (indented) JSON object: its counts.
      const summary = JSON.parse(out.trim() || "{}");
      resolve({ completed: summary.completed ?? 0 });
    });
  });
  return { child, exited };
}

/**
 * A worker process sits idle (LISTEN, and its poll) while `samples` runs wait, each for an event of its own. One run
 * at a time, this process signals its event (engine.signal: the inbox insert, the wake-up and the NOTIFY in one
 * commit) and waits for the run to complete. The run's steps stamp the time they are called (see `signalled`), so
 * the latencies come from the run itself, to a fraction of a millisecond, not from this process's polling (which
 * would also load the machine it measures): signal → the resumed step runs, and signal → that step is completed
 * and journaled. Each run is fresh (two events of history), so the figure is the wake-up path, not the replay of
 * a long journal. The worker is left idle for `idleMs` or more before each signal.
 */
export async function pgSignalToResume({ samples, idleMs }) {
  return withTempSchema({}, async (url) => {
    const engine = createEngine({ store: openPostgresStore(url), workflows: [signalled] });
    const { child, exited } = spawnWorker(url, ["--concurrency", "4"]);
    try {
      const runs = [];
      for (let i = 0; i < samples; i++) {
        const eventKey = `bench-signal-${process.pid}-${i}`;
        runs.push({ id: (await engine.start(signalled, { eventKey })).id, eventKey });
      }
      for (const run of runs) {
        await until(async () => (await engine.store.getRun(run.id))?.status === "waiting", 30_000, "the worker to suspend the runs");
      }
      const toStepRunning = [];
      const toJournaled = [];
      for (const [i, run] of runs.entries()) {
        await sleep(idleMs + Math.random() * idleMs);
        const sentAt = epochNow();
        await engine.signal(run.eventKey, { sample: i });
        await until(async () => (await engine.store.getRun(run.id))?.status === "completed", 10_000, `sample ${i}'s run to complete`);
        const ended = (await engine.store.read(run.id)).find((e) => e.type === "run_completed");
        const { called, journaled } = ended?.output ?? {};
        if (typeof called !== "number" || typeof journaled !== "number") throw new Error(`sample ${i}: the run has no step times`);
        toStepRunning.push(called - sentAt);
        toJournaled.push(journaled - sentAt);
      }
      return { toStepRunning, toJournaled };
    } finally {
      child.kill("SIGTERM");
      await exited.catch(() => undefined);
      await engine.close();
    }
  });
}

/** Polls `check` every `everyMs` until it holds; throws after `timeoutMs`. */
async function until(check, timeoutMs, what, everyMs = 5) {
  const deadline = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/**
 * References that bound what any store can do here, on one plain pg connection: a round trip (a prepared
 * `SELECT $1`) and a commit (a one-row INSERT in its own transaction, synchronous_commit as the server has it).
 * A run's steps commit one after the other, so the commit rate is the ceiling for one run's steps per second.
 */
export async function pgReferences({ roundTrips, commits }) {
  return withTempSchema({}, async (_url, schema) =>
    admin(async (client) => {
      await client.query(`CREATE SCHEMA "${schema}"; CREATE TABLE "${schema}".t (id bigserial PRIMARY KEY, v text NOT NULL)`);
      let start = performance.now();
      for (let i = 0; i < roundTrips; i++) await client.query({ name: "ref_select", text: "SELECT $1::integer", values: [i] });
      const roundTripUs = ((performance.now() - start) * 1000) / roundTrips;
      const insert = { name: "ref_insert", text: `INSERT INTO "${schema}".t (v) VALUES ($1)` };
      start = performance.now();
      for (let i = 0; i < commits; i++) await client.query({ ...insert, values: [`value ${i}`] });
      const commitsPerSec = (commits / (performance.now() - start)) * 1000;
      return { roundTripUs, commitsPerSec };
    }),
  );
}

/**
 * What the server spends on an append, by how many runs' appends share one batch (one append_batch statement and
 * one commit): `batchSizes` runs are leased, then `rounds` times each appends a step's pair of events
 * (step_completed, step_started) at the same moment, so the store sends them together. Server CPU is the user +
 * system time of every PostgreSQL process of this machine (backends, WAL writer) over the rounds, read from
 * /proc, so it needs the server on this machine and an otherwise idle one; without /proc access it is left out.
 */
export async function pgAppendCost({ batchSizes, rounds }) {
  const results = [];
  for (const size of batchSizes) {
    results.push(
      await withTempSchema({}, async (url) => {
        const store = openPostgresStore(url);
        try {
          for (let i = 0; i < size; i++) {
            await store.createRun({ id: `cost-${i}`, workflow: "bench.cost", version: "1", input: null, tenant: "default", options: {} });
          }
          const leases = await store.claim({ workerId: "bench", limit: size, leaseMs: 600_000, workflows: ["bench.cost"] });
          const heads = new Map(leases.map((lease) => [lease.runId, 1]));
          const round = () =>
            Promise.all(
              leases.map(async (lease) => {
                const expectedSeq = heads.get(lease.runId);
                const events = [
                  { type: "step_completed", key: `s${expectedSeq}`, result: expectedSeq },
                  { type: "step_started", key: `s${expectedSeq + 2}`, attempt: 1 },
                ];
                const { head } = await store.append(lease.runId, events, { lease, expectedSeq });
                heads.set(lease.runId, head);
              }),
            );
          for (let i = 0; i < 20; i++) await round();
          const cpu = serverCpuUs();
          const start = performance.now();
          for (let i = 0; i < rounds; i++) await round();
          const wallUs = ((performance.now() - start) * 1000) / rounds;
          const serverUs = cpu === undefined ? undefined : (serverCpuUs() - cpu) / rounds;
          return {
            size,
            usPerBatch: wallUs,
            serverUsPerBatch: serverUs,
            serverUsPerAppend: serverUs === undefined ? undefined : serverUs / size,
          };
        } finally {
          await store.close();
        }
      }),
    );
  }
  return results;
}

/** CPU time (µs) all processes named postgres on this machine have used; undefined without /proc. */
function serverCpuUs() {
  try {
    let total = 0;
    for (const pid of readdirSync("/proc")) {
      if (!/^\d+$/.test(pid)) continue;
      let stat;
      try {
        stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      } catch {
        continue; // the process ended meanwhile
      }
      const close = stat.lastIndexOf(")");
      if (!stat.slice(stat.indexOf("(") + 1, close).startsWith("postgres")) continue;
      const fields = stat.slice(close + 2).split(" ");
      // utime and stime (fields 14 and 15 of stat), in clock ticks of 10 ms
      total += (Number(fields[11]) + Number(fields[12])) * 10_000;
    }
    return total;
  } catch {
    return undefined;
  }
}
