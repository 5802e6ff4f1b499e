// `npm run bench:scale`: does duro cost the same on a database that holds a real deployment's history as on an empty
// one? For SQLite, then PostgreSQL (skipped with the reason when its server does not answer), it builds a database of
// 1,000,000 finished runs and 100,000 waiting runs (DURO_SCALE=0.1 for a tenth) through the bulk path in
// scale-build.js (clones of runs the engine wrote), runs the same measurements on it and on an empty database, and
// prints one table per store with each figure's ratio to the empty database. It reports; it does not pass or fail.
import { spawn } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createEngine, openPostgresStore, openSqliteStore, paceBatches, pruneBatch, workflow } from "../dist/index.js";
import { createApp } from "../dist/server/index.js";
import { formatTable, median, percentile, progress, progressBar, round } from "./lib.js";
import { admin, PG_URL, postgresReachable } from "./postgres.js";
import { cloneRuns, DAY_MS, postgresBulk, spread, sqliteBulk } from "./scale-build.js";
import { probed, steps, timer, waiter } from "./scale-workflows.js";

const SCALE = Number(process.env.DURO_SCALE ?? 1);
const FINISHED = Math.round(1_000_000 * SCALE);
const WAITING = Math.round(100_000 * SCALE);
const BURST = Math.round(100_000 * SCALE);
/** The empty database's reference for what needs runs to exist (pruning, size per run): this share of the full size. */
const SMALL = 0.01;
const CLI = fileURLToPath(new URL("../bin/duro.js", import.meta.url));
const WORKFLOWS = fileURLToPath(new URL("./scale-workflows.js", import.meta.url));
const SCRATCH = fileURLToPath(new URL("./.scratch/", import.meta.url));
/** `duro runs prune`'s default batch. */
const PRUNE_BATCH = 500;
/** What the empty database holds before it is measured: enough for every listing to fill its first page of 50. */
const PAGE_FILL = { finished: 500, waiting: 600 };
const UNDELIVERED = 60;
const WORKER_RUNS = 1_000;
const ALL_WORKFLOWS = [steps.name, waiter.name, timer.name];
/**
 * One finished run in a hundred (one in ten of the empty database's few) belongs to this tenant (the rest to "default"), and the oldest tenth of the finished
 * runs ran an old version: what a tenant-scoped API key and `runs list --version` look for in a shared database.
 */
const SMALL_TENANT = "scale-small";
const OLD_VERSION = "scale-old";
/** Started but never executed (no worker has it): what `start` costs on its own. */
const startOnly = workflow("scale.start-only", async () => 0);

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function main() {
  const began = performance.now();
  progress(
    `scale ${SCALE}: ${FINISHED.toLocaleString("en-US")} finished runs, ${WAITING.toLocaleString("en-US")} waiting, bursts of ${BURST.toLocaleString("en-US")} timers`,
  );
  progress(
    `node ${process.version}, ${cpus().length} cpus, load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}`,
  );
  mkdirSync(SCRATCH, { recursive: true });
  const only = process.env.DURO_SCALE_STORES?.split(",");
  const sections = [];
  if (!only || only.includes("sqlite")) sections.push(await storeSection(sqliteTarget));
  const reachable = only && !only.includes("postgres") ? { ok: false, reason: "not in DURO_SCALE_STORES" } : await postgresReachable();
  if (reachable.ok) sections.push(await storeSection(postgresTarget));
  else
    sections.push({
      heading: `PostgreSQL: skipped, the server at ${PG_URL} does not answer (${reachable.reason}); set DURO_BENCH_PG`,
      rows: [],
    });

  console.log(
    `duro scale benchmark (DURO_SCALE=${SCALE}; node ${process.version}, ${cpus().length} cpus, 1-min load average ${loadavg()[0].toFixed(2)} at end)`,
  );
  console.log(
    "p50/p99 over the samples noted; ratio = full database / empty database (≤ 1.5 is flat); other processes share this machine\n",
  );
  for (const section of sections) {
    console.log(section.heading);
    if (section.rows.length > 0)
      console.log(`${formatTable(["measurement", "unit", "empty db", "full db", "ratio", "target / notes"], section.rows)}\n`);
  }
  console.log(`total ${round((performance.now() - began) / 1000)} s`);
  console.log(JSON.stringify(Object.fromEntries(sections.filter((s) => s.figures).map((s) => [s.name, s.figures]))));
}

