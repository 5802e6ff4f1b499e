// JSONata expressions over a node's scope `{ input, nodes, vars, run }`. Evaluation is deterministic, so a
// replay computes what the first execution computed: `$now()` and `$millis()` give the run's start time
// (journaled), and `$random()` is refused; put randomness and fresh time in a step.
import type jsonataType from "jsonata";
import { DuroError } from "../core/index.js";
import { isRecord } from "./document.js";
import { jsonata } from "./libraries.js";

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

function compile(text: string): jsonataType.Expression {
  let expression = compiled.get(text);
  if (!expression) {
    expression = jsonata()(text);
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

/** Evaluates an expression; `extra` adds `$name` bindings (`$result`). Failures are `expression_failed`. */
export async function evaluate(text: string, scope: Scope, where: string, extra: Record<string, unknown> = {}): Promise<unknown> {
  const source = expressionText(text);
  const startedAt = scope.run.startedAt;
  try {
    return await compile(source).evaluate(scope, {
      now: () => startedAt,
      millis: () => Date.parse(startedAt),
      random: () => {
        throw new Error("$random() is not deterministic; draw random values in a step (a component) instead");
      },
      ...extra,
    });
  } catch (error) {
    // A bound function's own coded error ($secret's secret_not_found, secret_not_declared) says more than a wrapper.
    if (error instanceof DuroError) throw error;
    throw new DuroError("expression_failed", `the expression at ${where} (${source}) failed: ${(error as Error).message}`, {
      category: "step",
      retryable: false,
      details: { where, expression: source },
    });
  }
}

/** A value with every "=expression" string inside it (in objects and lists, too) replaced by its result. */
export async function resolveValue(value: unknown, scope: Scope, where: string, extra: Record<string, unknown> = {}): Promise<unknown> {
  if (isExpressionValue(value)) return evaluate(value, scope, where, extra);
  if (typeof value === "string" && value.startsWith("==")) return value.slice(1);
  if (Array.isArray(value)) return Promise.all(value.map((item, i) => resolveValue(item, scope, `${where}[${i}]`, extra)));
  if (!isRecord(value)) return value;
  const entries = await Promise.all(
    Object.entries(value).map(async ([key, item]) => [key, await resolveValue(item, scope, `${where}.${key}`, extra)] as const),
  );
  return Object.fromEntries(entries.filter(([, item]) => item !== undefined));
}
