// The shape of a flow document once parsed, and the problems loading reports. A document is plain JSON
// (YAML is only its spelling); its nodes form a graph keyed by id, with nested graphs for `parallel` and `map`.

import type { RetryPolicy } from "../core/index.js";
import { DuroError } from "../core/index.js";

/** A JSON Schema (2020-12) as a plain object. */
export type JsonSchema = Record<string, unknown> | boolean;

/** Nodes keyed by id; the first node (or `entry`) runs first. */
export interface FlowGraph {
  /** default: the first node */
  entry?: string;
  nodes: Record<string, FlowNode>;
}

/** One node: exactly one kind key (`call`, `http`, `switch`, …) plus the properties every node has. */
export interface FlowNode {
  /** The node to run after this one; none ends the graph. */
  next?: string;
  /** Retry policy of the node's step (call, http, …). */
  retry?: RetryPolicy;
  /** One attempt (or one wait) may take this long. */
  timeout?: string | number;
  /** On failure (after retries) go to this node; the error is in `nodes.<id>.error`. */
  onError?: string;
  /** JSONata over the scope plus `$result` (what the node produced); becomes `nodes.<id>`. */
  output?: string;
  /**
   * Journals a bookmark of this name each time the node is reached, before it runs (`ctx.bookmark`): a journal position
   * that `duro runs fork --from-bookmark` starts after, not a copy of state.
   */
  bookmark?: string;
  /** Required on some node of every loop: the node may run at most this often per graph run. */
  maxIterations?: number;
  description?: string;
  [kind: string]: unknown;
}

export interface FlowDocument extends FlowGraph {
  id: string;
  version?: string;
  description?: string;
  /** JSON Schema the run's input must satisfy. */
  input?: JsonSchema;
  /** JSONata giving the run's output; default: the output of the last node that ran. */
  output?: string;
  /** Component modules for `duro run flow.yaml`, relative to the file (see docs/flows.md). */
  components?: string | string[];
  /** The run's budget for model calls (`ctx.budget`), for `llm` and `agent` nodes. */
  budget?: Record<string, unknown>;
  /** The whole run must end within this (`"10m"`, or ms), like a code workflow's `timeout`; else `run_timeout`. default: none */
  timeout?: string | number;
}

export type PathSegment = string | number;

/** One thing wrong (or suspicious) with a document, with where it is. */
export interface FlowProblem {
  /** Stable snake_case kind of problem: `unknown_node_kind`, `dangling_next`, `bad_expression`, … */
  code: string;
  /** `error` stops the flow from running; `warning` (an unreachable node) does not. */
  severity: "error" | "warning";
  /** Where in the document: `nodes.route.switch[1].next`. */
  path: string;
  message: string;
  /** 1-based, when the document was parsed from text. */
  line?: number;
  column?: number;
  /** The file the document came from, when known. */
  file?: string;
}

/** `nodes.route.switch[1].next` from ["nodes", "route", "switch", 1, "next"]. */
export function formatPath(path: readonly PathSegment[]): string {
  let text = "";
  for (const segment of path) {
    if (typeof segment === "number") text += `[${segment}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(segment)) text += text === "" ? segment : `.${segment}`;
    else text += `[${JSON.stringify(segment)}]`;
  }
  return text;
}

/** The `flow_invalid` error listing every problem, each on its own line with where it is. */
export function flowInvalid(problems: FlowProblem[], what: string): DuroError {
  const errors = problems.filter((p) => p.severity === "error");
  const lines = errors.map((p) => `  ${problemLocation(p)}: ${p.message}`);
  return new DuroError(
    "flow_invalid",
    `${what} has ${errors.length} problem${errors.length === 1 ? "" : "s"}; fix ${errors.length === 1 ? "it" : "them"} and load it again:\n${lines.join("\n")}`,
    { category: "definition", details: { problems } },
  );
}

/** `flow.yaml:12:7 nodes.route.next` or just the path. */
export function problemLocation(problem: FlowProblem): string {
  const where = problem.line === undefined ? "" : `${problem.file ?? "line"}:${problem.line}:${problem.column ?? 1} `;
  return `${where}${problem.path || "(document)"}`;
}

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);