// --- the two stores: where a database lives, how the engine opens it, how the bulk path reaches it ---

function sqliteTarget(label) {
  const path = join(SCRATCH, `scale-${process.pid}-${label}.sqlite`);
  return {
    label,
    location: path,
    openStore: () => openSqliteStore(path),
    openBulk: async () => sqliteBulk(path),
    drop: async () => {
      for (const suffix of ["", "-wal", "-shm"]) rmSync(`${path}${suffix}`, { force: true });
    },
  };
}
sqliteTarget.heading = "SQLite (WAL, synchronous=NORMAL), one file";
sqliteTarget.store = "sqlite";
sqliteTarget.burstGoal = 2_000;

function postgresTarget(label) {
  const schema = `duro_scale_${process.pid}_${label}`;
  const url = new URL(PG_URL);
  url.searchParams.set("schema", schema);
  return {
    label,
    location: url.toString(),
    openStore: () => openPostgresStore(url.toString()),
    openBulk: () => postgresBulk(PG_URL, schema),
    drop: () => admin((client) => client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)),
  };
}
postgresTarget.heading = `PostgreSQL at ${PG_URL.replace(/\/\/([^:/@]*):[^@]*@/, "//$1:[REDACTED]@")}, one schema per database`;
postgresTarget.store = "postgres";
postgresTarget.burstGoal = 1_000;

// --- one store: build, measure both databases, compare ---

async function storeSection(makeTarget) {
  const empty = makeTarget("empty");
  const full = makeTarget("full");
  const opened = [];
  const open = async (target) => {
    const database = await openDatabase(target);
    opened.push(database);
    return database;
  };
  let fullDropped = false;
  try {
    progress(`${makeTarget.store}: the empty database`);
    const emptyDb = await open(empty);
    await measureFirst(emptyDb, { finished: 0, waiting: 0 });
    progress(`${makeTarget.store}: the full database`);
    const fullDb = await open(full);
    await measureFirst(fullDb, { finished: FINISHED, waiting: WAITING });
    progress(`${makeTarget.store}: starts, claims, idle polls and listings, alternating between the two databases`);
    await measureSideBySide(emptyDb, fullDb);
    await measureLast(fullDb, { finished: FINISHED });
    // The empty database's bursts and pruning run without the full one beside it (PostgreSQL's autovacuum of a
    // fresh 1M-run schema would slow them, and flatter the ratios).
    if (process.env.DURO_SCALE_KEEP !== "1") {
      await closeDatabase(opened.pop());
      await full.drop();
      fullDropped = true;
    }
    progress(`${makeTarget.store}: the empty database, timer bursts and pruning`);
    await measureLast(emptyDb, { finished: 0 });
    return {
      name: makeTarget.store,
      heading: makeTarget.heading,
      figures: { empty: emptyDb.figures, full: fullDb.figures },
      rows: rowsOf(emptyDb.figures, fullDb.figures, makeTarget.burstGoal),
    };
  } finally {
    for (const database of opened) await closeDatabase(database);
    await empty.drop();
    // DURO_SCALE_KEEP=1 leaves the full database behind, to read query plans on it (then delete it by hand).
    if (process.env.DURO_SCALE_KEEP === "1") progress(`kept the full database: ${full.location}`);
    else if (!fullDropped) await full.drop();
  }
}

async function openDatabase(target) {
  const engine = createEngine({ store: target.openStore(), workflows: [steps, waiter, timer, startOnly] });
  const bulk = await target.openBulk();
  await engine.store.ready?.();
  return { target, engine, bulk, templates: await makeTemplates(engine), figures: {} };
}

async function closeDatabase({ bulk, engine }) {
  await bulk.close();
  await engine.close();
}

/**
 * The measurements each database gets alone, in the same order on both: the full one is filled first, the empty one
 * with a page of each listing, so that both return 50 rows.
 */
async function measureFirst({ target, engine, bulk, templates, figures }, { finished, waiting }) {
  if (finished > 0) figures.size = await fill(target, bulk, templates, { finished, waiting });
  else await fill(target, bulk, templates, PAGE_FILL, "p");
  await undelivered(engine, UNDELIVERED);
  figures.signal = await timeSignals(target, 50);
}

/**
 * What takes a millisecond or less (starts, 10-step runs, claims, idle polls, listings), sampled in turn on the two
 * databases (empty, full, full, empty, …) so that both see the same minutes of this shared machine: measured one
 * database after the other, a whole run of samples moved from about 0.31 to 0.55 ms with the neighbours, on either
 * database alike.
 */
