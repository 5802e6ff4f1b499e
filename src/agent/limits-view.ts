// `duro limits show`: each budget of a run (cost, tokens, iterations, wall time) with its limit, what is used and what
// is left, read from the journal alone: the budgets journaled with each model call, and the raises sent since.
import { type BudgetSnapshot, type JournalEvent, toMs } from "../core/index.js";
import { type LimitRaise, limitsKey } from "./budget.js";

export type LimitName = "maxCostUsd" | "maxTokens" | "maxIterations" | "maxWallTimeMs";

export interface LimitView {
  limit: LimitName;
  max: number;
  used: number;
  /** max - used, never below 0. */
  left: number;
}

export interface BudgetView {
  /** `run`, `agent <name>` or `llm <name>`. */
  scope: string;
  limits: LimitView[];
  /** ISO time of the model call the use was counted at. */
  asOf: string;
}

export interface RunLimits {
  runId: string;
  /** Whether the run waits for `duro limits raise` now (its budget reached a limit with onExceed "suspend"). */
  suspended: boolean;
  /** ISO time it suspended. */
  suspendedSince?: string;
  budgets: BudgetView[];
}

const USED: Record<LimitName, keyof BudgetSnapshot["used"]> = {
  maxCostUsd: "costUsd",
  maxTokens: "tokens",
  maxIterations: "iterations",
  maxWallTimeMs: "wallTimeMs",
};

/** The run's budgets as of its journal `events`. */
export function runLimits(runId: string, events: readonly JournalEvent[]): RunLimits {
  const budgets = new Map<string, { snapshot: BudgetSnapshot; asOf: string }>();
  const raiseKeys = new Set<string>();
  let suspendedSince: string | undefined;
  for (const event of events) {
    if (event.type === "usage_recorded") {
      for (const snapshot of event.budgets ?? []) budgets.set(snapshot.scope, { snapshot: structuredClone(snapshot), asOf: event.at });
    } else if (event.type === "wait_started" && event.eventKey === limitsKey(runId)) {
      raiseKeys.add(event.key);
      suspendedSince = event.at;
    } else if (event.type === "wait_resolved" && raiseKeys.has(event.key)) {
      suspendedSince = undefined;
      // As enforce() does: the raise applies to the budgets that had reached a limit.
      for (const { snapshot } of budgets.values()) if (reached(snapshot)) raise(snapshot, (event.payload ?? {}) as LimitRaise);
    }
  }
  return {
    runId,
    suspended: suspendedSince !== undefined,
    ...(suspendedSince === undefined ? {} : { suspendedSince }),
    budgets: [...budgets.values()].map(({ snapshot, asOf }) => ({ scope: snapshot.scope, limits: limitViews(snapshot), asOf })),
  };
}

function limitViews(snapshot: BudgetSnapshot): LimitView[] {
  return (Object.keys(USED) as LimitName[]).flatMap((limit) => {
    const max = snapshot.limits[limit];
    if (max === undefined) return [];
    const used = snapshot.used[USED[limit]];
    return [{ limit, max, used, left: Math.max(0, Math.round((max - used) * 1e6) / 1e6) }];
  });
}

function reached(snapshot: BudgetSnapshot): boolean {
  return (Object.keys(USED) as LimitName[]).some((limit) => {
    const max = snapshot.limits[limit];
    return max !== undefined && snapshot.used[USED[limit]] >= max;
  });
}

function raise(snapshot: BudgetSnapshot, to: LimitRaise): void {
  if (to.maxCostUsd !== undefined) snapshot.limits.maxCostUsd = to.maxCostUsd;
  if (to.maxTokens !== undefined) snapshot.limits.maxTokens = to.maxTokens;
  if (to.maxIterations !== undefined) snapshot.limits.maxIterations = to.maxIterations;
  if (to.maxWallTime !== undefined) snapshot.limits.maxWallTimeMs = toMs(to.maxWallTime);
}
