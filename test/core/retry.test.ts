import { describe, expect, it } from "vitest";
import { retryDelayMs } from "../../src/core/index.js";

const failure = { code: "step_error", message: "boom", retryable: true };

describe("retryDelayMs", () => {
  it("backs off exponentially from the initial delay up to the maximum", () => {
    const policy = { maxAttempts: 10, initialDelay: "100ms", backoffFactor: 2, maxDelay: "1s" };
    expect([1, 2, 3, 4, 5].map((attempt) => retryDelayMs(policy, attempt, failure))).toEqual([100, 200, 400, 800, 1000]);
  });

  it("stops after maxAttempts", () => {
    expect(retryDelayMs({ maxAttempts: 2 }, 1, failure)).toBeDefined();
    expect(retryDelayMs({ maxAttempts: 2 }, 2, failure)).toBeUndefined();
  });

  it("never retries an error marked not retryable", () => {
    expect(retryDelayMs({ maxAttempts: 5 }, 1, { ...failure, retryable: false })).toBeUndefined();
  });

  it("defaults to 3 attempts starting at one second", () => {
    expect(retryDelayMs(undefined, 1, failure)).toBe(1_000);
    expect(retryDelayMs(undefined, 2, failure)).toBe(2_000);
    expect(retryDelayMs(undefined, 3, failure)).toBeUndefined();
  });

  it("waits as long as a server's Retry-After (details.retryAfterMs) asks when that is longer than the backoff", () => {
    const throttled = { ...failure, details: { retryAfterMs: 7_500 } };
    expect(retryDelayMs(undefined, 1, throttled)).toBe(7_500);
    expect(retryDelayMs({ maxAttempts: 5, initialDelay: "10s" }, 1, throttled)).toBe(10_000);
    expect(retryDelayMs(undefined, 3, throttled)).toBeUndefined();
  });
});
