// The contract of a node kind. A kind is one file in this folder plus one line in registry.ts: its JSON
// Schema (for loading and for the published flow.schema.json), what it links to (for the checks), and how it runs.
import type { ComponentRegistry, Duration, StepOptions, WorkflowContext, WorkflowDefinition } from "../../core/index.js";
import type { FlowDocument, FlowGraph, FlowNode, FlowProblem, JsonSchema, PathSegment } from "../document.js";
import type { Scope } from "../expression.js";
import type { HttpLimits } from "./http.js";

/** A nested graph in a node's spec (`map` bodies, `parallel` branches): `{ entry?, nodes }`. */
export const GRAPH: JsonSchema = { $ref: "#/$defs/graph" };

/** A value: any JSON, where strings starting with "=" are JSONata expressions. */
export const VALUE: JsonSchema = { description: 'any JSON; a string starting with "=" is a JSONata expression' };

/** A JSONata expression (a leading "=" is optional). */
export const EXPRESSION: JsonSchema = { type: "string", minLength: 1, description: "a JSONata expression" };

/** A node id in the same graph. */
export const NODE_ID: JsonSchema = { type: "string", minLength: 1, description: "the id of a node in the same graph" };

/** What a running node can use. */
export interface NodeRuntime {
  ctx: WorkflowContext;
  /** The node's id in its graph. */
  id: string;
  /** The node's durable-call name: its place in the run (`docs[2].extract`); repeats get `#1`, `#2`, … */
  name: string;
  /** The node's path in the document, for messages (`nodes.lookup`). */
  where: string;
  /** The same path as segments, for nested graphs' paths. */
  path: PathSegment[];
  scope: Scope;
  /** The node's `retry` and `timeout` as step options. */
  stepOptions: StepOptions;
  /** The node's `timeout`, for waits. */
  timeout: Duration | undefined;
  /** The output of the node that ran before this one in the same graph. */
  previous: unknown;
  components: ComponentRegistry;
  /** Where `http` nodes may connect and how much they may read. */
  http: HttpLimits;
  /** Reads a secret for `$secret()`; refuses (`secret_not_declared`) one a pack did not declare. */
  secret(name: string): string;
  /**
   * Resolves "=expressions" inside a value of the node's spec; `field` names it in errors. Inside a step, pass the
   * step's signal: when the step times out, a still-running expression stops.
   */
  value(value: unknown, field: string, extra?: Record<string, unknown>, signal?: AbortSignal): Promise<unknown>;
  /** Evaluates an always-expression field. */
  expression(text: string, field: string): Promise<unknown>;
  /** The workflow of another flow, for `subflow`. */
  subflow(id: string): WorkflowDefinition;
  /** Runs a nested graph in `scope`; `prefix` makes its nodes' call names unique (`docs[2].`). */
  runGraph(graph: FlowGraph, scope: Scope, prefix: string, where: PathSegment[]): Promise<unknown>;
}

export interface NodeOutcome {
  /** What the node produced (before the node's `output` mapping). */
  output: unknown;
  /** Where to go instead of the node's `next`; null ends the graph. */
  next?: string | null;
  /** Ends the graph with this node's output. */
  end?: boolean;
  /** The node's `output` mapping does not apply (a side exit such as `onInvalid`). */
  unmapped?: boolean;
}

/** What checks know beyond the document. */
export interface CheckEnv {
  /** When given, every `call` must name one of these. */
  components?: ComponentRegistry;
  /** When given, every `subflow` must name a flow it resolves. */
  flow?: (id: string) => FlowDocument | undefined;
  /** A problem at `path` (relative to the node) with line and column. */
  problem(path: PathSegment[], code: string, message: string, severity?: FlowProblem["severity"]): void;
}

export interface NodeKind {
  /** The key that marks a node as this kind (`call:`). */
  kind: string;
  /** One sentence for editors and docs. */
  summary: string;
  /** JSON Schema of the value under the kind's key. */
  spec: JsonSchema;
  /** JSON Schemas of extra properties beside the kind's key (`with:` of `call`). */
  props?: Record<string, JsonSchema>;
  /** Node ids this node may go to besides `next` and `onError`, with their paths. */
  targets?(node: FlowNode): Array<{ path: PathSegment[]; id: unknown }>;
  /** Nested graphs, with their paths. */
  graphs?(node: FlowNode): Array<{ path: PathSegment[]; graph: unknown }>;
  /** Always-expression fields, with their paths (the node's `output` is checked for every kind). */
  expressions?(node: FlowNode): Array<{ path: PathSegment[]; text: unknown }>;
  /** Subtrees that are literal data, not values ("=" means nothing there), e.g. JSON Schemas. */
  literals?: PathSegment[][];
  /** The node waits durably rather than doing work that can fail and be tried again: a `retry` on it is refused. */
  waits?: true;
  /** Checks that need the environment or the kind's own rules. */
  check?(node: FlowNode, env: CheckEnv): void;
  run(node: FlowNode, rt: NodeRuntime): Promise<NodeOutcome>;
}