async function measureSideBySide(emptyDb, fullDb) {
  const sides = [sideBySide(emptyDb.engine), sideBySide(fullDb.engine)];
  const databases = [emptyDb, fullDb];
  for (const database of databases) database.figures.list = {};
  for (const [index, { name, samples }] of sides[0].entries()) {
    const measurements = sides.map((side) => side[index]);
    for (const measurement of measurements) {
      await measurement.before?.();
      await measurement.sample(); // warm-up
    }
    const ms = [[], []];
    for (let i = 0; i < samples; i++) {
      for (const side of i % 2 === 0 ? [0, 1] : [1, 0]) ms[side].push(await measurements[side].sample());
    }
    for (const [side, measurement] of measurements.entries()) {
      await measurement.after?.();
      const { figures } = databases[side];
      if (name.startsWith("list.")) figures.list[name.slice("list.".length)] = median(ms[side]);
      else figures[name] = latency(ms[side]);
    }
  }
}

/** Times `work` (ms). */
async function timed(work) {
  const start = performance.now();
  await work();
  return performance.now() - start;
}

/**
 * The side-by-side measurements on one database, in order: each sample returns its ms; `before` and `after` run once
 * per database around them (`this` is the measurement). The idle polls come after the claims' run has ended, when
 * nothing of ALL_WORKFLOWS is runnable; listings are a user's (CLI, API) first page of 50.
 */
function sideBySide(engine) {
  const store = engine.store;
  const app = createApp({ engine, dev: true });
  const get = async (path) => {
    const response = await app.request(path);
    if (response.status !== 200) throw new Error(`GET ${path} answered ${response.status}`);
    return response.json();
  };
  const lists = {
    status: () => engine.list({ status: "completed" }),
    workflow: () => engine.list({ workflow: steps.name }),
    approvals: () => engine.list({ waitingFor: "approval" }),
    tenant: () => engine.list({ tenant: SMALL_TENANT }),
    tenantWaiting: () => engine.list({ tenant: "default", status: "waiting" }),
    oldVersion: () => engine.list({ workflow: steps.name, version: OLD_VERSION }),
    tenantWorkflow: () => engine.list({ tenant: SMALL_TENANT, workflow: steps.name }),
    apiOldVersion: () => get(`/v1/runs?workflow=${steps.name}&version=${OLD_VERSION}`),
    updated: () => engine.list({ sort: "updated" }),
    questions: () => engine.list({ waitingFor: "question" }),
    inbox: () => store.listInbox({ limit: 50 }),
    api: () => get("/v1/runs"),
    apiWaiting: () => get("/v1/runs?status=waiting"),
  };
  return [
    { name: "start", samples: 300, sample: () => timed(() => engine.start(startOnly, {})) },
    {
      name: "tenSteps",
      samples: 100,
      sample: () =>
        timed(async () => {
          const { id } = await engine.start(steps, { steps: 10 });
          const record = await engine.runUntilSettled(id);
          if (record.status !== "completed") throw new Error(`a 10-step run ended ${record.status}`);
        }),
    },
    {
      name: "claim",
      samples: 300,
      async before() {
        this.runId = (await engine.start(steps, { steps: 1 })).id;
      },
      async sample() {
        const start = performance.now();
        const leases = await claimOne(store);
        const ms = performance.now() - start;
        if (leases.length !== 1) throw new Error(`a claim took ${leases.length} runs, expected 1`);
        await store.release(leases[0]);
        return ms;
      },
      async after() {
        const record = await engine.runUntilSettled(this.runId);
        if (record.status !== "completed") throw new Error(`the claimed run ended ${record.status}`);
      },
    },
    {
      name: "idlePoll",
      samples: 300,
      sample: () =>
        timed(async () => {
          const leases = await claimOne(store);
          await store.nextReadyAt(ALL_WORKFLOWS);
          if (leases.length !== 0) throw new Error(`an idle poll claimed ${leases[0].runId}`);
        }),
    },
    ...Object.entries(lists).map(([name, list]) => ({ name: `list.${name}`, samples: 30, sample: () => timed(list) })),
  ];
}

