// Expression limits (src/flow/expression-budget.ts): a runaway or oversized JSONata expression is stopped with a
// coded error inside the evaluator, and while it runs the event loop keeps turning (timers, heartbeats, aborts).
import { describe, expect, it } from "vitest";
import { DuroError } from "../../src/core/index.js";
import { evaluate } from "../../src/flow/expression.js";

const scope = { input: { a: 1 }, nodes: {}, vars: {}, run: { id: "r", flow: "f", startedAt: new Date(0).toISOString() } };
const RUNAWAY = "($f := function($n){ $f($n + 1) }; $f(0))";

describe("expression limits", () => {
  it("a runaway recursion stops with expression_timeout", { timeout: 20_000 }, async () => {
    await expect(evaluate(RUNAWAY, scope, "nodes.spin.set.x", {}, { limits: { timeoutMs: 300 } })).rejects.toMatchObject({
      code: "expression_timeout",
      category: "limit",
      retryable: false,
      details: { where: "nodes.spin.set.x" },
    });
  });

  it("while a runaway expression runs, timers still fire, and its step's abort stops it with the abort's reason", {
    timeout: 20_000,
  }, async () => {
    // Without yielding, the evaluator never gives the event loop a turn: this timer would never fire and the
    // expression would run until its own (here one minute) limit.
    const controller = new AbortController();
    const reason = new DuroError("step_timeout", "step spin#0 did not finish within 50 ms", { category: "step" });
    setTimeout(() => controller.abort(reason), 50);
    await expect(
      evaluate(RUNAWAY, scope, "nodes.spin.set.x", {}, { limits: { timeoutMs: 60_000 }, signal: controller.signal }),
    ).rejects.toBe(reason);
  });

  it("a deep non-tail recursion stops with expression_too_deep", async () => {
    const deep = "($f := function($n){ 1 + $f($n + 1) }; $f(0))";
    await expect(evaluate(deep, scope, "x", {}, { limits: { maxDepth: 500 } })).rejects.toMatchObject({ code: "expression_too_deep" });
  });

  it("$pad is refused before it builds a string over the limit (400 MB in the report)", async () => {
    const before = process.memoryUsage().rss;
    await expect(evaluate("$pad('', 400000000, 'x')", scope, "x")).rejects.toMatchObject({ code: "expression_too_large" });
    // Nothing near 400 MB was allocated: the refusal came before the string.
    expect(process.memoryUsage().rss - before).toBeLessThan(200 * 1024 * 1024);
  });

  it("a result string over the limit is refused (one that doubled 22 times)", async () => {
    const doubling = "($f := function($s, $n){ $n = 0 ? $s : $f($s & $s, $n - 1) }; $f('x', 22))";
    await expect(evaluate(doubling, scope, "x", {}, { limits: { maxStringLength: 1_000_000 } })).rejects.toMatchObject({
      code: "expression_too_large",
    });
  });

  it("a result over the size limit is refused, a list or an object", async () => {
    await expect(evaluate("[1..5000]", scope, "x", {}, { limits: { maxResultBytes: 1000 } })).rejects.toMatchObject({
      code: "expression_too_large",
    });
    await expect(
      evaluate('[1..200].{"k": "xxxxxxxxxxxxxxxxxxxx"}', scope, "x", {}, { limits: { maxResultBytes: 1000 } }),
    ).rejects.toMatchObject({ code: "expression_too_large" });
  });

  it("ordinary expressions are unaffected: $pad, recursion within the limits, aggregates", async () => {
    expect(await evaluate("$pad('ab', 5, '-')", scope, "x")).toBe("ab---");
    expect(await evaluate("($f := function($n){ $n <= 1 ? 1 : $n * $f($n - 1) }; $f(10))", scope, "x")).toBe(3628800);
    expect(await evaluate("$sum([1..1000])", scope, "x")).toBe(500500);
  });
});
