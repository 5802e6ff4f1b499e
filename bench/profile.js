// CPU profile of one benchmark workload, taken around the measured part only (the same sampler as
// `node --cpu-prof`, started through node:inspector): `node bench/profile.js [single|runs|resume|pg-single]`.
// Prints the top functions by self time and the time per file, and writes the .cpuprofile (open it in
// Chrome DevTools). Time spent in native code (SQLite) counts as self time of the JS function that called it:
// `sqliteTransaction` (better-sqlite3) is BEGIN/COMMIT, including the WAL write and any checkpoint.
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { formatTable, withTempDb } from "./lib.js";
import { pgSingleRun } from "./postgres.js";
import { prepareResumable, resumeOnce, runThroughput, signal, singleRun } from "./sqlite.js";

const WORKLOADS = {
  single: {
    what: "one run of 10,000 steps",
    warmUp: () => singleRun({ steps: 2_000 }),
    measure: (profiled) => profiled(() => singleRun({ steps: 10_000 })),
  },
  runs: {
    what: "1,000 runs of 10 steps, worker concurrency 4",
    warmUp: () => runThroughput({ runs: 100, stepsPerRun: 10 }),
    measure: (profiled) => profiled(() => runThroughput({ runs: 1_000, stepsPerRun: 10 })),
  },
  "pg-single": {
    what: "one run of 5,000 steps on PostgreSQL (DURO_BENCH_PG)",
    warmUp: () => pgSingleRun({ steps: 1_000 }),
    measure: (profiled) => profiled(() => pgSingleRun({ steps: 5_000 })),
  },
  resume: {
    what: "resume of a run with 10,000 journaled steps (fresh store and engine, same process)",
    warmUp: async () => {},
    measure: (profiled) =>
      withTempDb(async (path) => {
        const { id, eventKey } = await prepareResumable(path, 10_000);
        await signal(path, eventKey);
        return profiled(() => resumeOnce(path, id));
      }),
  },
};

async function profiled(fn) {
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.setSamplingInterval", { interval: 200 });
  await session.post("Profiler.start");
  let profile;
  try {
    await fn();
  } finally {
    ({ profile } = await session.post("Profiler.stop"));
    session.disconnect();
  }
  return profile;
}

/**
 * Self time per function (name, file, line) and per file, in ms. A native function (no file) is shown with
 * its JS caller, since `run` or `get` alone does not say which statement it ran.
 */
function summarize(profile) {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parents = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node);
  const selfUs = new Map();
  for (const [i, id] of profile.samples.entries()) selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  const byFunction = new Map();
  const byFile = new Map();
  let totalUs = 0;
  for (const [id, us] of selfUs) {
    const { functionName, url, lineNumber } = nodes.get(id).callFrame;
    const native = url === "" && !functionName.startsWith("(");
    const caller = native ? parents.get(id)?.callFrame : undefined;
    const where = (frame) => `${shortFile(frame.url)}:${frame.lineNumber + 1}`;
    const file = native ? `native, from ${caller ? shortFile(caller.url) || caller.functionName : "?"}` : shortFile(url) || functionName;
    const fn = native
      ? `${functionName} (native) ← ${caller ? `${caller.functionName || "(anonymous)"} ${where(caller)}` : "?"}`
      : `${functionName || "(anonymous)"}  ${url ? where({ url, lineNumber }) : ""}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
    byFile.set(file, (byFile.get(file) ?? 0) + us);
    totalUs += us;
  }
  const top = (map, n) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, us]) => [name, us / 1000, `${((us / totalUs) * 100).toFixed(1)}%`]);
  return { totalMs: totalUs / 1000, functions: top(byFunction, 25), files: top(byFile, 12) };
}

function shortFile(url) {
  return url.replace(/^file:\/\//, "").replace(/^.*\/(dist|node_modules|bench)\//, "$1/");
}

async function main() {
  const name = process.argv[2] ?? "single";
  const workload = WORKLOADS[name];
  if (!workload) throw new Error(`unknown workload "${name}"; choose one of: ${Object.keys(WORKLOADS).join(", ")}`);
  await workload.warmUp();
  const profile = await workload.measure(profiled);
  const file = join(tmpdir(), `duro-bench-${name}-${process.pid}.cpuprofile`);
  writeFileSync(file, JSON.stringify(profile));
  const { totalMs, functions, files } = summarize(profile);
  console.log(`CPU profile of ${workload.what}: ${Math.round(totalMs)} ms sampled; written to ${file}\n`);
  console.log(formatTable(["function (self time)", "ms", "share"], functions));
  console.log();
  console.log(formatTable(["file", "ms", "share"], files));
}

main().catch((error) => {
  process.stderr.write(`profile failed: ${error?.stack ?? error}\n`);
  process.exit(1);
});
