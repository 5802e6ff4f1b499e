// The budget ledger: warnings once when a threshold is crossed, verdicts when a limit is reached, raises.
import { describe, expect, it } from "vitest";
import { Ledger } from "../../src/agent/budget.js";

const call = { inputTokens: 300, outputTokens: 100 };

describe("Ledger", () => {
  it("warns once when a call crosses warnAt of maxTokens, and is exceeded once the limit is reached", () => {
    const ledger = new Ledger("agent a", { maxTokens: 1000, warnAt: 0.5 });
    expect(ledger.warningsFor(call, 0)).toEqual([]);
    ledger.add(call, 0);
    expect(ledger.warningsFor(call, 0)).toEqual([{ type: "limit_warning", limit: "agent a.maxTokens", current: 800, max: 1000 }]);
    ledger.add(call, 0);
    expect(ledger.warningsFor(call, 0)).toEqual([]);
    expect(ledger.exceeded()).toBeUndefined();
    ledger.add(call, 0);
    expect(ledger.exceeded()).toEqual({ limit: "maxTokens", current: 1200, max: 1000 });
    ledger.raise({ maxTokens: 5000 });
    expect(ledger.exceeded()).toBeUndefined();
  });

  it("wall time is measured from journaled clock readings: a warning at 80%, exceeded at the limit", () => {
    const ledger = new Ledger("run", { maxWallTime: "10m" });
    const start = Date.UTC(2025, 0, 1);
    expect(ledger.tick(start)).toBeUndefined();
    expect(ledger.tick(start + 7 * 60_000)).toBeUndefined();
    expect(ledger.tick(start + 8 * 60_000)).toEqual({ type: "limit_warning", limit: "run.maxWallTime", current: 480_000, max: 600_000 });
    expect(ledger.tick(start + 9 * 60_000)).toBeUndefined();
    expect(ledger.exceeded()).toBeUndefined();
    ledger.tick(start + 10 * 60_000);
    expect(ledger.exceeded()).toEqual({ limit: "maxWallTime", current: 600_000, max: 600_000 });
  });
});