/** Timer bursts, then pruning; the empty database first gets SMALL of the full one's runs, to have some to prune. */
async function measureLast({ target, engine, bulk, templates, figures }, { finished }) {
  figures.burst1 = await timerBurst(target, bulk, templates, 1);
  figures.burst4 = await timerBurst(target, bulk, templates, 4);
  if (finished === 0) {
    figures.size = await fill(
      target,
      bulk,
      templates,
      { finished: Math.round(FINISHED * SMALL), waiting: Math.round(WAITING * SMALL) },
      "s",
    );
  }
  figures.retention = await retention(target, engine, bulk, figures.size.finished + (finished > 0 ? 0 : PAGE_FILL.finished));
}

/** Events sent to keys no run waits for: what `runs list --inbox` lists (the full database's inbox also holds consumed ones). */
async function undelivered(engine, count) {
  for (let i = 0; i < count; i++) await engine.signal(`scale-nobody-${process.pid}-${i}`, { n: i });
}

/** Runs the engine executes for real, whose rows the bulk path clones: finished ones and one of each kind of wait. */
async function makeTemplates(engine) {
  const settle = async (wf, input) => {
    const { id } = await engine.start(wf, input);
    return engine.runUntilSettled(id);
  };
  const until = Date.now() + 10 * DAY_MS;
  const eventKey = `scale-template-${process.pid}-${Date.now()}`;
  const templates = {
    steps: await settle(steps, { steps: 3 }),
    consumed: await settle(waiter, { kind: "event", eventKey: `${eventKey}-consumed` }),
    event: await settle(waiter, { kind: "event", eventKey }),
    approval: await settle(waiter, { kind: "approval" }),
    question: await settle(waiter, { kind: "question" }),
    sleeping: await settle(waiter, { kind: "timer", until: new Date(until).toISOString() }),
    timer: await settle(timer, { until: new Date(until).toISOString() }),
  };
  await engine.signal(`${eventKey}-consumed`, { ok: true });
  templates.consumed = await engine.runUntilSettled(templates.consumed.id);
  for (const [name, run] of Object.entries(templates)) {
    const expected = name === "steps" || name === "consumed" ? "completed" : "waiting";
    if (run.status !== expected) throw new Error(`template ${name}: the run is ${run.status}, expected ${expected}`);
  }
  return { ...templates, eventKey, until };
}

/** Fills the database through the bulk path and returns the bytes each finished and each waiting run added. */
async function fill(target, bulk, templates, { finished, waiting }, tag = "") {
  const rows = {};
  for (const [name, run] of Object.entries(templates)) if (typeof run === "object") rows[name] = await bulk.read(run.id);
  const now = Date.now();
  const before = await bulk.size();
  const finishedBar = progressBar(`${target.label}: ${finished.toLocaleString("en-US")} finished runs`, finished);
  // One run in five waited for an event and consumed it (its inbox row stays until the run is pruned).
  const finishedShape = (id, n) => finishedRunShape(id, n, finished, now, rows.steps.run.version);
  await cloneRuns(bulk, rows.steps, finished - Math.floor(finished / 5), (n) => finishedShape(`r_done${tag}_${n}`, n), {
    onProgress: (done) => finishedBar.update(done),
  });
  const steady = finished - Math.floor(finished / 5);
  await cloneRuns(bulk, rows.consumed, Math.floor(finished / 5), (n) => finishedShape(`r_done${tag}_e${n}`, n), {
    onProgress: (done) => finishedBar.update(steady + done),
  });
  finishedBar.done();
  const afterFinished = await bulk.size();

  const waitingBar = progressBar(`${target.label}: ${waiting.toLocaleString("en-US")} waiting runs`, waiting);
  // 40% wait for events, 25% for approvals, 10% for answers, 25% for timers due over the next 30 days (from tomorrow on).
  const kinds = [
    ["event", 0.4],
    ["approval", 0.25],
    ["question", 0.1],
    ["sleeping", 0.25],
  ];
  let done = 0;
  for (const [index, [kind, share]] of kinds.entries()) {
    const count = index === kinds.length - 1 ? waiting - done : Math.round(waiting * share);
    const offset = done;
    await cloneRuns(bulk, rows[kind], count, (n) => waitingShape(`r_wait${tag}_${offset + n}`, kind, templates, offset + n, waiting, now), {
      onProgress: (d) => waitingBar.update(offset + d),
    });
    done += count;
  }
  waitingBar.done();
  // Measured before finish(): PostgreSQL's VACUUM there truncates the tables' empty tails, left by runs of earlier
  // measurements on the same database, and adds its visibility maps.
  const afterWaiting = await bulk.size();
  await bulk.finish();
  return {
    finished,
    waiting: done,
    bytesPerFinished: (afterFinished - before) / Math.max(1, finished),
    bytesPerWaiting: (afterWaiting - afterFinished) / Math.max(1, done),
  };
}

