// Waiting between attempts when the server is away (restarting, overloaded): which errors are worth another attempt,
// how long to pause (doubling, capped, or what Retry-After says), and a pause that ends early when the caller aborts.
import { isDuroError } from "../core/portable.js";

/** Whether another attempt may succeed: no answer, an answer that was not the API's 5xx, or a retryable API error. */
export function isTransient(error: unknown): boolean {
  return isDuroError(error) && (error.retryable || error.code === "not_ready");
}

/** The pause before attempt `failures + 1`: 100 ms doubling up to `maxMs`, or the server's Retry-After when longer. */
export function pauseBefore(failures: number, maxMs: number, error?: unknown): number {
  const backoff = Math.min(maxMs, 100 * 2 ** Math.min(failures, 16));
  const retryAfterS = isDuroError(error) ? error.details.retryAfterS : undefined;
  return typeof retryAfterS === "number" ? Math.max(backoff, retryAfterS * 1_000) : backoff;
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** Calls `attempt` until it succeeds or fails for good; transient failures are retried after a pause. */
export async function retrying<T>(attempt: () => Promise<T>, maxPauseMs: number, signal: AbortSignal | undefined): Promise<T> {
  for (let failures = 0; ; failures++) {
    try {
      return await attempt();
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (!isTransient(error)) throw error;
      await pause(pauseBefore(failures, maxPauseMs, error), signal);
    }
  }
}
