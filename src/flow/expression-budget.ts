// What one expression evaluation may spend, enforced inside the JSONata evaluator itself, so it holds even when
// nothing else can run: JSONata evaluates on the main thread and, between awaits that resolve at once, never
// gives the event loop a turn. Every evaluation step passes through the entry hook, which
// - counts CPU time (time spent waiting for the event loop is not counted) and stops the expression with
//   `expression_timeout` past its limit;
// - inside a step, every few milliseconds yields one event loop turn, so heartbeats, timers (a node's `timeout`)
//   and signals still run while a long expression evaluates, and stops the expression when its step was aborted;
// - refuses nesting deeper than `maxDepth` (runaway recursion) with `expression_too_deep`.
// A result over its size limit is refused (`expression_too_large`) before anything stores it, and `$pad` is
// refused before it allocates a string over the limit. Intermediate values are not measured at each step (an exit
// hook doubled the cost of every expression); they are bounded by the time limit and by V8's own string limit.
// One built-in call (a regular expression, a sort) is not interrupted inside: the limits apply between steps.
import { setImmediate as nextTurn } from "node:timers/promises";
import { DuroError, type ErrorCode } from "../core/index.js";

/** How much one evaluation of one expression may spend; every field has a default. */
export interface ExpressionLimits {
  /** CPU time of one evaluation, in ms; then `expression_timeout`. default 5_000 */
  timeoutMs?: number;
  /** Nesting depth of the evaluation (recursion); then `expression_too_deep`. default 5_000 */
  maxDepth?: number;
  /** Longest string a result or `$pad` may hold, in characters; then `expression_too_large`. default 10_485_760 (10 Mi) */
  maxStringLength?: number;
  /** Largest result, in bytes of JSON; then `expression_too_large`. default 16_777_216 (16 MiB) */
  maxResultBytes?: number;
}

export const DEFAULT_EXPRESSION_LIMITS: Required<ExpressionLimits> = {
  timeoutMs: 5_000,
  maxDepth: 5_000,
  maxStringLength: 10 * 1024 * 1024,
  maxResultBytes: 16 * 1024 * 1024,
};

/** How often a running expression gives the event loop a turn, in ms of CPU. */
const YIELD_EVERY_MS = 10;
/** Steps between two looks at the clock: a step takes microseconds, so this is well under a millisecond. */
const STEPS_PER_CHECK = 64;

/** The binding that carries an evaluation's budget; the space makes it a name no expression can spell. */
export const BUDGET_BINDING = " duro budget";

/** The state of one evaluation. */
export class Budget {
  readonly limits: Required<ExpressionLimits>;
  private steps = 0;
  private spentMs = 0;
  private sliceStart = performance.now();

  constructor(
    limits: ExpressionLimits,
    private readonly where: string,
    private readonly source: string,
    private readonly signal: AbortSignal | undefined,
  ) {
    this.limits = { ...DEFAULT_EXPRESSION_LIMITS, ...limits };
  }

  /** Called on entry to every evaluation step; a promise only when it yields. */
  enter(depth: number): Promise<void> | undefined {
    if (depth > this.limits.maxDepth) {
      throw this.refusal(
        "expression_too_deep",
        `nests deeper than ${this.limits.maxDepth} levels (runaway recursion?)`,
        "make the recursion end sooner",
      );
    }
    this.steps += 1;
    if (this.steps % STEPS_PER_CHECK !== 0) return undefined;
    const slice = performance.now() - this.sliceStart;
    if (this.spentMs + slice > this.limits.timeoutMs) {
      throw this.refusal(
        "expression_timeout",
        `ran for more than ${this.limits.timeoutMs} ms`,
        "make it do less (does it loop or recurse without end?), or do heavy work in a component",
      );
    }
    // Only inside a step: workflow code that awaits a macrotask during replay would look diverged to the executor,
    // so an expression outside a step (switch.when, map.items, output) runs through, bounded by the time limit.
    return slice >= YIELD_EVERY_MS && this.signal !== undefined ? this.yieldTurn(slice) : undefined;
  }

  /** Refuses a string of `length` characters before it is built ($pad). */
  checkLength(length: number): void {
    if (length > this.limits.maxStringLength) this.tooLarge(`a string of ${length} characters`);
  }

  /** Refuses a result over maxStringLength or whose JSON would exceed maxResultBytes (counting stops at the limit). */
  checkResult(result: unknown): void {
    if (typeof result === "string") this.checkLength(result.length);
    const bytes = jsonSizeUpTo(result, this.limits.maxResultBytes);
    if (bytes > this.limits.maxResultBytes) this.tooLarge(`a result over ${this.limits.maxResultBytes} bytes of JSON`);
  }

  private async yieldTurn(slice: number): Promise<void> {
    this.spentMs += slice;
    await nextTurn();
    this.sliceStart = performance.now();
    // The step this expression runs in timed out or was cancelled: stop with its reason.
    if (this.signal?.aborted) throw this.signal.reason ?? new DuroError("cancelled", "the step was aborted", { category: "step" });
  }

  private tooLarge(what: string): never {
    const { maxStringLength, maxResultBytes } = this.limits;
    throw this.refusal(
      "expression_too_large",
      `produced ${what}; the limits are ${maxStringLength} characters per string and ${maxResultBytes} bytes per result`,
      "produce less, or build large data in a component",
    );
  }

  private refusal(code: ErrorCode, what: string, fix: string): DuroError {
    return new DuroError(code, `the expression at ${this.where} (${clip(this.source)}) ${what}; ${fix}`, {
      category: "limit",
      retryable: false,
      details: { where: this.where, expression: clip(this.source), limits: this.limits },
    });
  }
}

function clip(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

/** The JSON size of `value` in bytes (UTF-16 units, near enough), counting no further than just past `limit`. */
export function jsonSizeUpTo(value: unknown, limit: number): number {
  let size = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0 && size <= limit) {
    const item = stack.pop();
    if (typeof item === "string") size += item.length + 2;
    else if (Array.isArray(item)) {
      size += 2 + item.length;
      for (const element of item) stack.push(element);
    } else if (typeof item === "object" && item !== null) {
      for (const [key, element] of Object.entries(item)) {
        size += key.length + 4;
        stack.push(element);
      }
      size += 2;
    } else size += item === undefined ? 0 : String(item).length;
  }
  return size;
}
