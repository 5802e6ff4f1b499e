// The driver plays the people and systems around the runs: it sends each program's events (some before the run
// waits, the rest once it does), decides approvals, answers questions, and cancels runs that reach a `hang`. Some of
// it goes through the engine API in this process, some through `duro` commands in processes of their own.
import type { Engine, RunDetails } from "duro";
import { DURO_BIN, runNode } from "./processes.js";
import { nodesOf, type Rng, type SimNode } from "./program.js";
import { eventKey, type SimInput } from "./workflow.js";

export interface DriverCounts {
  events: number;
  earlyEvents: number;
  approvals: number;
  answers: number;
  cancels: number;
  /** Of the above, sent by a `duro` command in a process of its own. */
  byCli: number;
}

const TERMINAL = new Set(["completed", "failed", "cancelled"]);

export class Driver {
  readonly counts: DriverCounts = { events: 0, earlyEvents: 0, approvals: 0, answers: 0, cancels: 0, byCli: 0 };
  /** Event keys sent, each exactly once, with the payload. */
  readonly sent = new Map<string, number>();
  private readonly handled = new Set<string>();
  private readonly known = new Set<string>();
  private readonly pending = new Set<Promise<void>>();
  readonly errors: string[] = [];

  constructor(
    private readonly engine: Engine,
    /** The database URL for `duro` commands; without it everything goes through the API. */
    private readonly db: string | undefined,
    private readonly cwd: string,
    private readonly rng: Rng,
  ) {}

  /** One look at every run that has not ended; answers what it waits for. Returns how many runs have not ended. */
  async tick(): Promise<number> {
    let open = 0;
    const runs = await allRuns(this.engine);
    const status = new Map(runs.map((r) => [r.id, r.status]));
    for (const record of runs) {
      if (TERMINAL.has(record.status)) continue;
      open++;
      // Nobody answers a child whose parent failed or was cancelled: it must have been cancelled with its parent, and
      // left unanswered it shows up as orphaned instead of ending on its own.
      const parent = record.parentRunId ? status.get(record.parentRunId) : undefined;
      if (parent === "failed" || parent === "cancelled") continue;
      const run = await this.engine.get(record.id);
      const nodes = programNodes(run);
      if (!this.known.has(run.id)) {
        this.known.add(run.id);
        for (const node of nodes.values()) if (node.t === "event" && node.early) await this.sendEvent(run.id, node, true);
      }
      for (const wait of run.waits) {
        const node = nodes.get(wait.key.replace(/#\d+$/, ""));
        if (node) await this.answer(run, wait.gate, node);
      }
    }
    return open;
  }

  /** Waits for the `duro` commands still running. */
  async drain(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  private async answer(run: RunDetails, gate: string | undefined, node: SimNode): Promise<void> {
    const once = `${run.id}/${"name" in node ? node.name : ""}`;
    if (node.t === "event") return this.sendEvent(run.id, node, false);
    if (this.handled.has(once)) return;
    const forget = () => this.handled.delete(once);
    if (node.t === "approval") {
      this.handled.add(once);
      this.counts.approvals++;
      const action = node.approve ? "approve" : "reject";
      return this.either(
        () => this.engine.approve(run.id, gate, { action, by: "sim" }).then(() => undefined),
        ["approve", run.id, gate ?? node.name, ...(node.approve ? [] : ["--reject"]), "--by", "sim"],
        forget,
      );
    }
    if (node.t === "ask") {
      this.handled.add(once);
      this.counts.answers++;
      return this.either(
        () => this.engine.answer(run.id, gate ?? node.name, node.answer, { by: "sim" }).then(() => undefined),
        ["answer", run.id, gate ?? node.name, "--value", JSON.stringify(node.answer), "--by", "sim"],
        forget,
      );
    }
    if (node.t === "hang") {
      this.handled.add(once);
      this.counts.cancels++;
      return this.either(
        () => this.engine.cancel(run.id, "the simulation cancels at a hang").then(() => undefined),
        ["cancel", run.id],
        forget,
      );
    }
  }

  private async sendEvent(runId: string, node: Extract<SimNode, { t: "event" }>, early: boolean): Promise<void> {
    const key = eventKey(runId, node.name);
    if (this.sent.has(key)) return;
    this.sent.set(key, node.payload);
    this.counts.events++;
    if (early) this.counts.earlyEvents++;
    return this.either(
      () => this.engine.signal(key, node.payload).then(() => undefined),
      ["signal", key, "--payload", String(node.payload)],
      () => this.sent.delete(key),
    );
  }

  /** Through the API here, or (a quarter of the time) through a `duro` command in a process of its own. */
  // A refused call (a database cut, a wait that just resolved) is forgotten so that the next look tries again.
  private async either(api: () => Promise<void>, command: string[], forget: () => void): Promise<void> {
    if (this.db === undefined || !this.rng.chance(0.25)) {
      await api().catch((error: unknown) => {
        this.errors.push(`${command.join(" ")}: ${(error as Error).message}`);
        forget();
      });
      return;
    }
    this.counts.byCli++;
    const done = this.runCli(command, forget).finally(() => this.pending.delete(done));
    this.pending.add(done);
  }

  private async runCli(command: string[], forget: () => void): Promise<void> {
    const done = await runNode([DURO_BIN, ...command, "--db", this.db as string], { cwd: this.cwd });
    if (done.code === 0) return;
    this.errors.push(`duro ${command.join(" ")} exited with ${done.code}: ${done.stderr.trim()}`);
    forget();
  }
}

/** Every run in the store, page by page. */
export async function allRuns(engine: Engine) {
  const runs = [];
  let cursor: string | undefined;
  do {
    const page = await engine.list({ limit: 500, ...(cursor === undefined ? {} : { cursor }) });
    runs.push(...page.runs);
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return runs;
}
/** The run's program nodes by name. */
export function programNodes(run: { input: unknown }): Map<string, SimNode> {
  const nodes = new Map<string, SimNode>();
  const input = run.input as SimInput;
  for (const node of nodesOf(input.program.body)) if ("name" in node) nodes.set(node.name, node);
  return nodes;
}
