// The SQLite measurements. Each one drives the engine through the public API on a fresh temp database file,
// checks that the runs really ended as expected, and deletes the file. better-sqlite3 is used directly only to
// inspect the file (size, dbstat) and for the bare-commit reference.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { createEngine, openSqliteStore } from "../dist/index.js";
import { fileSize, withTempDb } from "./lib.js";
import { resumable, sequential, stamped } from "./workloads.js";

function openEngine(path, workflows, synchronous = "normal") {
  return createEngine({ store: openSqliteStore(path, { synchronous }), workflows });
}

/** CPU time (user + system, µs) this process used since `since` (a process.cpuUsage() value). */
function cpuMicros(since) {
  const { user, system } = process.cpuUsage(since);
  return user + system;
}

function expectStatus(record, status, what) {
  if (record.status !== status) throw new Error(`${what}: the run ended ${record.status}, expected ${status}`);
}

/**
 * One run of `steps` sequential steps executed in-process (`runUntilSettled`), timed from the first claim to
 * completion. With `storage`, also reports the database's size and what it holds, after a checkpoint.
 */
export async function singleRun({ steps, synchronous = "normal", storage = false }) {
  return withTempDb(async (path) => {
    const engine = openEngine(path, [sequential], synchronous);
    const { id } = await engine.start(sequential, { steps });
    const cpu = process.cpuUsage();
    const start = performance.now();
    const record = await engine.runUntilSettled(id);
    const ms = performance.now() - start;
    const cpuUs = cpuMicros(cpu);
    await engine.close();
    expectStatus(record, "completed", `single run of ${steps} steps`);
    return { ms, stepsPerSec: (steps / ms) * 1000, cpuUsPerStep: cpuUs / steps, ...(storage ? { storage: storageOf(path, steps) } : {}) };
  });
}

/** File size after a TRUNCATE checkpoint, and bytes per step of each table and index (from dbstat). */
function storageOf(path, steps) {
  const db = new Database(path);
  try {
    db.pragma("wal_checkpoint(TRUNCATE)");
    const objects = db
      .prepare(
        "SELECT name, sum(pgsize) AS bytes, sum(payload) AS payload, count(*) AS pages FROM dbstat GROUP BY name ORDER BY bytes DESC",
      )
      .all();
    const pageSize = db.pragma("page_size", { simple: true });
    return {
      fileBytes: fileSize(path),
      bytesPerStep: fileSize(path) / steps,
      pageSize,
      objects: objects.map((o) => ({ ...o, bytesPerStep: o.bytes / steps, payloadPerStep: o.payload / steps })),
    };
  } finally {
    db.close();
  }
}

/**
 * `runs` runs of `stepsPerRun` steps, all started first, then executed by one worker until nothing is runnable.
 * With `history`, the database first gets that many runs of the same workflow that already completed.
 */
export async function runThroughput({ runs, stepsPerRun, concurrency = 4, synchronous = "normal", history = 0 }) {
  return withTempDb(async (path) => {
    const engine = openEngine(path, [sequential], synchronous);
    await addCompletedRuns(engine.store, history);
    for (let i = 0; i < runs; i++) await engine.start(sequential, { steps: stepsPerRun });
    let completed = 0;
    const errors = [];
    const start = performance.now();
    const worker = engine.runWorker({
      concurrency,
      untilIdle: true,
      onOutcome: (outcome) => {
        if (outcome.status === "completed") completed++;
      },
      onError: (error) => errors.push(error),
    });
    await worker.done;
    const ms = performance.now() - start;
    await engine.close();
    if (errors.length > 0) throw new Error(`the worker reported ${errors.length} errors; first: ${errors[0]?.message ?? errors[0]}`);
    if (completed !== runs) throw new Error(`the worker completed ${completed} of ${runs} runs`);
    return { ms, runsPerSec: (runs / ms) * 1000 };
  });
}

/**
 * Finished runs of `sequential`, made quickly through the Store contract (create, claim, complete) without executing
 * code; 100 at a time, so that the store's group commit writes them in few transactions.
 */
export async function addCompletedRuns(store, count) {
  const addOne = async (i) => {
    const id = `r_history_${i}`;
    await store.createRun({
      id,
      workflow: sequential.name,
      version: sequential.version,
      input: { steps: 0 },
      tenant: "default",
      options: {},
    });
    const lease = await store.claimRun(id, "bench-history", 60_000);
    await store.append(id, [{ type: "run_completed", output: 0 }], { lease, expectedSeq: 1, release: true });
  };
  for (let i = 0; i < count; i += 100) {
    await Promise.all(Array.from({ length: Math.min(100, count - i) }, (_, j) => addOne(i + j)));
  }
}

/**
 * One run of `steps` steps whose step functions record when they are called. The cost per step near a point
 * is the mean gap between calls over `window` steps around it (the last `window` steps for the run's end).
 */
