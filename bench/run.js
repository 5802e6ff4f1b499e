// `npm run bench`: measures duro on SQLite, then on PostgreSQL (when its server answers), on this machine and prints
// a table for each, then (as the last line of stdout) one JSON object with the headline figures. It reports; it
// does not pass or fail.
import { cpus, loadavg } from "node:os";
import { DEFAULT_WORKER_CONCURRENCY } from "../dist/index.js";
import { formatTable, median, progress, repeat, round, withTempDb } from "./lib.js";
import { measureInChild, prepareMemoryDb } from "./memory.js";
import {
  PG_URL,
  percentile,
  pgAppendCost,
  pgReferences,
  pgRunThroughput,
  pgSignalToResume,
  pgSingleRun,
  pgWorkerStartup,
  postgresReachable,
  serverInfo,
} from "./postgres.js";
import { bareCommits, perStepCost, resume, runThroughput, singleRun } from "./sqlite.js";
import { cliRunStartup, nodeStartup, workerFirstClaim } from "./startup.js";

const REPEATS = 3;
const SINGLE_RUN_STEPS = 10_000;
const RUNS = 1_000;
const STEPS_PER_RUN = 10;
const CONCURRENCY = 4;
const HISTORY_STEPS = 100_000;
const HISTORY_POINTS = [
  { label: "1k", step: 1_000 },
  { label: "10k", step: 10_000 },
  { label: "100k", step: 100_000 },
];
const HISTORY_WINDOW = 1_000;
const FINISHED_RUNS = 10_000;
const RESUME_STEPS = 10_000;
const BARE_COMMITS = 20_000;
/** With synchronous "full" each commit waits for fsync; a measurement's 3 repeats are scaled down to fit this. */
const FULL_BUDGET_MS = 40_000;

/** Start-up: spawns per figure. */
const STARTUP_TIMES = 5;
/** Memory: runs held at once by one worker, the length of the replayed run, and the finished runs added for the second pass. */
const MEMORY_CONCURRENT = 1_000;
const MEMORY_REPLAY_STEPS = 100_000;
const MEMORY_HISTORY = 100_000;
const MiB = 1024 * 1024;

const TARGETS = {
  singleRunStepsPerSec: { min: 15_000, text: "≥ 15,000" },
  singleRunOfBareCommits: { min: 0.6, text: "≥ 60 %" },
  cpuUsPerStep: { max: 25, text: "≤ 25" },
  startupMs: { max: 300, text: "≤ 300" },
  runsPerSec: { min: 1_000, text: "≥ 1,000" },
  resume10kMs: { max: 500, text: "≤ 500" },
  bytesPerStep: { max: 300, text: "≤ 300" },
};

const PG_WORKERS = [1, 2, 4];
/** Bare commits measured right after each single run, for the ratio. */
const PG_PAIRED_COMMITS = 2_000;
const APPEND_BATCH_SIZES = [1, 4, 16];
const SIGNAL_SAMPLES = 50;
/** How long the worker is left idle before each signal (plus up to as much again, at random). */
const SIGNAL_IDLE_MS = 20;
const PG_TARGETS = {
  singleRunStepsPerSec: { min: 3_000, text: "≥ 3,000" },
  singleRunOfBareCommits: { min: 0.6, text: "≥ 60 %" },
  runsPerSec: { min: 500, text: "≥ 500" },
  signalP50Ms: { max: 20, text: "≤ 20" },
};

function verdict(target, value) {
  if (!target) return "";
  const met = target.min !== undefined ? value >= target.min : value <= target.max;
  return `${target.text} (${met ? "met" : "MISSED"})`;
}

const samples = (values) => values.map((v) => round(v)).join(", ");

