// `npm run sim`: rounds of the randomized simulation, one seed each, until the programs or the minutes are used up.
// Prints each round's figures; on a violation, the seed and the one-line command that replays it, and exits 1.
import { parseArgs } from "node:util";
import { replayCommand, type SimReport, type SimStore, simulate } from "./simulate.js";

const USAGE =
  "usage: npm run sim -- [--seed N] [--programs N] [--rounds N | --minutes M] [--store sqlite|postgres|memory] [--workers N] [--chaos-ms MS] [--settle-ms MS] [--keep-going] [--no-run-end-crash]";

function parseOptions() {
  const { values } = parseArgs({
    // --keep-going: a failing seed is reported and the rounds go on (for long runs that count what they find).
    options: {
      seed: { type: "string" },
      programs: { type: "string", default: "8" },
      rounds: { type: "string" },
      minutes: { type: "string" },
      store: { type: "string", default: "sqlite" },
      workers: { type: "string", default: "3" },
      "chaos-ms": { type: "string", default: "6000" },
      "settle-ms": { type: "string", default: "120000" },
      "keep-going": { type: "boolean", default: false },
      "no-run-end-crash": { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const int = (value: string | undefined, flag: string): number | undefined => {
    if (value === undefined) return undefined;
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0) {
      console.error(`${flag} must be a whole number, not "${value}"\n${USAGE}`);
      process.exit(2);
    }
    return n;
  };
  const store = values.store as SimStore;
  if (!["sqlite", "postgres", "memory"].includes(store)) {
    console.error(`--store must be sqlite, postgres or memory, not "${values.store}"\n${USAGE}`);
    process.exit(2);
  }
  const minutes = values.minutes === undefined ? undefined : Number(values.minutes);
  return {
    seed: int(values.seed, "--seed") ?? Math.floor(Math.random() * 2 ** 31),
    programs: int(values.programs, "--programs") ?? 8,
    rounds: int(values.rounds, "--rounds") ?? (minutes === undefined ? 1 : Number.POSITIVE_INFINITY),
    deadline: minutes === undefined ? Number.POSITIVE_INFINITY : Date.now() + minutes * 60_000,
    store,
    workers: int(values.workers, "--workers") ?? 3,
    chaosMs: int(values["chaos-ms"], "--chaos-ms") ?? 6_000,
    settleMs: int(values["settle-ms"], "--settle-ms") ?? 120_000,
    keepGoing: values["keep-going"],
    crashAfterRunEnded: !values["no-run-end-crash"],
  };
}

function summary(report: SimReport): string {
  const f = report.figures;
  const k = report.faults;
  const d = report.driver;
  return (
    `seed ${report.seed} (${report.store}): ${report.programs} programs, ${f.runs} runs (${f.children} children; ` +
    `${f.completed} completed, ${f.failed} failed, ${f.cancelled} cancelled), ${f.steps} steps, ${f.effects} effects, ` +
    `${f.rerunByFault} attempts re-run after a fault; faults: ${k.killed} SIGKILL, ${k.stopped} SIGSTOP, ${k.failpoints} failpoint deaths, ` +
    `${k.dbCuts} database cuts, ${k.spawned} workers spawned; driver: ${d.events} events (${d.earlyEvents} early), ` +
    `${d.approvals} approvals, ${d.answers} answers, ${d.cancels} cancels (${d.byCli} by duro commands); ` +
    `${report.violations.length} violations; ${Math.round(report.elapsedMs / 1000)} s`
  );
}

async function main(): Promise<number> {
  const options = parseOptions();
  const failpoints = process.env.DURO_FAILPOINTS;
  const totals = { rounds: 0, programs: 0, runs: 0, steps: 0, faults: 0, violations: 0 };
  const failed: number[] = [];
  for (let round = 0; round < options.rounds && Date.now() < options.deadline; round++) {
    const seed = (options.seed + round) >>> 0;
    const replay = replayCommand({ ...options, seed, ...(failpoints ? { failpoints } : {}) });
    console.log(`sim: seed ${seed}; replay: ${replay}`);
    const report = await simulate({ ...options, seed, ...(failpoints ? { failpoints } : {}), log: (line) => console.log(`sim: ${line}`) });
    console.log(`sim: ${summary(report)}`);
    for (const note of report.notes.slice(0, 20)) console.log(`sim: note: ${note}`);
    totals.rounds++;
    totals.programs += report.programs;
    totals.runs += report.figures.runs;
    totals.steps += report.figures.steps;
    totals.faults += report.faults.killed + report.faults.stopped + report.faults.failpoints + report.faults.dbCuts;
    if (report.violations.length > 0) {
      totals.violations += report.violations.length;
      console.log(`sim: FAILED: seed ${seed}: ${report.violations.length} violations`);
      for (const violation of report.violations) console.log(`sim:   violation: ${violation}`);
      console.log(`sim: replay: ${replay}`);
      failed.push(seed);
      if (!options.keepGoing) return 1;
    }
  }
  console.log(
    `sim: total: ${totals.rounds} seeds from ${options.seed}, ${totals.programs} programs, ${totals.runs} runs, ${totals.steps} steps, ${totals.faults} faults, ${totals.violations} violations`,
  );
  if (failed.length > 0) console.log(`sim: seeds with violations: ${failed.join(", ")}`);
  return failed.length > 0 ? 1 : 0;
}

process.exitCode = await main();
