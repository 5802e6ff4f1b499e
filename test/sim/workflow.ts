// The one workflow of the simulation: it interprets a generated program (its input) through the real context API,
// so every shape the generator makes runs as ordinary workflow code. Loaded by the simulation's worker processes.
// Each step function appends its side effect to the file named by DURO_SIM_EFFECTS before it does anything else.
import { appendFileSync } from "node:fs";
import { NonRetryableError, queue, type RetryPolicy, type WorkflowContext, workflow } from "duro";
import type { SimNode, SimProgram } from "./program.js";

export interface SimInput {
  program: SimProgram;
  /** The application table transactional steps insert into. */
  table: string;
  /** Runs of `sim-keyed`: the queue's concurrency key. */
  key?: string;
}

/** One line of the effects log. */
export interface SimEffect {
  run: string;
  key: string;
  attempt: number;
  idempotencyKey: string;
  pid: number;
  tx?: true;
}

export interface SimOutput {
  result: unknown;
  /** What each ctx.now/random/uuid call returned, by name: the checker compares them with the journal. */
  values: Record<string, unknown>;
}

/** Many attempts: a worker killed during a step counts as an attempt (the poison-step rule), and kills are many. */
const RETRY: RetryPolicy = { maxAttempts: 25, initialDelay: "10ms", backoffFactor: 1 };
/** At most this many `sim-keyed` runs of one key hold a slot at once. */
export const KEY_CONCURRENCY = 1;

function recordEffect(effect: SimEffect): void {
  const file = process.env.DURO_SIM_EFFECTS;
  if (!file) throw new Error("DURO_SIM_EFFECTS is not set; the simulation names the effects log");
  appendFileSync(file, `${JSON.stringify(effect)}\n`);
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

class Interpreter {
  readonly values: Record<string, unknown> = {};
  constructor(
    private readonly ctx: WorkflowContext,
    private readonly input: SimInput,
  ) {}

  async seq(nodes: SimNode[]): Promise<unknown[]> {
    const results: unknown[] = [];
    for (const node of nodes) results.push(await this.eval(node));
    return results;
  }

  eval(node: SimNode): Promise<unknown> {
    const { ctx } = this;
    switch (node.t) {
      case "step":
        return ctx.step(node.name, (step) => this.runStep(node, step), { retry: RETRY });
      case "loop":
        return this.loop(node);
      case "tx":
        return ctx.transaction(
          node.name,
          async (tx, step) => {
            recordEffect({
              run: ctx.runId,
              key: `${node.name}#0`,
              attempt: step.attempt,
              idempotencyKey: step.idempotencyKey,
              pid: process.pid,
              tx: true,
            });
            const sql = `INSERT INTO ${this.input.table} (id, value) VALUES (${tx.dialect === "postgres" ? "$1, $2" : "?, ?"})`;
            await tx.query(sql, [step.idempotencyKey, node.value]);
            return node.value;
          },
          { retry: RETRY },
        );
      case "seq":
        return this.seq(node.body);
      case "all":
        return Promise.all(node.branches.map((branch) => this.eval(branch)));
      case "race":
        return Promise.race([node.winner, ...node.losers].map((branch) => this.eval(branch)));
      case "child":
        // The child's own values are checked on the child's run; the parent keeps its result.
        return ctx.child(node.name, sim, { program: node.program, table: this.input.table }).then((output) => output.result);
      case "sleep":
        if (!node.until) return ctx.sleep(node.name, node.ms).then(() => "slept");
        return ctx.sleepUntil(node.name, this.now(node.name) + node.ms).then(() => "slept");
      case "event":
      case "never":
      case "hang":
        return ctx.waitForEvent(node.name, { key: eventKey(ctx.runId, node.name) });
      case "approval":
        return ctx.approval(node.name).then((decision) => decision.action);
      case "ask":
        return ctx.ask(node.name, { prompt: `pick one of ${node.choices.join(", ")}`, choices: node.choices });
      case "value":
        return Promise.resolve(this.value(node.name, node.kind));
      case "try":
        return this.eval(node.body).catch(() => node.fallback);
    }
  }

  private async loop(node: Extract<SimNode, { t: "loop" }>): Promise<number[]> {
    const results: number[] = [];
    for (let i = 0; i < node.count; i++) {
      const key = `${node.name}#${i}`;
      results.push(
        await this.ctx.step(
          node.name,
          (step) => {
            recordEffect({ run: this.ctx.runId, key, attempt: step.attempt, idempotencyKey: step.idempotencyKey, pid: process.pid });
            return node.value + i;
          },
          { retry: RETRY },
        ),
      );
    }
    return results;
  }

  private async runStep(node: Extract<SimNode, { t: "step" }>, step: { attempt: number; idempotencyKey: string }): Promise<number> {
    recordEffect({
      run: this.ctx.runId,
      key: `${node.name}#0`,
      attempt: step.attempt,
      idempotencyKey: step.idempotencyKey,
      pid: process.pid,
    });
    if (node.delayMs > 0) await pause(node.delayMs);
    if (node.fatal) throw new NonRetryableError(`step ${node.name} fails for good`);
    if (step.attempt <= node.fails) throw new Error(`step ${node.name} fails on attempt ${step.attempt}`);
    return node.value;
  }

  private now(name: string): number {
    const now = this.ctx.now().getTime();
    this.values[`${name}.now`] = now;
    return now;
  }

  /** Journaled values are random; the output keeps them so the checker can hold them against the journal. */
  private value(name: string, kind: "now" | "random" | "uuid"): string {
    const value = kind === "now" ? this.ctx.now().getTime() : kind === "random" ? this.ctx.random() : this.ctx.uuid();
    this.values[name] = value;
    return kind;
  }
}

/** The inbox key of a program's event wait in one run. */
export function eventKey(runId: string, name: string): string {
  return `${runId}/${name}`;
}

async function interpret(ctx: WorkflowContext, input: SimInput): Promise<SimOutput> {
  const interpreter = new Interpreter(ctx, input);
  const result = await interpreter.seq(input.program.body);
  return { result, values: interpreter.values };
}

export const sim = workflow("sim", { version: "1" }, interpret);

export const simKeyed = workflow(
  "sim-keyed",
  {
    version: "1",
    queue: queue("sim-keyed", { keyConcurrency: KEY_CONCURRENCY }),
    concurrencyKey: (input: SimInput) => input.key ?? "none",
  },
  interpret,
);