async function main() {
  const began = performance.now();
  const loadAtStart = loadavg()[0];
  progress(
    `node ${process.version}, ${cpus().length} cpus, load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}`,
  );

  progress("warming up (untimed)");
  await singleRun({ steps: 2_000 });
  await runThroughput({ runs: 100, stepsPerRun: STEPS_PER_RUN, concurrency: CONCURRENCY });

  progress(`single run of ${SINGLE_RUN_STEPS} steps, each followed by ${BARE_COMMITS} bare better-sqlite3 commits ×${REPEATS}`);
  // Each run is paired with the bare commits measured right after it: their ratio holds on a noisy machine, where
  // the absolute figures drift with the other processes' load.
  const pairs = await repeat(REPEATS, async () => ({
    single: await singleRun({ steps: SINGLE_RUN_STEPS, storage: true }),
    bare: await bareCommits({ commits: BARE_COMMITS }),
  }));
  const single = pairs.map((p) => p.single);
  const bare = pairs.map((p) => p.bare);
  const stepsPerSec = single.map((s) => s.stepsPerSec);
  const ofBare = pairs.map((p) => p.single.stepsPerSec / p.bare.commitsPerSec);
  const storage = single[0].storage;

  progress(`${RUNS} runs of ${STEPS_PER_RUN} steps, worker concurrency ${CONCURRENCY} ×${REPEATS}`);
  const runs = await repeat(REPEATS, () => runThroughput({ runs: RUNS, stepsPerRun: STEPS_PER_RUN, concurrency: CONCURRENCY }));

  progress(`${RUNS} runs of ${STEPS_PER_RUN} steps again, with ${FINISHED_RUNS} completed runs already in the database (×1)`);
  const [runsAfterHistory] = await repeat(1, () =>
    runThroughput({ runs: RUNS, stepsPerRun: STEPS_PER_RUN, concurrency: CONCURRENCY, history: FINISHED_RUNS }),
  );

  progress(`one run of ${HISTORY_STEPS} steps, cost per step as history grows`);
  const history = await perStepCost({ steps: HISTORY_STEPS, points: HISTORY_POINTS, window: HISTORY_WINDOW });

  progress(`resume of a run with ${RESUME_STEPS} journaled steps ×${REPEATS} in-process, ×1 in a new process`);
  const resumed = await resume({ steps: RESUME_STEPS, times: REPEATS });

  progress("synchronous=full: estimating fsync cost");
  const fullPlan = await planFull();
  progress(`synchronous=full: single run of ${fullPlan.steps} steps ×${REPEATS}`);
  const fullSingle = await repeat(REPEATS, () => singleRun({ steps: fullPlan.steps, synchronous: "full" }));
  progress(`synchronous=full: ${fullPlan.runs} runs of ${STEPS_PER_RUN} steps ×${REPEATS}`);
  const fullRuns = await repeat(REPEATS, () =>
    runThroughput({ runs: fullPlan.runs, stepsPerRun: STEPS_PER_RUN, concurrency: CONCURRENCY, synchronous: "full" }),
  );

  progress(`bare better-sqlite3, synchronous FULL: ${fullPlan.bareCommits} single-insert commits ×${REPEATS}`);
  const bareFull = await repeat(REPEATS, () => bareCommits({ commits: fullPlan.bareCommits, synchronous: "FULL" }));

  progress(`start-up: node alone, duro run of a one-step workflow (.js, .ts), a worker to its first claim ×${STARTUP_TIMES}`);
  const startup = {
    node: await nodeStartup({ times: STARTUP_TIMES }),
    runJs: await cliRunStartup({ ext: "js", times: STARTUP_TIMES }),
    runTs: await cliRunStartup({ ext: "ts", times: STARTUP_TIMES }),
    workerFirstClaim: await workerFirstClaim({ times: STARTUP_TIMES }),
  };

  const memory = await memorySection();

  const figures = {
    singleRunStepsPerSec: median(stepsPerSec),
    singleRunOfBareCommits: median(ofBare),
    cpuUsPerStep: median(single.map((s) => s.cpuUsPerStep)),
    startupMs: Object.fromEntries(Object.entries(startup).map(([what, ms]) => [what, median(ms)])),
    memoryMiB: memory.figures,
    runsPerSec: median(runs.map((r) => r.runsPerSec)),
    usPerStep: Object.fromEntries(history.at.map((p) => [p.label, p.meanUs])),
    resume10kMs: median(resumed.inProcess.map((r) => r.ms)),
    bytesPerStep: median(single.map((s) => s.storage.bytesPerStep)),
    full: {
      singleRunStepsPerSec: median(fullSingle.map((s) => s.stepsPerSec)),
      runsPerSec: median(fullRuns.map((r) => r.runsPerSec)),
    },
    bareCommitsPerSec: median(bare.map((b) => b.commitsPerSec)),
  };

  const rows = [
    [
      "single run, 10k steps",
      "steps/s",
      figures.singleRunStepsPerSec,
      verdict(TARGETS.singleRunStepsPerSec, figures.singleRunStepsPerSec),
      `${samples(stepsPerSec)}; CPU ${samples(single.map((s) => s.cpuUsPerStep))} µs/step`,
    ],
    [
      "  (as a share of bare commits, same pass)",
      "%",
      figures.singleRunOfBareCommits * 100,
      verdict(TARGETS.singleRunOfBareCommits, figures.singleRunOfBareCommits),
      `${samples(ofBare.map((r) => r * 100))}; each run ÷ the bare commits/s measured right after it (one commit per step)`,
    ],
    [
      "  (CPU per step, this process)",
      "µs/step",
      figures.cpuUsPerStep,
      verdict(TARGETS.cpuUsPerStep, figures.cpuUsPerStep),
      "user + system time over the run, the commits included",
    ],
    [
      `${RUNS} runs × ${STEPS_PER_RUN} steps, worker ×${CONCURRENCY}`,
      "runs/s",
      figures.runsPerSec,
      verdict(TARGETS.runsPerSec, figures.runsPerSec),
      `${samples(runs.map((r) => r.runsPerSec))}; = ${round(figures.runsPerSec * STEPS_PER_RUN)} steps/s`,
    ],
    [
      `  (with ${FINISHED_RUNS.toLocaleString("en-US")} completed runs in the db)`,
      "runs/s",
      runsAfterHistory.runsPerSec,
      verdict(TARGETS.runsPerSec, runsAfterHistory.runsPerSec),
      `1 sample; ${round((runsAfterHistory.runsPerSec / figures.runsPerSec) * 100)}% of the empty-db figure`,
    ],
    ...history.at.map((p) => [
      `cost per step near step ${p.label}`,
      "µs/step",
      p.meanUs,
      p === history.at[0] ? "flat" : `${round((p.meanUs / history.at[0].meanUs) * 100)}% of 1k`,
      `steps ${p.from}–${p.to}: p50 ${round(p.p50Us)} µs, p99 ${round(p.p99Us)} µs`,
    ]),
    [
      "  (whole 100k-step run)",
      "µs/step",
      history.meanUs,
      "",
      `${round(history.ms / 1000)} s in all; ${history.stalls.count} gaps > ${history.stalls.overMs} ms = ${round(history.stalls.share * 100)}% of the time`,
    ],
    [
      "resume 10k steps to next new step",
      "ms",
      figures.resume10kMs,
      verdict(TARGETS.resume10kMs, figures.resume10kMs),
      `${samples(resumed.inProcess.map((r) => r.ms))}; same process, fresh store + engine`,
    ],
    [
      "  (in a new node process)",
      "ms",
      resumed.coldProcess.ms,
      verdict(TARGETS.resume10kMs, resumed.coldProcess.ms),
      "cold JIT; excludes node startup and imports",
    ],
    [
      "database size per step (10k steps)",
      "bytes",
      figures.bytesPerStep,
      verdict(TARGETS.bytesPerStep, figures.bytesPerStep),
      `whole file (${round(storage.fileBytes / 1024)} KiB after wal_checkpoint(TRUNCATE)) / steps; page ${storage.pageSize} B`,
    ],
    ...storage.objects
      .filter((o) => o.bytesPerStep >= 1)
      .map((o) => [
        `  table/index ${o.name}`,
        "bytes",
        o.bytesPerStep,
        "",
        `${o.pages} pages, payload ${round(o.payloadPerStep)} B/step (${round((o.payload / o.bytes) * 100)}% full)`,
      ]),
    [
      `sync=full: single run, ${fullPlan.steps} steps`,
      "steps/s",
      figures.full.singleRunStepsPerSec,
      "",
      `${samples(fullSingle.map((s) => s.stepsPerSec))}${fullPlan.steps < SINGLE_RUN_STEPS ? `; scaled down from 10k to keep 3 runs under ${FULL_BUDGET_MS / 1000} s` : ""}`,
    ],
    [
      `sync=full: ${fullPlan.runs} runs × ${STEPS_PER_RUN} steps`,
      "runs/s",
      figures.full.runsPerSec,
      "",
      `${samples(fullRuns.map((r) => r.runsPerSec))}${fullPlan.runs < RUNS ? `; scaled down from 1,000 to keep 3 passes under ${FULL_BUDGET_MS / 1000} s` : ""}`,
    ],
    [
      "bare better-sqlite3 commits, WAL, NORMAL",
      "commits/s",
      figures.bareCommitsPerSec,
      "",
      `${samples(bare.map((b) => b.commitsPerSec))}; 1 insert per transaction; each right after a single run`,
    ],
    [
      "  (same with synchronous FULL)",
      "commits/s",
      median(bareFull.map((b) => b.commitsPerSec)),
      "",
      `${fullPlan.bareCommits} commits each`,
    ],
  ];

  const startupRows = [
    ["node -e 0 (the floor)", "ms", figures.startupMs.node, "", samples(startup.node)],
    [
      "duro run, one-step .js workflow",
      "ms",
      figures.startupMs.runJs,
      verdict(TARGETS.startupMs, figures.startupMs.runJs),
      `${samples(startup.runJs)}; spawn → exit: modules, open + migrations check, the run, its run folder`,
    ],
    [
      "duro run, one-step .ts workflow",
      "ms",
      figures.startupMs.runTs,
      verdict(TARGETS.startupMs, figures.startupMs.runTs),
      `${samples(startup.runTs)}; the same, the file loaded through tsx (its loader thread, cached transform)`,
    ],
    [
      "duro worker: spawn → first claim",
      "ms",
      figures.startupMs.workerFirstClaim,
      verdict(TARGETS.startupMs, figures.startupMs.workerFirstClaim),
      `${samples(startup.workerFirstClaim)}; one run queued; the claim's time is its first commit's (the step's start)`,
    ],
  ];

  const postgres = await postgresSection();

  console.log(
    `duro benchmark: SQLite on this machine (node ${process.version}, ${cpus().length} cpus, 1-min load average ${loadAtStart.toFixed(2)} at start, ${loadavg()[0].toFixed(2)} at end)`,
  );
  console.log("medians of 3 unless noted, samples in the last column; other processes on the machine make the samples vary\n");
  console.log(formatTable(["measurement", "unit", "value", "target", "samples / notes"], rows));
  console.log(`\nstart-up on SQLite, a database that exists; medians of ${STARTUP_TIMES}\n`);
  console.log(formatTable(["measurement", "unit", "value", "target", "samples / notes"], startupRows));
  console.log(`\nmemory (resident set, MiB), each in a fresh process; ${memory.heading}\n`);
  console.log(formatTable(["measurement", "unit", "value", "target", "samples / notes"], memory.rows));
  console.log(`\n${postgres.heading}\n`);
  if (postgres.rows.length > 0) console.log(formatTable(["measurement", "unit", "value", "target", "samples / notes"], postgres.rows));
  console.log(`\ntotal ${round((performance.now() - began) / 1000)} s`);
  console.log(JSON.stringify({ sqlite: roundAll(figures), postgres: roundAll(postgres.figures) }));
}