/**
 * Created over the last 90 days in pk order, as the engine numbers runs, and finished a second later: all older than a
 * day, so prunable. Every hundredth belongs to SMALL_TENANT and the oldest tenth ran OLD_VERSION, in their rows and in
 * their run_created alike.
 */
function finishedRunShape(id, n, count, now, version) {
  const createdAt = Math.floor(now - 91 * DAY_MS + (n / count) * 90 * DAY_MS);
  const shape = { id, createdAt, updatedAt: createdAt + 1_000, replace: [] };
  // At least a page of them in the empty database's few hundred runs too, so both sides list 50.
  if (n % Math.min(100, Math.max(1, Math.floor(count / 50))) === 7) {
    shape.tenant = SMALL_TENANT;
    shape.replace.push(['"tenant":"default"', `"tenant":"${SMALL_TENANT}"`]);
  }
  if (n < count / 10) {
    shape.version = OLD_VERSION;
    shape.replace.push([`"version":${JSON.stringify(version)}`, `"version":"${OLD_VERSION}"`]);
  }
  return shape;
}

function waitingShape(id, kind, templates, n, count, now) {
  const createdAt = Math.floor(now - 30 * DAY_MS + (n / count) * 29 * DAY_MS);
  if (kind === "event") return { id, createdAt, updatedAt: createdAt, replace: [[templates.eventKey, `scale-event-${id}`]] };
  if (kind !== "sleeping") return { id, createdAt, updatedAt: createdAt };
  const until = spread(n, count, now + DAY_MS, 30);
  return { id, createdAt, updatedAt: createdAt, readyAt: until, replace: untilReplacements(templates.until, until) };
}

/** A timer's due time as the journal and the waits index hold it: ISO text in the input, epoch ms in the wait. */
function untilReplacements(from, to) {
  return [
    [new Date(from).toISOString(), new Date(to).toISOString()],
    [String(from), String(to)],
  ];
}

// --- the measurements ---

/**
 * A worker's claim of one runnable run (then released, so the next sample claims it again), and its idle poll: the
 * claim that finds nothing plus nextReadyAt, which sets how long it sleeps.
 */
/** A worker's claim of at most one run of ALL_WORKFLOWS. */
function claimOne(store) {
  return store.claim({ workerId: "bench-scale", limit: 1, leaseMs: 30_000, workflows: ALL_WORKFLOWS });
}

/**
 * Runs wait for events of their own while an in-process worker polls; one at a time, a signal is sent and the time
 * taken until the resumed step's function is called (the run's `onResumed`).
 */
async function timeSignals(target, samples) {
  let resumed = () => {};
  const engine = createEngine({ store: target.openStore(), workflows: [probed(() => resumed())] });
  const worker = engine.runWorker({ concurrency: 16 });
  try {
    const keys = [];
    const ids = [];
    for (let i = 0; i < samples; i++) {
      keys.push(`scale-signal-${process.pid}-${Date.now()}-${i}`);
      ids.push((await engine.start(waiter.name, { kind: "event", eventKey: keys[i] })).id);
    }
    for (const id of ids) await until(async () => (await engine.get(id))?.status === "waiting", `run ${id} to wait`);
    const ms = [];
    for (const key of keys) {
      const called = new Promise((resolve) => {
        resumed = resolve;
      });
      const start = performance.now();
      await engine.signal(key, { go: true });
      await called;
      ms.push(performance.now() - start);
    }
    // Ended before the worker stops, so that nothing is left runnable for the idle polls measured later.
    for (const id of ids) await until(async () => (await engine.get(id))?.status === "completed", `run ${id} to complete`);
    return latency(ms);
  } finally {
    await worker.stop();
    await engine.close();
  }
}

async function until(check, what) {
  for (let i = 0; i < 2_000; i++) {
    if (await check()) return;
    await sleep(5);
  }
  throw new Error(`gave up waiting for ${what}`);
}

