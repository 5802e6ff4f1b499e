// Budgets per run and per agent: iterations (model calls), tokens, cost, wall time. A ledger is rebuilt by
// replay from journaled results only, so every replay sees the same totals and the same verdicts.
// Crossing the warning threshold journals `limit_warning` once; reaching a limit fails the run with
// `limit_exceeded` or, with `onExceed: "suspend"`, waits until `duro limits raise` sends a new limit.
import { type BudgetSnapshot, type Duration, DuroError, type StepEvent, toMs, type WorkflowContext } from "../core/index.js";
import type { Usage } from "./provider.js";

export interface Budget {
  /** Model calls. */
  maxIterations?: number;
  /** Input plus output tokens. */
  maxTokens?: number;
  maxCostUsd?: number;
  /** Time since the scope started ("30m", ms). */
  maxWallTime?: Duration;
  /** Fraction of a limit at which `limit_warning` is journaled. default 0.8 */
  warnAt?: number;
  /** What reaching a limit does. default "fail" */
  onExceed?: "fail" | "suspend";
}

/** What `duro limits raise` sends: new maxima for the limits that were reached. */
export interface LimitRaise {
  maxIterations?: number;
  maxTokens?: number;
  maxCostUsd?: number;
  maxWallTime?: Duration;
}

type LimitName = "maxIterations" | "maxTokens" | "maxCostUsd" | "maxWallTime";

/** The inbox key `duro limits raise <runId>` delivers to. */
export function limitsKey(runId: string): string {
  return `limits:${runId}`;
}

export interface Spent {
  iterations: number;
  tokens: number;
  costUsd: number;
}

export class Ledger {
  readonly spent: Spent = { iterations: 0, tokens: 0, costUsd: 0 };
  private elapsedMs = 0;
  private startedAt: number | undefined;

  constructor(
    /** `run` or `agent <name>`: prefixes the limit names in events and errors. */
    readonly scope: string,
    public budget: Budget = {},
  ) {}

  /** Adds a model call's usage (called with replayed and live results alike). */
  add(usage: Usage, costUsd: number): void {
    this.spent.iterations += 1;
    this.spent.tokens += usage.inputTokens + usage.outputTokens;
    this.spent.costUsd += costUsd;
  }

  private current(limit: LimitName): number {
    if (limit === "maxIterations") return this.spent.iterations;
    if (limit === "maxTokens") return this.spent.tokens;
    if (limit === "maxCostUsd") return this.spent.costUsd;
    return this.elapsedMs;
  }

  private max(limit: LimitName): number | undefined {
    const value = this.budget[limit];
    return value === undefined ? undefined : limit === "maxWallTime" ? toMs(value as Duration) : (value as number);
  }

  /** Warnings for limits a call with this usage would cross; `limit_warning` events to journal with it. */
  warningsFor(usage: Usage, costUsd: number): StepEvent[] {
    const after: Record<LimitName, number> = {
      maxIterations: this.spent.iterations + 1,
      maxTokens: this.spent.tokens + usage.inputTokens + usage.outputTokens,
      maxCostUsd: this.spent.costUsd + costUsd,
      maxWallTime: this.elapsedMs,
    };
    const events: StepEvent[] = [];
    for (const limit of ["maxIterations", "maxTokens", "maxCostUsd"] as const) {
      const max = this.max(limit);
      if (max === undefined) continue;
      const threshold = max * (this.budget.warnAt ?? 0.8);
      if (this.current(limit) < threshold && after[limit] >= threshold) {
        events.push({ type: "limit_warning", limit: `${this.scope}.${limit}`, current: round(after[limit]), max });
      }
    }
    return events;
  }

  /** Updates elapsed wall time from a journaled clock reading; returns a warning if it just crossed the threshold. */
  tick(nowMs: number): StepEvent | undefined {
    this.startedAt ??= nowMs;
    const before = this.elapsedMs;
    this.elapsedMs = nowMs - this.startedAt;
    const max = this.max("maxWallTime");
    if (max === undefined) return undefined;
    const threshold = max * (this.budget.warnAt ?? 0.8);
    return before < threshold && this.elapsedMs >= threshold
      ? { type: "limit_warning", limit: `${this.scope}.maxWallTime`, current: this.elapsedMs, max }
      : undefined;
  }

  /** This ledger's limits and use once a call with this usage is counted, journaled for `duro limits show`; none without limits. */
  snapshotAfter(usage: Usage, costUsd: number): BudgetSnapshot | undefined {
    const limits: BudgetSnapshot["limits"] = {};
    for (const limit of ["maxIterations", "maxTokens", "maxCostUsd"] as const) {
      const max = this.max(limit);
      if (max !== undefined) limits[limit] = max;
    }
    const wall = this.max("maxWallTime");
    if (wall !== undefined) limits.maxWallTimeMs = wall;
    if (Object.keys(limits).length === 0) return undefined;
    return {
      scope: this.scope,
      limits,
      used: {
        iterations: this.spent.iterations + 1,
        tokens: this.spent.tokens + usage.inputTokens + usage.outputTokens,
        costUsd: round(this.spent.costUsd + costUsd),
        wallTimeMs: this.elapsedMs,
      },
    };
  }

  get needsClock(): boolean {
    return this.budget.maxWallTime !== undefined;
  }

  /** The first limit reached, if any. */
  exceeded(): { limit: LimitName; current: number; max: number } | undefined {
    for (const limit of ["maxIterations", "maxTokens", "maxCostUsd", "maxWallTime"] as const) {
      const max = this.max(limit);
      if (max !== undefined && this.current(limit) >= max) return { limit, current: this.current(limit), max };
    }
    return undefined;
  }

  raise(raise: LimitRaise): void {
    const next: Budget = { ...this.budget };
    for (const key of ["maxIterations", "maxTokens", "maxCostUsd", "maxWallTime"] as const) {
      if (raise[key] !== undefined) (next as Record<string, unknown>)[key] = raise[key];
    }
    this.budget = next;
  }
}

/**
 * Called before each model call: starts the clock where needed, and while a ledger has reached a limit either
 * fails (`limit_exceeded`) or waits for `duro limits raise`. Returns wall-time warnings to journal with the call.
 */
export async function enforce(ctx: WorkflowContext, ledgers: Ledger[]): Promise<StepEvent[]> {
  const warnings: StepEvent[] = [];
  if (ledgers.some((l) => l.needsClock)) {
    const now = ctx.now().getTime();
    for (const ledger of ledgers) {
      const warning = ledger.needsClock ? ledger.tick(now) : undefined;
      if (warning) warnings.push(warning);
    }
  }
  for (;;) {
    const over = ledgers.map((ledger) => ({ ledger, hit: ledger.exceeded() })).find((x) => x.hit);
    if (!over?.hit) return warnings;
    const { ledger, hit } = over;
    const what = `${ledger.scope} reached its ${hit.limit} (${round(hit.current)} of ${hit.max})`;
    if ((ledger.budget.onExceed ?? "fail") === "fail") {
      throw new DuroError("limit_exceeded", `run ${ctx.runId}: ${what}; give it a larger budget to go further`, {
        category: "limit",
        details: { scope: ledger.scope, limit: hit.limit, current: round(hit.current), max: hit.max },
      });
    }
    const raise = await ctx.waitForEvent<LimitRaise>("limit-raise", { key: limitsKey(ctx.runId) });
    for (const l of ledgers) if (l.exceeded()) l.raise(raise ?? {});
  }
}

function round(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}
