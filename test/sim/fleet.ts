// The simulation's worker processes: real `duro worker` processes (node bin/duro.js, no npx or shell between) on one
// database, SIGKILLed and SIGSTOPped at moments the seeded plan picks, some armed to kill themselves at a named
// failpoint, and replaced as they die.
import { type ChildProcess, spawn } from "node:child_process";
import { DURO_BIN, WORKFLOW_FILE } from "./processes.js";
import type { Rng } from "./program.js";

/** The executor's crash points (src/engine/failpoints.ts) a worker may be armed with for a step or wait key. */
const STEP_CRASH_POINTS = ["before_step", "during_step", "after_step_effect", "after_step_journaled", "while_waiting"];

export interface FaultCounts {
  spawned: number;
  killed: number;
  stopped: number;
  /** Workers that killed themselves at an armed failpoint. */
  failpoints: number;
}

export interface FleetOptions {
  db: string;
  cwd: string;
  effectsFile: string;
  workers: number;
  leaseMs: number;
  rng: Rng;
  /** Step keys the programs use, for arming failpoints. */
  keys: string[];
  /** Failpoints every worker is armed with, besides the random ones (a deliberately broken build). */
  failpoints?: string;
  /** Whether workers may be armed to die between a run's end and the cancelling of its children. default true */
  crashAfterRunEnded?: boolean;
  log: (line: string) => void;
}

interface Member {
  child: ChildProcess;
  /** It has printed past its banner: it is executing runs. */
  busy: boolean;
  stopped: boolean;
  armed: string | undefined;
  exited: Promise<void>;
}

// Variables of the outer shell that would change what a worker does behind the simulation's back.
const SCRUBBED_ENV = ["DURO_DB", "DURO_FAILPOINTS", "NODE_OPTIONS", "FORCE_COLOR", "OTEL_EXPORTER_OTLP_ENDPOINT"];

export class Fleet {
  readonly faults: FaultCounts = { spawned: 0, killed: 0, stopped: 0, failpoints: 0 };
  private members: Member[] = [];
  private replacing = true;
  private arming = true;

  constructor(private readonly options: FleetOptions) {}

  start(): void {
    for (let i = 0; i < this.options.workers; i++) this.members.push(this.spawn());
  }

  /** One fault at a moment the caller picks: a SIGKILL, or a SIGSTOP for a while (its lease may lapse meanwhile). */
  async strike(): Promise<void> {
    const { rng } = this.options;
    const live = this.members.filter((m) => m.busy && !m.stopped && m.child.exitCode === null);
    if (live.length === 0) return;
    const victim = rng.pick(live);
    if (rng.chance(0.7)) {
      this.faults.killed++;
      victim.child.kill("SIGKILL");
      return;
    }
    this.faults.stopped++;
    victim.stopped = true;
    victim.child.kill("SIGSTOP");
    const ms = rng.int(100, this.options.leaseMs * 2);
    setTimeout(() => {
      victim.stopped = false;
      victim.child.kill("SIGCONT");
    }, ms);
  }

  /** From now on, new workers are not armed with random failpoints: the system is let to settle. */
  calm(): void {
    this.arming = false;
  }

  /** Stops every worker gracefully (SIGTERM), then kills what is left after `graceMs`. */
  async stop(graceMs = 15_000): Promise<void> {
    this.replacing = false;
    for (const m of this.members) {
      if (m.stopped) m.child.kill("SIGCONT");
      m.child.kill("SIGTERM");
    }
    const timer = setTimeout(() => {
      for (const m of this.members) m.child.kill("SIGKILL");
    }, graceMs);
    await Promise.all(this.members.map((m) => m.exited));
    clearTimeout(timer);
  }

  private spawn(): Member {
    const { rng, keys } = this.options;
    const armed = this.arming && keys.length > 0 && rng.chance(0.35) ? this.crashPoint() : undefined;
    const failpoints = [armed, this.options.failpoints].filter((f) => f !== undefined).join(",");
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const name of SCRUBBED_ENV) delete env[name];
    Object.assign(env, { NO_COLOR: "1", DURO_SIM_EFFECTS: this.options.effectsFile }, failpoints ? { DURO_FAILPOINTS: failpoints } : {});
    const args = [
      DURO_BIN,
      "worker",
      WORKFLOW_FILE,
      "--db",
      this.options.db,
      "--lease-ms",
      String(this.options.leaseMs),
      "--concurrency",
      "8",
    ];
    const child = spawn(process.execPath, args, { cwd: this.options.cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    this.faults.spawned++;
    let stderr = "";
    const member: Member = { child, busy: false, stopped: false, armed, exited: Promise.resolve() };
    let lines = 0;
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      lines += chunk.split("\n").length - 1;
      if (lines > 1) member.busy = true;
    });
    child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
      stderr = (stderr + chunk).slice(-4_000);
    });
    member.exited = new Promise((resolve) => {
      child.on("close", (code, signal) => {
        if (stderr.includes("failpoint ") && signal === "SIGKILL") this.faults.failpoints++;
        else if (signal === null && code !== 0)
          this.options.log(`worker ${child.pid} exited with ${code ?? signal}: ${stderr.trim().slice(-1_000)}`);
        if (this.replacing) this.replace(member);
        resolve();
      });
    });
    return member;
  }

  private crashPoint(): string {
    const { rng, keys } = this.options;
    if (this.options.crashAfterRunEnded !== false && rng.chance(0.15))
      return `${rng.pick(["before_run_ended", "after_run_ended"])}:${rng.pick(["run_failed", "run_cancelled"])}`;
    return `${rng.pick(STEP_CRASH_POINTS)}:${rng.pick(keys)}`;
  }

  private replace(dead: Member): void {
    const index = this.members.indexOf(dead);
    if (index >= 0) this.members[index] = this.spawn();
  }
}