/**
 * Resident memory of a worker holding MEMORY_CONCURRENT runs at once and of a replay of MEMORY_REPLAY_STEPS steps,
 * on a database without finished runs and on one with MEMORY_HISTORY of them: the second must not be larger.
 */
async function memorySection() {
  const passes = {};
  for (const history of [0, MEMORY_HISTORY]) {
    progress(
      `memory: ${history.toLocaleString("en-US")} finished runs; ${MEMORY_CONCURRENT} runs at once, and a replay of ${MEMORY_REPLAY_STEPS.toLocaleString("en-US")} steps`,
    );
    passes[history] = await withTempDb(async (path) => {
      const id = await prepareMemoryDb(path, { history, concurrent: MEMORY_CONCURRENT, replaySteps: MEMORY_REPLAY_STEPS });
      return {
        concurrent: await measureInChild(["concurrent", path, String(MEMORY_CONCURRENT)]),
        replay: await measureInChild(["replay", path, id]),
      };
    });
  }
  const empty = passes[0];
  const full = passes[MEMORY_HISTORY];
  const share = (a, b) => `${round((b / a) * 100)}% of the empty-db figure`;
  const many = MEMORY_HISTORY.toLocaleString("en-US");
  return {
    heading: '1 sample each; "base" is the process after opening the store, before the work',
    figures: {
      concurrent: { empty: empty.concurrent.peakMiB, withHistory: full.concurrent.peakMiB },
      replay: { empty: empty.replay.peakMiB, withHistory: full.replay.peakMiB },
    },
    rows: [
      [
        `worker holding ${MEMORY_CONCURRENT} runs at once, peak`,
        "MiB",
        empty.concurrent.peakMiB,
        "",
        `base ${round(empty.concurrent.baseMiB)} MiB; half mid-step, half on a 1 s timer; ${round(((empty.concurrent.peakMiB - empty.concurrent.baseMiB) * 1024) / MEMORY_CONCURRENT)} KiB per run`,
      ],
      [
        `  (with ${many} finished runs in the db)`,
        "MiB",
        full.concurrent.peakMiB,
        "no growth",
        `base ${round(full.concurrent.baseMiB)} MiB; ${share(empty.concurrent.peakMiB, full.concurrent.peakMiB)}`,
      ],
      [
        `replay of a ${MEMORY_REPLAY_STEPS.toLocaleString("en-US")}-step run, peak`,
        "MiB",
        empty.replay.peakMiB,
        "",
        `base ${round(empty.replay.baseMiB)} MiB; ${round(((empty.replay.peakMiB - empty.replay.baseMiB) * MiB) / MEMORY_REPLAY_STEPS)} bytes per step; took ${round(empty.replay.ms)} ms`,
      ],
      [
        `  (with ${many} finished runs in the db)`,
        "MiB",
        full.replay.peakMiB,
        "no growth",
        `base ${round(full.replay.baseMiB)} MiB; ${share(empty.replay.peakMiB, full.replay.peakMiB)}`,
      ],
    ],
  };
}

