// PostgreSQL soak under retention: `node bench/soak-postgres.js [--runs 100000] [--vacuum-every <runs>] [--keep]`.
// Not part of `npm test` or `npm run bench`; build first (`npm run build`), it uses dist/ like the other bench files.
//
// Creates its own schema (duro_soak_<pid>) on DURO_TEST_PG (default postgres://postgres@127.0.0.1:5432/test), runs
// short runs (three steps, one result kept as an artifact) through two in-process workers (two engines, each with its
// own pool, both applying the same retention policy, so they contend for the retention lease), with a retention of 1
// hour for completed runs and a 10-minute artifact grace. Time is simulated so that the soak takes minutes: the
// engines and stores share a clock that the driver moves forward by 360 ms per run started, so 100,000 runs span 10
// simulated hours whatever the machine's speed, and the retained window always holds the last ~10,000 runs. Leases
// are a simulated day long, so simulated time passing never expires them. Retention passes run every 2 real seconds.
//
// Prints, every 10,000 runs and at the end: each duro table's pg_total_relation_size, live rows (count(*)), dead
// tuples and (auto)vacuum counts from pg_stat_user_tables; then the same after a manual VACUUM and after VACUUM FULL.
// With --vacuum-every N the driver also runs a plain VACUUM on the duro tables every N runs, as an operator would
// where autovacuum is off. The schema is dropped at the end unless --keep.
import { parseArgs } from "node:util";
import pg from "pg";
import { createEngine, openPostgresStore, workflow } from "../dist/index.js";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "100000" },
    "vacuum-every": { type: "string", default: "0" },
    keep: { type: "boolean", default: false },
  },
});
const TOTAL = Number(values.runs);
const VACUUM_EVERY = Number(values["vacuum-every"]);
const PG_URL = process.env.DURO_TEST_PG ?? "postgres://postgres@127.0.0.1:5432/test";
const SCHEMA = `duro_soak_${process.pid}`;
const SIM_MS_PER_RUN = 360;
const REPORT_EVERY = 10_000;
/** Runs started but not finished are kept under this, so the backlog (and memory) stays bounded. */
const MAX_IN_FLIGHT = 400;
const TABLES = ["runs", "journal", "waits", "inbox", "artifacts", "artifact_refs", "maintenance_leases", "queues", "meta"];

let simNow = Date.UTC(2026, 0, 1);
const clock = () => simNow;

const soak = workflow("soak.short", async (ctx, input) => {
  const a = await ctx.step("a", async () => input.n + 1);
  const b = await ctx.step("b", async () => a * 2);
  // Longer than artifactThreshold: kept in the artifacts table, referenced by this run.
  const report = await ctx.step("report", async () => `run ${input.n}: ${b} `.repeat(40));
  return report.length;
});

const admin = new pg.Client({ connectionString: PG_URL, application_name: "duro-soak" });

function log(message) {
  process.stderr.write(`soak: ${message}\n`);
}

function engineFor(url, name) {
  const store = openPostgresStore(url, { clock, poolSize: 6 });
  const passes = { pruned: 0, artifacts: 0 };
  const engine = createEngine({
    store,
    workflows: [soak],
    clock,
    leaseMs: 86_400_000,
    artifactThreshold: 256,
    workerId: name,
    retention: {
      completed: "1h",
      artifactGrace: "10m",
      batchSize: 500,
      maxBatches: 20,
      every: 2_000,
      onPass: (r) => {
        passes.pruned += r.pruned.completed;
        passes.artifacts += r.artifacts;
      },
      onError: (error) => log(`${name} retention failed: ${error.message}`),
    },
  });
  return { engine, passes };
}

async function tableStats() {
  const rows = [];
  for (const table of TABLES) {
    const qualified = `"${SCHEMA}"."${table}"`;
    const {
      rows: [size],
    } = await admin.query("SELECT pg_total_relation_size($1::regclass) AS bytes", [qualified]);
    const {
      rows: [count],
    } = await admin.query(`SELECT count(*)::int AS n FROM ${qualified}`);
    const {
      rows: [stat],
    } = await admin.query(
      `SELECT n_dead_tup::int AS dead, n_live_tup::int AS live_est, vacuum_count::int AS vacuums,
         autovacuum_count::int AS autovacuums, autoanalyze_count::int AS autoanalyzes
       FROM pg_stat_user_tables WHERE schemaname = $1 AND relname = $2`,
      [SCHEMA, table],
    );
    rows.push({ table, bytes: Number(size.bytes), rows: count.n, ...stat });
  }
  return rows;
}

