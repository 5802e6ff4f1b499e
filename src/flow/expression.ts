// JSONata expressions over a node's scope `{ input, nodes, vars, run }`. Evaluation is deterministic, so a
// replay computes what the first execution computed: `$now()` and `$millis()` give the run's start time
// (journaled), and `$random()` is refused; put randomness and fresh time in a step. Each evaluation runs
// within an ExpressionLimits budget (expression-budget.ts): time, depth and size.
import type jsonataType from "jsonata";
import { DuroError } from "../core/index.js";
import { isRecord } from "./document.js";
import { BUDGET_BINDING, Budget, type ExpressionLimits } from "./expression-budget.js";
import { jsonata } from "./libraries.js";

/** How one evaluation runs. */
export interface EvaluationOptions {
  /** default DEFAULT_EXPRESSION_LIMITS */
  limits?: ExpressionLimits;
  /** The signal of the step the expression runs in: once aborted (the node's timeout), the expression stops. */
  signal?: AbortSignal;
}

/** What expressions see. */
export interface Scope {
  /** The run's input. */
  input: unknown;
  /** Each node's output by id, once it ran (`nodes.lookup.customer`); a caught failure is `{ error }`. */
  nodes: Record<string, unknown>;
  /** Variables written by `set` nodes; inside `map`, also the item (`vars.item`) and `vars.index`. */
  vars: Record<string, unknown>;
  /** `{ id, flow, startedAt }` of the run. */
  run: { id: string; flow: string; startedAt: string };
}

const compiled = new Map<string, jsonataType.Expression>();

/** The text of an always-expression field (`when`, `items`, `output`): a leading "=" is allowed and dropped. */
export function expressionText(text: string): string {
  return text.startsWith("=") ? text.slice(1) : text;
}

/** In a value, a string starting with "=" is a JSONata expression; "==" escapes a literal leading "=". */
export function isExpressionValue(value: unknown): value is string {
  return typeof value === "string" && value.startsWith("=") && !value.startsWith("==");
}

// JSONata's evaluator calls this before every step of every evaluation; the budget travels in the evaluation's
// own bindings (the frame chain always reaches it through `base`), so one compiled expression serves many runs.
interface Frame {
  base?: { depth: number; lookup(name: string): unknown };
}
const budgetOf = (environment: Frame): Budget | undefined => environment.base?.lookup(BUDGET_BINDING) as Budget | undefined;
const onEntry = (_expr: unknown, _input: unknown, environment: Frame) => budgetOf(environment)?.enter(environment.base?.depth ?? 0);

type Pad = (this: { environment: Frame }, text: unknown, width: unknown, char?: unknown) => unknown;
let jsonataPad: Pad | undefined;

/** JSONata's own $pad, looked up once. */
async function loadPad(): Promise<Pad> {
  jsonataPad ??= ((await jsonata()("$pad").evaluate(null)) as { implementation: Pad }).implementation;
  return jsonataPad;
}

// `$pad('', 400000000, 'x')` would build a 400 MB string before any step sees it: check the size first.
const boundedPad: Pad = function (this, text, width, char) {
  const chars = typeof char === "string" && char.length > 0 ? char.length : 1;
  if (typeof width === "number") budgetOf(this.environment)?.checkLength(Math.abs(width) * chars);
  return (jsonataPad as Pad).call(this, text, width, char);
};

function compile(text: string): jsonataType.Expression {
  let expression = compiled.get(text);
  if (!expression) {
    expression = jsonata()(text);
    // jsonata types `assign` with string names; its evaluator looks the hook up by symbol.
    expression.assign(Symbol.for("jsonata.__evaluate_entry") as unknown as string, onEntry);
    expression.registerFunction("pad", boundedPad as (this: jsonataType.Focus, ...args: unknown[]) => unknown, "<s-ns?:s>");
    compiled.set(text, expression);
  }
  return expression;
}

/** Why `text` does not compile, or undefined when it does. */
export function expressionSyntaxError(text: string): string | undefined {
  try {
    compile(text);
    return undefined;
  } catch (error) {
    const { message, position } = error as { message?: string; position?: number };
    return `${message ?? String(error)}${position === undefined ? "" : ` (at character ${position})`}`;
  }
}

/**
 * Evaluates an expression; `extra` adds `$name` bindings (`$result`). Failures are `expression_failed`; an evaluation
 * over its limits fails with `expression_timeout`, `expression_too_deep` or `expression_too_large`.
 */
export async function evaluate(
  text: string,
  scope: Scope,
  where: string,
  extra: Record<string, unknown> = {},
  options: EvaluationOptions = {},
): Promise<unknown> {
  const source = expressionText(text);
  const startedAt = scope.run.startedAt;
  const budget = new Budget(options.limits ?? {}, where, source, options.signal);
  try {
    if (!jsonataPad) await loadPad();
    const result: unknown = await compile(source).evaluate(scope, {
      [BUDGET_BINDING]: budget,
      now: () => startedAt,
      millis: () => Date.parse(startedAt),
      random: () => {
        throw expressionFailed(where, source, "$random() is not deterministic; draw random values in a step (a component) instead");
      },
      ...extra,
    });
    budget.checkResult(result);
    return result;
  } catch (error) {
    // A bound function's own coded error ($secret's secret_not_found, secret_not_declared) says more than a wrapper.
    if (error instanceof DuroError) throw error;
    throw expressionFailed(where, source, (error as Error).message);
  }
}

function expressionFailed(where: string, source: string, why: string): DuroError {
  return new DuroError("expression_failed", `the expression at ${where} (${source}) failed: ${why}`, {
    details: { where, expression: source },
  });
}

/** A value with every "=expression" string inside it (in objects and lists, too) replaced by its result. */
export async function resolveValue(
  value: unknown,
  scope: Scope,
  where: string,
  extra: Record<string, unknown> = {},
  options: EvaluationOptions = {},
): Promise<unknown> {
  if (isExpressionValue(value)) return evaluate(value, scope, where, extra, options);
  if (typeof value === "string" && value.startsWith("==")) return value.slice(1);
  if (Array.isArray(value)) return Promise.all(value.map((item, i) => resolveValue(item, scope, `${where}[${i}]`, extra, options)));
  if (!isRecord(value)) return value;
  const entries = await Promise.all(
    Object.entries(value).map(async ([key, item]) => [key, await resolveValue(item, scope, `${where}.${key}`, extra, options)] as const),
  );
  return Object.fromEntries(entries.filter(([, item]) => item !== undefined));
}