/**
 * BURST runs sleep until the same moment, already past; `workers` worker processes resume them all. The rate is
 * counted from the journal (first wait_resolved to the last run's end, so process start-up is left out), and each
 * run's journal must hold exactly one wait_resolved and one completed step: a timer that fired twice would show.
 */
async function timerBurst(target, bulk, templates, workers) {
  const template = await bulk.read(templates.timer.id);
  const due = Date.now() - 1_000;
  const { pk: firstPk } = await bulk.nextIds();
  const bar = progressBar(`${target.label}: ${BURST.toLocaleString("en-US")} timers due now`, BURST);
  await cloneRuns(
    bulk,
    template,
    BURST,
    (n) => ({
      id: `r_burst${workers}_${n}`,
      createdAt: due - 60_000,
      updatedAt: due - 60_000,
      readyAt: due,
      replace: untilReplacements(templates.until, due),
    }),
    { onProgress: (done) => bar.update(done) },
  );
  bar.done();
  await bulk.finish();
  const lastPk = firstPk + BURST - 1;
  const [check] = await bulk.query(`SELECT spec FROM ${bulk.table("waits")} WHERE run_pk = ${lastPk}`);
  if (!check || Date.parse(JSON.parse(check.spec).until) !== due)
    throw new Error(`a burst timer's wait is not due at ${due}: ${check?.spec}`);
  progress(`${target.label}: ${workers} worker process${workers > 1 ? "es" : ""} resume them`);
  await Promise.all(Array.from({ length: workers }, () => runWorkerProcess(target.location)));
  const [counts] = await bulk.query(
    `SELECT count(*) AS runs, sum(CASE WHEN status = 'completed' THEN 1 ELSE 0 END) AS completed,
       max(updated_at) AS last_at FROM ${bulk.table("runs")} WHERE pk BETWEEN ${firstPk} AND ${lastPk}`,
  );
  const [journal] = await bulk.query(
    `SELECT min(CASE WHEN type = 'wait_resolved' THEN at END) AS first_at,
       sum(CASE WHEN type = 'wait_resolved' THEN 1 ELSE 0 END) AS resolved,
       sum(CASE WHEN type = 'step_completed' THEN 1 ELSE 0 END) AS steps
     FROM ${bulk.table("journal")} WHERE run_pk BETWEEN ${firstPk} AND ${lastPk}`,
  );
  const completed = Number(counts.completed);
  if (Number(counts.runs) !== BURST || completed !== BURST) throw new Error(`the burst: ${completed} of ${BURST} runs completed`);
  const twice = Number(journal.resolved) - BURST + (Number(journal.steps) - BURST);
  const ms = Number(counts.last_at) - Number(journal.first_at);
  return { runsPerSec: (BURST / Math.max(1, ms)) * 1000, ms, firedTwice: twice };
}

/**
 * Retention while work goes on: WORKER_RUNS runs of 10 steps executed by a worker process alone, then again while
 * this process prunes every finished run (older than a day) in batches of PRUNE_BATCH, through pruneBatch as the
 * worker's retention does; pruning goes on to the last finished run.
 */
async function retention(target, engine, bulk, finished) {
  const alone = await workerThroughput(target, engine, bulk);
  const before = Date.now() - DAY_MS;
  let pruned = 0;
  let busyRetries = 0;
  let stop = false;
  const bar = progressBar(`${target.label}: pruning ${finished.toLocaleString("en-US")} finished runs`, finished);
  const pruning = (async () => {
    const start = performance.now();
    // Paced as `duro runs prune` and the worker's retention are: a rest as long as each batch took.
    await paceBatches(
      async () => {
        if (stop) return 0;
        try {
          const batch = await pruneBatch(engine.store, { status: "completed", before, limit: PRUNE_BATCH, now: Date.now() });
          pruned += batch.pruned.length;
          bar.update(pruned);
          return batch.pruned.length;
        } catch (error) {
          // SQLite: a batch that waited past the busy timeout behind the worker's commits is tried again, as the
          // worker's retention does at its next pass; counted, since it is a finding.
          if (error?.code !== "db_busy") throw error;
          busyRetries++;
          return PRUNE_BATCH;
        }
      },
      { limit: PRUNE_BATCH },
    );
    return performance.now() - start;
  })();
  let during;
  try {
    during = await workerThroughput(target, engine, bulk);
  } catch (error) {
    stop = true;
    await pruning.catch(() => {});
    throw error;
  }
  const duringPruned = pruned;
  const ms = await pruning;
  bar.done();
  if (pruned < finished) throw new Error(`pruning took ${pruned} of ${finished} finished runs`);
  stop = true;
  return {
    prunedPerSec: (pruned / ms) * 1000,
    pruned,
    busyRetries,
    workerAlone: alone,
    workerDuring: during,
    prunedWhileWorking: duringPruned,
  };
}