/** The PostgreSQL measurements (bench/postgres.js): figures for the JSON line, rows for the table. */
async function postgresSection() {
  const reachable = await postgresReachable();
  if (!reachable.ok) {
    progress(`PostgreSQL at ${PG_URL} does not answer (${reachable.reason}); skipping its figures`);
    return {
      heading: `PostgreSQL: skipped, the server at ${PG_URL} does not answer (${reachable.reason}); set DURO_BENCH_PG`,
      figures: { skipped: reachable.reason },
      rows: [],
    };
  }
  const server = await serverInfo();

  progress("PostgreSQL: warming up (untimed)");
  await pgSingleRun({ steps: 1_000 });
  await pgRunThroughput({ runs: 100, stepsPerRun: STEPS_PER_RUN, workers: 1 });

  progress(`PostgreSQL: single run of ${SINGLE_RUN_STEPS} steps, each followed by ${PG_PAIRED_COMMITS} bare pg commits ×${REPEATS}`);
  const pairs = await repeat(REPEATS, async () => ({
    single: await pgSingleRun({ steps: SINGLE_RUN_STEPS }),
    bare: await pgReferences({ roundTrips: 1, commits: PG_PAIRED_COMMITS }),
  }));
  const single = pairs.map((p) => p.single);
  const stepsPerSec = single.map((s) => s.stepsPerSec);
  const ofBare = pairs.map((p) => p.single.stepsPerSec / p.bare.commitsPerSec);

  const byWorkers = {};
  for (const workers of PG_WORKERS) {
    progress(
      `PostgreSQL: ${RUNS} runs of ${STEPS_PER_RUN} steps, ${workers} worker processes (default concurrency, ${DEFAULT_WORKER_CONCURRENCY}) ×${REPEATS}`,
    );
    byWorkers[workers] = await repeat(REPEATS, () => pgRunThroughput({ runs: RUNS, stepsPerRun: STEPS_PER_RUN, workers }));
  }
  const most = Math.max(...PG_WORKERS);

  progress("PostgreSQL: worker processes with nothing to do ×3");
  const startup = await pgWorkerStartup({ times: REPEATS });

  progress(`PostgreSQL: signal → resume with an idle worker process, ${SIGNAL_SAMPLES} samples`);
  const signal = await pgSignalToResume({ samples: SIGNAL_SAMPLES, idleMs: SIGNAL_IDLE_MS });

  progress("PostgreSQL: the same with synchronous_commit=off (×1 each)");
  const [asyncSingle] = await repeat(1, () => pgSingleRun({ steps: SINGLE_RUN_STEPS, asyncCommit: true }));
  const [asyncRuns] = await repeat(1, () => pgRunThroughput({ runs: RUNS, stepsPerRun: STEPS_PER_RUN, workers: most, asyncCommit: true }));

  progress("PostgreSQL: bare pg round trips and commits (reference)");
  const references = await repeat(REPEATS, () => pgReferences({ roundTrips: 2_000, commits: 2_000 }));

  progress(`PostgreSQL: server CPU per append, batches of ${APPEND_BATCH_SIZES.join(", ")} runs' appends`);
  const appendCost = await pgAppendCost({ batchSizes: APPEND_BATCH_SIZES, rounds: 500 });

  const runsPerSecByWorkers = Object.fromEntries(PG_WORKERS.map((w) => [w, median(byWorkers[w].map((r) => r.runsPerSec))]));
  const fromFirstStep = Object.fromEntries(PG_WORKERS.map((w) => [w, median(byWorkers[w].map((r) => r.runsPerSecFromFirstStep))]));
  const figures = {
    singleRunStepsPerSec: median(stepsPerSec),
    singleRunOfBareCommits: median(ofBare),
    runsPerSec: runsPerSecByWorkers[most],
    runsPerSecByWorkers,
    runsPerSecFromFirstStep: fromFirstStep,
    signalToResumeMs: { p50: percentile(signal.toJournaled, 0.5), p99: percentile(signal.toJournaled, 0.99) },
    workerStartMs: median(startup),
    asyncCommit: { singleRunStepsPerSec: asyncSingle.stepsPerSec, runsPerSec: asyncRuns.runsPerSec },
    bareCommitsPerSec: median(references.map((r) => r.commitsPerSec)),
    roundTripUs: median(references.map((r) => r.roundTripUs)),
    appendCost: Object.fromEntries(
      appendCost.map((c) => [c.size, { usPerBatch: c.usPerBatch, serverUsPerAppend: c.serverUsPerAppend ?? null }]),
    ),
  };

  const rows = [
    [
      "single run, 10k steps",
      "steps/s",
      figures.singleRunStepsPerSec,
      verdict(PG_TARGETS.singleRunStepsPerSec, figures.singleRunStepsPerSec),
      `${samples(stepsPerSec)}; node CPU ${samples(single.map((s) => s.cpuUsPerStep))} µs/step`,
    ],
    [
      "  (as a share of bare pg commits, same pass)",
      "%",
      figures.singleRunOfBareCommits * 100,
      verdict(PG_TARGETS.singleRunOfBareCommits, figures.singleRunOfBareCommits),
      `${samples(ofBare.map((r) => r * 100))}; each run ÷ the one-row INSERT commits/s measured right after it`,
    ],
    ...PG_WORKERS.map((w) => [
      `${RUNS} runs × ${STEPS_PER_RUN} steps, ${w} worker process${w === 1 ? "" : "es"} (concurrency ${DEFAULT_WORKER_CONCURRENCY} each)`,
      "runs/s",
      runsPerSecByWorkers[w],
      w === most ? verdict(PG_TARGETS.runsPerSec, runsPerSecByWorkers[w]) : "",
      `${samples(byWorkers[w].map((r) => r.runsPerSec))}; ${round(fromFirstStep[w])} runs/s from the first step (no start-up)${w > 1 ? `; runs per worker ${byWorkers[w][0].perWorker.join("/")}` : ""}`,
    ]),
    [
      "  (a worker process with nothing to do)",
      "ms",
      figures.workerStartMs,
      "",
      `${samples(startup)}; spawn → exit: node start-up, modules, connecting, one claim; counted in every figure above`,
    ],
    [
      "signal → resumed step completed, p50",
      "ms",
      figures.signalToResumeMs.p50,
      verdict(PG_TARGETS.signalP50Ms, figures.signalToResumeMs.p50),
      `${SIGNAL_SAMPLES} runs, one signal each to an idle worker process (≥ ${SIGNAL_IDLE_MS} ms idle); times taken by the run's steps`,
    ],
    ["  (p99)", "ms", figures.signalToResumeMs.p99, "", `max ${round(Math.max(...signal.toJournaled))} ms`],
    [
      "  (signal → the resumed step's function runs, p50)",
      "ms",
      percentile(signal.toStepRunning, 0.5),
      "",
      `p99 ${round(percentile(signal.toStepRunning, 0.99))} ms`,
    ],
    [
      "synchronous_commit=off: single run",
      "steps/s",
      figures.asyncCommit.singleRunStepsPerSec,
      "",
      "1 sample; commits return before their WAL flush (a server crash may lose the last ones)",
    ],
    [`synchronous_commit=off: ${RUNS} runs, ${most} workers`, "runs/s", figures.asyncCommit.runsPerSec, "", "1 sample"],
    [
      "bare pg: one-row INSERT commits, 1 connection",
      "commits/s",
      figures.bareCommitsPerSec,
      "",
      `${samples(references.map((r) => r.commitsPerSec))}; a run commits each step after the last: its ceiling`,
    ],
    ["bare pg: prepared SELECT round trip", "µs", figures.roundTripUs, "", samples(references.map((r) => r.roundTripUs))],
    ...appendCost.map((c) => [
      `server CPU per append, ${c.size} run${c.size === 1 ? "" : "s"} per batch`,
      "µs",
      c.serverUsPerAppend ?? "n/a",
      "",
      `a batch (one statement, one commit) takes ${round(c.usPerBatch)} µs; CPU of all postgres processes, needs an idle machine`,
    ]),
  ];
  const settings = `server ${server.server_version}, synchronous_commit=${server.synchronous_commit}, wal_sync_method=${server.wal_sync_method}`;
  return { heading: `PostgreSQL at ${redact(PG_URL)} (${settings}); medians of 3 unless noted`, figures, rows };
}

