// Workflow definitions: a name, a function of (ctx, input), and options. Defining one has no side effect;
// an engine runs the definitions it is given or that a loaded module exports.
import { createHash } from "node:crypto";
import type { WorkflowContext } from "./context.js";
import type { Duration } from "./duration.js";
import { definitionError } from "./errors.js";
import type { PackVerification } from "./events.js";
import { checkQueueName, isQueueDefinition, type QueueDefinition } from "./queue.js";
import type { RetryPolicy } from "./retry.js";
import type { StandardSchemaV1 } from "./schema.js";

export type WorkflowFn<I, O> = (ctx: WorkflowContext, input: I) => Promise<O>;

type InferInput<S, Fallback> = S extends StandardSchemaV1 ? StandardSchemaV1.InferOutput<S> : Fallback;

/** A workflow's options; `I` is its input (the schema's output when `input` is given). */
export interface WorkflowOptions<S extends StandardSchemaV1 | undefined = undefined, I = InferInput<S, unknown>> {
  /** Standard Schema (zod, valibot, …) the input must satisfy; checked when a run starts. */
  input?: S;
  /** Names this version of the code; default: a hash of the function's source. */
  version?: string;
  /** Default retry policy of this workflow's steps. */
  retry?: RetryPolicy;
  /** The whole run must end within this; otherwise it fails with `run_timeout`. */
  timeout?: Duration;
  /**
   * Runs wait in this queue until its limits admit them (see `queue()`); a name alone is a queue without limits
   * unless another workflow or the engine defines it. default: no queue, runs are claimable at once.
   */
  queue?: string | QueueDefinition;
  /** The key the queue's `keyConcurrency` limits, from the run's input (e.g. `(input) => input.customerId`). */
  concurrencyKey?: (input: I) => string | number | undefined | null;
  /** Lower runs first among the queue's waiting runs. default 0 */
  priority?: number | ((input: I) => number);
  /** The pack this workflow was loaded from and how it was trusted: each of its runs journals it as `pack_verified`. default: none */
  pack?: PackVerification;
}

const WORKFLOW_BRAND = Symbol.for("duro.workflow");

export interface WorkflowDefinition<I = unknown, O = unknown> {
  readonly [WORKFLOW_BRAND]: true;
  readonly name: string;
  readonly version: string;
  readonly options: WorkflowOptions<StandardSchemaV1 | undefined, I>;
  readonly fn: WorkflowFn<I, O>;
}

/**
 * Any workflow definition, whatever its input and output: what engines, checks and harnesses take. The input only
 * goes into a definition (its function, its concurrencyKey), so `never` is the input every definition accepts.
 */
export type AnyWorkflowDefinition = WorkflowDefinition<never, unknown>;

export type InputOf<W> = W extends WorkflowDefinition<infer I, unknown> ? I : never;
/** A workflow's output. Matched with input `never` (which every definition accepts): with `unknown` it was never. */
export type OutputOf<W> = W extends WorkflowDefinition<never, infer O> ? O : never;

/** Defines a workflow: `workflow("order", async (ctx, input) => …)` or `workflow("order", { input: schema }, fn)`. */
export function workflow<I, O>(name: string, fn: WorkflowFn<I, O>): WorkflowDefinition<I, O>;
export function workflow<I, O>(name: string, options: WorkflowOptions<undefined, I>, fn: WorkflowFn<I, O>): WorkflowDefinition<I, O>;
export function workflow<S extends StandardSchemaV1 | undefined, O, I = InferInput<S, unknown>>(
  name: string,
  options: WorkflowOptions<S, InferInput<S, I>>,
  fn: WorkflowFn<InferInput<S, I>, O>,
): WorkflowDefinition<InferInput<S, I>, O>;
export function workflow(
  name: string,
  optionsOrFn: WorkflowOptions<StandardSchemaV1 | undefined> | WorkflowFn<unknown, unknown>,
  maybeFn?: WorkflowFn<unknown, unknown>,
): WorkflowDefinition {
  const fn = typeof optionsOrFn === "function" ? optionsOrFn : maybeFn;
  const options = typeof optionsOrFn === "function" ? {} : optionsOrFn;
  if (typeof name !== "string" || !/^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,127}$/.test(name)) {
    throw definitionError(
      "invalid_workflow_name",
      `workflow name ${JSON.stringify(name)} is invalid; use letters, digits, "_", ".", ":", "/" or "-"`,
    );
  }
  if (typeof fn !== "function") {
    throw definitionError("invalid_workflow", `workflow "${name}" has no function; write workflow("${name}", async (ctx, input) => { … })`);
  }
  checkQueueOptions(name, options);
  const version = options.version ?? sourceVersion(fn);
  return Object.freeze({ [WORKFLOW_BRAND]: true as const, name, version, options, fn });
}

export function isWorkflowDefinition(value: unknown): value is WorkflowDefinition {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[WORKFLOW_BRAND] === true;
}

function checkQueueOptions(name: string, options: WorkflowOptions<StandardSchemaV1 | undefined>): void {
  if (options.queue !== undefined && !isQueueDefinition(options.queue)) checkQueueName(options.queue);
  if ((options.concurrencyKey !== undefined || options.priority !== undefined) && options.queue === undefined) {
    throw definitionError(
      "invalid_workflow",
      `workflow "${name}" sets concurrencyKey or priority without a queue; add queue: queue("${name}", { keyConcurrency: 2 }) or a queue name`,
    );
  }
  if (options.concurrencyKey !== undefined && typeof options.concurrencyKey !== "function")
    throw definitionError(
      "invalid_workflow",
      `workflow "${name}": concurrencyKey must be a function of the input, e.g. (input) => input.customerId`,
    );
}

function sourceVersion(fn: WorkflowFn<unknown, unknown>): string {
  return sourceHashVersion(fn.toString());
}

/** The version of code that does not name one: `src:` and a hash of its source text. */
export function sourceHashVersion(source: string): string {
  return `src:${createHash("sha256").update(source).digest("hex").slice(0, 12)}`;
}

/**
 * Whether a version is a hash of source rather than a name its author chose. Such versions change with any edit
 * and with the build tool, so they are not pinned by default (docs/deploys.md).
 */
export function isSourceHashVersion(version: string): boolean {
  return version.startsWith("src:");
}