export async function perStepCost({ steps, points, window }) {
  const stamps = new Float64Array(steps);
  const workflow = stamped(stamps);
  return withTempDb(async (path) => {
    const engine = openEngine(path, [workflow]);
    const { id } = await engine.start(workflow, { steps });
    const start = performance.now();
    const record = await engine.runUntilSettled(id);
    const ms = performance.now() - start;
    await engine.close();
    expectStatus(record, "completed", `stamped run of ${steps} steps`);
    const at = points.map(({ label, step }) => ({ label, step, ...windowCost(stamps, step, window) }));
    return { ms, meanUs: (ms * 1000) / steps, at, stalls: stallsOf(stamps, 2) };
  });
}

/** Gaps between consecutive steps longer than `overMs`: how many, and their share of the run's time. */
function stallsOf(stamps, overMs) {
  let count = 0;
  let total = 0;
  for (let i = 1; i < stamps.length; i++) {
    const gap = stamps[i] - stamps[i - 1];
    if (gap > overMs) {
      count++;
      total += gap;
    }
  }
  return { overMs, count, share: total / (stamps[stamps.length - 1] - stamps[0]) };
}

function windowCost(stamps, center, window) {
  const hi = Math.min(stamps.length - 1, Math.max(window, center + window / 2));
  const lo = hi - window;
  const gaps = [];
  for (let i = lo + 1; i <= hi; i++) gaps.push((stamps[i] - stamps[i - 1]) * 1000);
  gaps.sort((a, b) => a - b);
  return {
    from: lo,
    to: hi,
    meanUs: ((stamps[hi] - stamps[lo]) * 1000) / window,
    p50Us: gaps[Math.floor(gaps.length / 2)],
    p99Us: gaps[Math.floor(gaps.length * 0.99)],
  };
}

/**
 * A run journals `steps` steps and waits for an event. Then, `times` times: the event is sent, and a fresh
 * store and engine on the same file execute the run; the time is taken from opening the store to the moment
 * the first new step function is called (after replaying the whole journal). Once more in a new process.
 */
export async function resume({ steps, times }) {
  return withTempDb(async (path) => {
    const { id, eventKey } = await prepareResumable(path, steps);
    const inProcess = [];
    for (let i = 0; i < times; i++) {
      await signal(path, eventKey);
      inProcess.push(await resumeOnce(path, id));
    }
    await signal(path, eventKey);
    const coldProcess = await resumeInChild(path, id);
    return { inProcess, coldProcess };
  });
}

/** Journals a `resumable` run of `steps` steps in the file at `path`, up to its first wait. */
export async function prepareResumable(path, steps) {
  const eventKey = `bench-go-${process.pid}`;
  const setup = openEngine(path, [resumable(() => {})]);
  const { id } = await setup.start("bench.resumable", { steps, eventKey });
  const first = await setup.runUntilSettled(id);
  await setup.close();
  expectStatus(first, "waiting", `resumable run of ${steps} steps`);
  return { id, eventKey };
}

/** Sends the event a `resumable` run waits for, from a short-lived engine. */
export async function signal(path, eventKey) {
  const engine = openEngine(path, []);
  await engine.signal(eventKey, { go: true });
  await engine.close();
}

/** Opens the file as a restarted process would and executes the run; also used by resume-child.js. */
export async function resumeOnce(path, id) {
  let reachedAt;
  const start = performance.now();
  const engine = openEngine(path, [
    resumable(() => {
      reachedAt ??= performance.now();
    }),
  ]);
  const record = await engine.runUntilSettled(id);
  const settledMs = performance.now() - start;
  await engine.close();
  expectStatus(record, "waiting", "resumed run");
  if (reachedAt === undefined) throw new Error(`the resumed run ${id} never reached its next new step`);
  return { ms: reachedAt - start, settledMs };
}

function resumeInChild(path, id) {
  const script = fileURLToPath(new URL("./resume-child.js", import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, path, id], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (chunk) => {
      out += chunk;
    });
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) return reject(new Error(`resume-child.js exited with code ${code}`));
      resolve(JSON.parse(out.trim().split("\n").at(-1)));
    });
  });
}

/** Bare better-sqlite3: one INSERT per IMMEDIATE transaction into a two-column table, WAL mode. */
export async function bareCommits({ commits, synchronous = "NORMAL" }) {
  return withTempDb(async (path) => {
    const db = new Database(path);
    try {
      db.pragma("journal_mode = WAL");
      db.pragma(`synchronous = ${synchronous}`);
      db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)");
      const insert = db.prepare("INSERT INTO t (v) VALUES (?)");
      const commit = db.transaction((v) => insert.run(v)).immediate;
      const start = performance.now();
      for (let i = 0; i < commits; i++) commit(`value ${i}`);
      const ms = performance.now() - start;
      return { ms, commitsPerSec: (commits / ms) * 1000 };
    } finally {
      db.close();
    }
  });
}