/** WORKER_RUNS runs of 10 steps, started here, executed by one worker process; runs/s from its first step to the last end. */
async function workerThroughput(target, engine, bulk) {
  const startedAt = Date.now();
  for (let i = 0; i < WORKER_RUNS; i += 20) {
    await Promise.all(Array.from({ length: 20 }, () => engine.start(steps, { steps: 10 })));
  }
  await runWorkerProcess(target.location);
  const [row] = await bulk.query(
    `SELECT count(*) AS runs, sum(CASE WHEN r.status = 'completed' THEN 1 ELSE 0 END) AS completed,
       min(j.at) AS first_at, max(r.updated_at) AS last_at
     FROM ${bulk.table("runs")} r JOIN ${bulk.table("journal")} j ON j.run_pk = r.pk AND j.seq = 2
     WHERE r.workflow = '${steps.name}' AND r.created_at >= ${startedAt}`,
  );
  if (Number(row.runs) !== WORKER_RUNS || Number(row.completed) !== WORKER_RUNS) {
    throw new Error(`the worker completed ${row.completed} of ${WORKER_RUNS} runs (${row.runs} found)`);
  }
  return { runsPerSec: (WORKER_RUNS / Math.max(1, Number(row.last_at) - Number(row.first_at))) * 1000 };
}

/** `duro worker bench/scale-workflows.js --until-idle` on the database; rejects unless it exits cleanly. */
function runWorkerProcess(location) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, "worker", WORKFLOWS, "--db", location, "--until-idle", "--json"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let err = "";
    child.stdout.resume();
    child.stderr.on("data", (chunk) => {
      err += chunk;
    });
    child.on("error", reject);
    child.on("close", (code, signal) => {
      const errors = err
        .split("\n")
        .filter((line) => line.trim() !== "" && !/^duro: run \S+ is held by worker .*; not waiting for it/.test(line));
      if (code !== 0 || errors.length > 0)
        reject(new Error(`duro worker exited with ${code ?? signal}: ${errors.slice(0, 3).join(" | ")}`));
      else resolve();
    });
  });
}

function latency(ms) {
  return { p50: percentile(ms, 0.5), p99: percentile(ms, 0.99), samples: ms.length };
}

// --- the table ---

