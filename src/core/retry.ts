// Retry policy and backoff: pure, so a retry's due time can be journaled and survive a restart.
import { type Duration, toMs } from "./duration.js";
import type { ErrorInfo } from "./errors.js";

export interface RetryPolicy {
  /** Attempts in all, the first included. default 3 */
  maxAttempts?: number;
  /** Delay before the second attempt. default "1s" */
  initialDelay?: Duration;
  /** Each further delay is the previous one times this. default 2 */
  backoffFactor?: number;
  /** Upper bound of one delay. default "5m" */
  maxDelay?: Duration;
}

export const DEFAULT_RETRY: Required<RetryPolicy> = { maxAttempts: 3, initialDelay: "1s", backoffFactor: 2, maxDelay: "5m" };

/**
 * The delay before attempt `attempt + 1` after attempt `attempt` failed, or undefined when no retry is left
 * (attempts used up, or an error that says retrying cannot help).
 */
export function retryDelayMs(policy: RetryPolicy | undefined, attempt: number, error: ErrorInfo): number | undefined {
  const p = { ...DEFAULT_RETRY, ...policy };
  if (error.retryable === false) return undefined;
  if (attempt >= p.maxAttempts) return undefined;
  const delay = Math.min(Math.round(toMs(p.initialDelay) * p.backoffFactor ** (attempt - 1)), toMs(p.maxDelay));
  // A server that said when to come back (HTTP Retry-After) is honoured, even past maxDelay.
  const retryAfterMs = error.details?.retryAfterMs;
  return typeof retryAfterMs === "number" && retryAfterMs > delay ? Math.ceil(retryAfterMs) : delay;
}