function printStats(title, stats) {
  const kb = (b) => `${(b / 1024).toFixed(0)} kB`;
  const total = stats.reduce((sum, s) => sum + s.bytes, 0);
  console.log(`\n== ${title} (duro tables total ${kb(total)})`);
  console.log("table               size        rows    dead tuples  vacuums  autovacuums");
  for (const s of stats) {
    console.log(
      `${s.table.padEnd(18)} ${kb(s.bytes).padStart(10)} ${String(s.rows).padStart(9)} ${String(s.dead).padStart(12)} ${String(s.vacuums).padStart(8)} ${String(s.autovacuums).padStart(12)}`,
    );
  }
}

async function vacuum(full) {
  for (const table of TABLES) await admin.query(`VACUUM ${full ? "FULL " : ""}"${SCHEMA}"."${table}"`);
}

/** pg_stat_user_tables is updated asynchronously (at most every second per backend); give it time to settle. */
async function settledStats() {
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  return tableStats();
}

async function main() {
  await admin.connect();
  // Ctrl-C still drops the schema (unless --keep).
  process.once("SIGINT", () => {
    log("interrupted");
    const drop = values.keep ? Promise.resolve() : admin.query(`DROP SCHEMA IF EXISTS "${SCHEMA}" CASCADE`);
    void drop.finally(() => process.exit(130));
  });
  const settings = await admin.query(
    "SELECT name, setting FROM pg_settings WHERE name IN ('server_version', 'autovacuum', 'autovacuum_naptime', 'autovacuum_vacuum_scale_factor', 'autovacuum_vacuum_threshold')",
  );
  log(`server: ${settings.rows.map((r) => `${r.name}=${r.setting}`).join(", ")}`);
  const url = new URL(PG_URL);
  url.searchParams.set("schema", SCHEMA);
  const workers = [engineFor(url.toString(), "soak-w1"), engineFor(url.toString(), "soak-w2")];
  const [starter] = workers;
  const started = performance.now();
  const finished = { n: 0 };
  try {
    await starter.engine.store.ready();
    for (const { engine } of workers) engine.runWorker({ concurrency: 16, pollMs: 20, onOutcome: () => finished.n++ });
    let n = 0;
    while (n < TOTAL) {
      // Keep the backlog bounded: the workers finish runs as fast as they can, the driver starts more.
      while (n - finished.n >= MAX_IN_FLIGHT) await new Promise((resolve) => setTimeout(resolve, 5));
      const batch = Math.min(100, TOTAL - n, MAX_IN_FLIGHT - (n - finished.n));
      await Promise.all(Array.from({ length: batch }, (_, i) => starter.engine.start(soak, { n: n + i })));
      n += batch;
      simNow += batch * SIM_MS_PER_RUN;
      if (VACUUM_EVERY > 0 && Math.floor(n / VACUUM_EVERY) > Math.floor((n - batch) / VACUUM_EVERY)) await vacuum(false);
      if (Math.floor(n / REPORT_EVERY) > Math.floor((n - batch) / REPORT_EVERY)) {
        const seconds = (performance.now() - started) / 1000;
        const pruned = workers.reduce((sum, w) => sum + w.passes.pruned, 0);
        const artifacts = workers.reduce((sum, w) => sum + w.passes.artifacts, 0);
        printStats(
          `after ${n} runs started, ${finished.n} finished, ${pruned} pruned, ${artifacts} artifacts collected; ${((simNow - Date.UTC(2026, 0, 1)) / 3_600_000).toFixed(1)} h simulated, ${seconds.toFixed(0)} s real`,
          await tableStats(),
        );
      }
    }
    while (finished.n < TOTAL) await new Promise((resolve) => setTimeout(resolve, 20));
    // One more retention interval, so the last pass sees the final clock.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const seconds = (performance.now() - started) / 1000;
    const pruned = workers.reduce((sum, w) => sum + w.passes.pruned, 0);
    const byWorker = workers.map((w) => `${w.engine.workerId} pruned ${w.passes.pruned}`).join(", ");
    log(`${TOTAL} runs in ${seconds.toFixed(0)} s (${(TOTAL / seconds).toFixed(0)} runs/s on a shared machine); ${byWorker}`);
    for (const { engine } of workers) await engine.close();
    printStats(`end: ${TOTAL} runs, ${pruned} pruned, 1 h retention`, await settledStats());
    await vacuum(false);
    printStats("after VACUUM", await settledStats());
    await vacuum(true);
    printStats("after VACUUM FULL", await settledStats());
  } finally {
    for (const { engine } of workers) await engine.close().catch(() => undefined);
    if (!values.keep) await admin.query(`DROP SCHEMA IF EXISTS "${SCHEMA}" CASCADE`);
    await admin.end();
  }
}

await main();
