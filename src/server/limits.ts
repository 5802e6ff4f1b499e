// Per-key request rate limits (a fixed one-minute window per key, in this process) and the caps on open SSE streams
// (per server, per tenant, per key).
import { DuroError, type ErrorCode } from "../core/index.js";

export class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly perMinute: number,
    private readonly clock: () => number,
    /** The error's code and what is counted, for its message. */
    private readonly counted: { code: ErrorCode; what: string } = { code: "rate_limited", what: "requests" },
  ) {}

  /** Counts one request of `key`; throws `counted.code` (429) once it has made `perMinute` in this window. */
  take(key: string): void {
    const now = this.clock();
    let window = this.windows.get(key);
    if (!window || now - window.start >= 60_000) {
      window = { start: now, count: 0 };
      this.windows.set(key, window);
      if (this.windows.size > 10_000) this.forgetOld(now);
    }
    window.count += 1;
    if (window.count <= this.perMinute) return;
    const retryAfterS = Math.ceil((window.start + 60_000 - now) / 1_000);
    const { code, what } = this.counted;
    throw new DuroError(code, `this API key made more than ${this.perMinute} ${what} this minute; retry in ${retryAfterS} s`, {
      category: "limit",
      retryable: true,
      details: { retryAfterS, perMinute: this.perMinute },
    });
  }

  private forgetOld(now: number): void {
    for (const [key, window] of this.windows) if (now - window.start >= 60_000) this.windows.delete(key);
  }
}

/** How many event streams may be open at once: on the whole server, per tenant and per API key. */
export interface StreamLimits {
  /** default 100 */
  max: number;
  /** default 50 */
  perTenant: number;
  /** default 20 */
  perKey: number;
}

/** A stream gives no sign of when it ends, so a refused client is told to come back after this many seconds. */
export const STREAM_RETRY_AFTER_S = 5;

export class StreamSlots {
  private open = 0;
  private readonly byTenant = new Map<string, number>();
  private readonly byKey = new Map<string, number>();

  constructor(readonly limits: StreamLimits) {}

  get count(): number {
    return this.open;
  }

  /**
   * Takes a slot for one stream of `caller`; the returned function gives it back (once). The tenant and key quotas
   * keep one tenant's viewer key from taking every slot and starving the other tenants (and the UI).
   */
  acquire(caller: { keyId: string; tenant: string }): () => void {
    const { max, perTenant, perKey } = this.limits;
    if (this.open >= max) {
      throw new DuroError("too_many_streams", `this server already has ${max} open event streams; retry later`, {
        category: "limit",
        retryable: true,
        details: { max, retryAfterS: STREAM_RETRY_AFTER_S },
      });
    }
    const key = caller.keyId;
    if ((this.byKey.get(key) ?? 0) >= perKey) throw quotaExceeded("key", `API key ${caller.keyId}`, perKey);
    if ((this.byTenant.get(caller.tenant) ?? 0) >= perTenant) throw quotaExceeded("tenant", `tenant ${caller.tenant}`, perTenant);
    this.open += 1;
    bump(this.byKey, key, 1);
    bump(this.byTenant, caller.tenant, 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.open -= 1;
      bump(this.byKey, key, -1);
      bump(this.byTenant, caller.tenant, -1);
    };
  }
}

function quotaExceeded(scope: "key" | "tenant", who: string, max: number): DuroError {
  return new DuroError(
    "stream_quota_exceeded",
    `${who} already has ${max} open event streams, its most at once; close one (or retry in ${STREAM_RETRY_AFTER_S} s)`,
    { category: "limit", retryable: true, details: { scope, max, retryAfterS: STREAM_RETRY_AFTER_S } },
  );
}

/** Adds `by` to a counter, dropping it at zero so the maps hold only keys with open streams. */
function bump(counts: Map<string, number>, key: string, by: number): void {
  const next = (counts.get(key) ?? 0) + by;
  if (next <= 0) counts.delete(key);
  else counts.set(key, next);
}
