// Queue rules every backend shares, beside the admission planner in core/queue.ts.
import type { QueueConfig } from "../core/index.js";

/**
 * When a rate-limited queue may admit again: once enough of the admissions inside the window (`admittedAt`
 * times, any order) have left it. undefined when the rate limit is not what blocks the queue.
 */
export function queueWindowOpensAt(config: QueueConfig, admittedAt: number[], now: number): number | undefined {
  const rate = config.rateLimit;
  if (!rate || admittedAt.length < rate.limit) return undefined;
  const sorted = [...admittedAt].sort((a, b) => a - b);
  return Math.max(now, (sorted[admittedAt.length - rate.limit] as number) + rate.periodMs);
}

/** A row of the queues table as the SQL stores select it (NULL where there is no limit). */
export interface QueueRow {
  name: string;
  concurrency: number | null;
  key_concurrency: number | null;
  rate_limit: number | null;
  rate_period_ms: number | null;
}

export function toQueueConfig(row: QueueRow): QueueConfig {
  const config: QueueConfig = { name: row.name };
  if (row.concurrency !== null) config.concurrency = Number(row.concurrency);
  if (row.key_concurrency !== null) config.keyConcurrency = Number(row.key_concurrency);
  if (row.rate_limit !== null && row.rate_period_ms !== null)
    config.rateLimit = { limit: Number(row.rate_limit), periodMs: Number(row.rate_period_ms) };
  return config;
}

/** A QueueConfig as the columns of the queues table. */
export function queueColumns(config: QueueConfig) {
  return {
    name: config.name,
    concurrency: config.concurrency ?? null,
    keyConcurrency: config.keyConcurrency ?? null,
    rateLimit: config.rateLimit?.limit ?? null,
    ratePeriodMs: config.rateLimit?.periodMs ?? null,
  };
}