/** The table's rows; `burstGoal` is the timer burst's target for this store (runs/s). */
function rowsOf(empty, full, burstGoal) {
  const ratio = (a, b) => (a > 0 ? b / a : Number.NaN);
  const flat = (r) => (Number.isNaN(r) ? "" : r <= 1.5 ? "≤ 1.5 (met)" : "≤ 1.5 (MISSED)");
  const timeRow = (label, unit, a, b, note = "") => {
    const r = ratio(a, b);
    return [label, unit, a, b, round(r), `${flat(r)}${note ? `; ${note}` : ""}`];
  };
  const rateRow = (label, a, b, note = "", target) => {
    const r = ratio(b, a);
    const goal = target === undefined ? flat(r) : `${flat(r)}; ≥ ${target.toLocaleString("en-US")}/s (${b >= target ? "met" : "MISSED"})`;
    return [label, "runs/s", a, b, round(r), `${goal}${note ? `; ${note}` : ""}`];
  };
  return [
    timeRow("start a run, p50", "ms", empty.start.p50, full.start.p50, `${full.start.samples} starts`),
    timeRow("  (p99)", "ms", empty.start.p99, full.start.p99),
    timeRow(
      "run of 10 steps end to end, p50",
      "ms",
      empty.tenSteps.p50,
      full.tenSteps.p50,
      `start + runUntilSettled, ${full.tenSteps.samples} runs`,
    ),
    timeRow("  (p99)", "ms", empty.tenSteps.p99, full.tenSteps.p99),
    timeRow(
      "claim of one runnable run, p50",
      "ms",
      empty.claim.p50,
      full.claim.p50,
      `p99 ${round(empty.claim.p99)} / ${round(full.claim.p99)} ms`,
    ),
    timeRow(
      "idle poll (empty claim + nextReadyAt), p50",
      "ms",
      empty.idlePoll.p50,
      full.idlePoll.p50,
      `p99 ${round(empty.idlePoll.p99)} / ${round(full.idlePoll.p99)} ms`,
    ),
    timeRow(
      "signal → resumed step runs, p50",
      "ms",
      empty.signal.p50,
      full.signal.p50,
      `${full.signal.samples} signals, in-process worker`,
    ),
    timeRow("  (p99)", "ms", empty.signal.p99, full.signal.p99),
    rateRow(
      `timer burst (${BURST.toLocaleString("en-US")} due at once), 1 worker`,
      empty.burst1.runsPerSec,
      full.burst1.runsPerSec,
      `fired twice: ${empty.burst1.firedTwice} / ${full.burst1.firedTwice}`,
      burstGoal,
    ),
    rateRow(
      "  (4 worker processes)",
      empty.burst4.runsPerSec,
      full.burst4.runsPerSec,
      `fired twice: ${empty.burst4.firedTwice} / ${full.burst4.firedTwice}`,
      burstGoal,
    ),
    timeRow("runs list --status completed, p50", "ms", empty.list.status, full.list.status),
    timeRow("runs list --workflow, p50", "ms", empty.list.workflow, full.list.workflow),
    timeRow("runs list --waiting-for approval, p50", "ms", empty.list.approvals, full.list.approvals, "the inbox's approvals"),
    timeRow("runs list --waiting-for question, p50", "ms", empty.list.questions, full.list.questions),
    timeRow("runs list --inbox (undelivered events), p50", "ms", empty.list.inbox, full.list.inbox),
    timeRow("GET /v1/runs (createApp), p50", "ms", empty.list.api, full.list.api),
    timeRow("GET /v1/runs?status=waiting, p50", "ms", empty.list.apiWaiting, full.list.apiWaiting),
    timeRow("runs list --tenant (1 % of runs), p50", "ms", empty.list.tenant, full.list.tenant, "what a tenant's API key lists"),
    timeRow("runs list --tenant default --status waiting, p50", "ms", empty.list.tenantWaiting, full.list.tenantWaiting),
    timeRow("runs list --workflow --version <old>, p50", "ms", empty.list.oldVersion, full.list.oldVersion, "the oldest 10 % of runs"),
    timeRow(
      "GET /v1/runs?workflow&version=<old>, p50",
      "ms",
      empty.list.apiOldVersion,
      full.list.apiOldVersion,
      "with the caller's tenant",
    ),
    timeRow("runs list --tenant (1 %) --workflow, p50", "ms", empty.list.tenantWorkflow, full.list.tenantWorkflow),
    timeRow("runs list --sort updated, p50", "ms", empty.list.updated, full.list.updated),
    rateRow(
      "prune finished runs, batches of 500, paced",
      empty.retention.prunedPerSec,
      full.retention.prunedPerSec,
      `${empty.retention.pruned.toLocaleString("en-US")} / ${full.retention.pruned.toLocaleString("en-US")} runs; batches retried after db_busy: ${empty.retention.busyRetries} / ${full.retention.busyRetries}`,
    ),
    rateRow(
      "worker without pruning (1,000 × 10 steps)",
      empty.retention.workerAlone.runsPerSec,
      full.retention.workerAlone.runsPerSec,
      "1 worker process",
    ),
    [
      "  (the same while pruning)",
      "runs/s",
      empty.retention.workerDuring.runsPerSec,
      full.retention.workerDuring.runsPerSec,
      round(full.retention.workerDuring.runsPerSec / full.retention.workerAlone.runsPerSec),
      `ratio = during / without, full db; ${full.retention.prunedWhileWorking.toLocaleString("en-US")} pruned meanwhile`,
    ],
    timeRow(
      "size per finished run",
      "bytes",
      empty.size.bytesPerFinished,
      full.size.bytesPerFinished,
      `empty db: ${empty.size.finished.toLocaleString("en-US")} runs (${SMALL * 100}%)`,
    ),
    timeRow(
      "size per waiting run",
      "bytes",
      empty.size.bytesPerWaiting,
      full.size.bytesPerWaiting,
      `empty db: ${empty.size.waiting.toLocaleString("en-US")} runs`,
    ),
  ];
}

main().catch((error) => {
  process.stderr.write(`bench:scale failed: ${error?.stack ?? error}\n`);
  process.exit(1);
});
