// The simulation's short budget in `npm test`: fixed seeds that must stay clean, a few random seeds (printed, with
// the command that replays each), and the proof that the checker can fail: pointed at a build that drops events, the
// simulation reports the violation with its seed and replay command.
import { describe, expect, it } from "vitest";
import { REPO_ROOT, runNode } from "./processes.js";
import { generateProgram, Rng } from "./program.js";
import { reference } from "./reference.js";
import { replayCommand, type SimOptions, type SimReport, simulate } from "./simulate.js";

/** Rounds are small: the whole file stays near a minute on a loaded 2-core machine. */
const ROUND = { programs: 6, workers: 3, chaosMs: 4_000, settleMs: 90_000 };

async function cleanRound(options: Omit<SimOptions, "programs" | "workers" | "chaosMs">): Promise<SimReport> {
  const round = { ...ROUND, ...options };
  console.log(`sim seed ${round.seed} on ${round.store}; replay: ${replayCommand(round)}`);
  const report = await simulate(round);
  expect(report.violations, `seed ${round.seed}; replay: ${replayCommand(round)}\n${report.notes.join("\n")}`).toEqual([]);
  // The round did something: runs ended, steps completed, and faults struck.
  expect(report.figures.runs).toBeGreaterThanOrEqual(round.programs);
  expect(report.figures.steps).toBeGreaterThan(0);
  return report;
}

const randomSeed = () => Math.floor(Math.random() * 2 ** 31);

describe("simulation", () => {
  // Seed 7 on SQLite and seed 4 on PostgreSQL: programs with children, races, every wait kind and a cancellation.
  it("fixed seeds end every run as the reference says, under SIGKILL, SIGSTOP, failpoints and database cuts", async () => {
    const reports = await Promise.all([cleanRound({ seed: 7, store: "sqlite" }), cleanRound({ seed: 4, store: "postgres" })]);
    for (const report of reports) {
      const faults = report.faults.killed + report.faults.stopped + report.faults.failpoints + report.faults.dbCuts;
      expect(faults, `seed ${report.seed}`).toBeGreaterThanOrEqual(2);
    }
  }, 240_000);

  it("random seeds end every run as the reference says", async () => {
    await Promise.all([cleanRound({ seed: randomSeed(), store: "sqlite" }), cleanRound({ seed: randomSeed(), store: "postgres" })]);
  }, 240_000);

  // Found by the simulation: a parent whose process died right after its terminal commit left its open children for
  // ever (they are now cancelled before that commit). The kill's timing is not reproduced exactly, so this seed does
  // not hit it every time; test/engine/background-failures.test.ts pins the defect deterministically.
  it("regression seed 208: workers killed right after a failed run ends leave no child orphaned", async () => {
    const args = ["--seed", "208", "--programs", "12", "--store", "sqlite", "--workers", "3", "--chaos-ms", "6000", "--settle-ms", "20000"];
    const run = await runSim(args, { DURO_FAILPOINTS: "after_run_ended:run_failed" });
    expect(run.output).toMatch(/[1-9]\d* failpoint deaths/);
    expect(run.code, run.output).toBe(0);
    expect(run.output).toContain("0 violations");
  }, 120_000);

  it("pointed at a build that drops events, reports the stuck run with its seed and replay command", async () => {
    const seed = 1;
    // The seed's programs wait for events the driver sends: a dropped one leaves its run waiting for ever.
    const rng = new Rng(seed);
    const programs = Array.from({ length: ROUND.programs }, () => generateProgram(rng, { transactions: true }));
    expect(programs.some((p) => reference(p).consumes.length > 0)).toBe(true);
    const args = ["--seed", String(seed), "--programs", String(ROUND.programs), "--store", "sqlite", "--workers", "2"];
    const run = await runSim([...args, "--chaos-ms", "2000", "--settle-ms", "8000"], { DURO_FAILPOINTS: "drop_event:*" });
    expect(run.code, run.output).toBe(1);
    expect(run.output).toContain(`FAILED: seed ${seed}`);
    expect(run.output).toMatch(/violation: run r_\S+ \(sim[^)]*\): left waiting on e\d+#0 \(event r_\S+\/e\d+\)/);
    expect(run.output).toContain(
      `replay: DURO_FAILPOINTS='drop_event:*' npm run sim -- ${args.join(" ")} --chaos-ms 2000 --settle-ms 8000`,
    );
  }, 120_000);
});

async function runSim(args: string[], env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const done = await runNode(["--import", "tsx", "test/sim/main.ts", ...args], { cwd: REPO_ROOT, env: { ...process.env, ...env } });
  return { code: done.code, output: done.stdout + done.stderr };
}