/** The URL without a password, for the heading. */
function redact(url) {
  return url.replace(/\/\/([^:/@]*):[^@]*@/, "//$1:[REDACTED]@");
}

/**
 * Sizes the synchronous="full" measurements from a short probe, so that each set of repeats stays within
 * FULL_BUDGET_MS; on a disk with a fast fsync they run at full size.
 */
async function planFull() {
  const probeSteps = 300;
  const { stepsPerSec } = await singleRun({ steps: probeSteps, synchronous: "full" });
  // A run of 10 steps costs about 12 commits (claim, the steps, the end): budget the runs by commits too.
  const commitsPerRun = STEPS_PER_RUN + 2;
  const affordable = (stepsPerSec * FULL_BUDGET_MS) / 1000 / REPEATS;
  const scaled = (wanted, unit) => Math.max(unit, Math.min(wanted, Math.floor(affordable / unit) * unit));
  return {
    steps: scaled(SINGLE_RUN_STEPS, 1_000),
    runs: scaled(RUNS * commitsPerRun, 100 * commitsPerRun) / commitsPerRun,
    bareCommits: scaled(2_000, 500),
  };
}

function roundAll(value) {
  if (typeof value === "number") return round(value);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, roundAll(v)]));
}

main().catch((error) => {
  process.stderr.write(`bench failed: ${error?.stack ?? error}\n`);
  process.exit(1);
});
