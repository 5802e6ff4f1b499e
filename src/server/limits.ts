// Per-key request rate limit (a fixed one-minute window per key, in this process) and the cap on open SSE streams.
import { DuroError } from "../core/index.js";

export class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly perMinute: number,
    private readonly clock: () => number,
  ) {}

  /** Counts one request of `key`; throws `rate_limited` (429) once it has made `perMinute` in this window. */
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
    throw new DuroError("rate_limited", `this API key made more than ${this.perMinute} requests this minute; retry in ${retryAfterS} s`, {
      category: "limit",
      retryable: true,
      details: { retryAfterS, perMinute: this.perMinute },
    });
  }

  private forgetOld(now: number): void {
    for (const [key, window] of this.windows) if (now - window.start >= 60_000) this.windows.delete(key);
  }
}

export class StreamSlots {
  private open = 0;

  constructor(readonly max: number) {}

  get count(): number {
    return this.open;
  }

  /** Takes a slot for one stream; the returned function gives it back (once). */
  acquire(): () => void {
    if (this.open >= this.max) {
      throw new DuroError("too_many_streams", `this server already has ${this.max} open event streams; retry later`, {
        category: "limit",
        retryable: true,
        details: { max: this.max },
      });
    }
    this.open += 1;
    let released = false;
    return () => {
      if (!released) this.open -= 1;
      released = true;
    };
  }
}
