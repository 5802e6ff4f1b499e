// Loading-time checks of a flow document: everything is checked before any run starts and every problem
// is reported at once, each with its path (and line and column when the document came from text).
import { type ComponentRegistry, DuroError, toMs } from "../core/index.js";
import { type FlowDocument, type FlowNode, type FlowProblem, formatPath, isRecord, type PathSegment } from "./document.js";
import { expressionSyntaxError, expressionText, isExpressionValue } from "./expression.js";
import { pointerSegments, schemaError, schemaIssues } from "./json-schema.js";
import type { CheckEnv, NodeKind } from "./nodes/kind.js";
import { NODE_KINDS, nodeKind } from "./nodes/registry.js";
import { documentSchema, shallowNodeSchema } from "./schema.js";
import { problemAt } from "./source.js";

export interface CheckOptions {
  /** When given, every `call` must name one of these components. */
  components?: ComponentRegistry;
  /** When given, every `subflow` must name one of these flows (by id, or through the function). */
  flows?: Readonly<Record<string, FlowDocument>> | ((id: string) => FlowDocument | undefined);
}

/** Every problem of `document` (errors and warnings); an empty list means it can run. */
export function checkFlow(document: unknown, options: CheckOptions = {}): FlowProblem[] {
  const problems: FlowProblem[] = [];
  const add = (path: PathSegment[], code: string, message: string, severity: FlowProblem["severity"] = "error") =>
    problems.push(problemAt(document, path, code, message, severity));
  if (!isRecord(document)) {
    add([], "not_a_flow", "a flow document is a mapping with at least `id` and `nodes`");
    return problems;
  }
  for (const issue of schemaIssues(documentSchema(), document)) add(pointerSegments(issue.path), "schema_violation", issue.message);
  if (document.input !== undefined) {
    const error = schemaError(document.input);
    if (error) add(["input"], "bad_schema", `the input schema is not a valid JSON Schema: ${error}`);
  }
  checkExpression(document.output, ["output"], add);
  checkDuration(document.timeout, ["timeout"], add);
  const flows = options.flows;
  const env: Omit<CheckEnv, "problem"> = {
    ...(options.components ? { components: options.components } : {}),
    ...(flows ? { flow: typeof flows === "function" ? flows : (id: string) => (Object.hasOwn(flows, id) ? flows[id] : undefined) } : {}),
  };
  if (isRecord(document.nodes)) checkGraph(document, [], env, add);
  return problems;
}

type Add = (path: PathSegment[], code: string, message: string, severity?: FlowProblem["severity"]) => void;

function checkGraph(graph: Record<string, unknown>, at: PathSegment[], env: Omit<CheckEnv, "problem">, add: Add): void {
  const nodes = isRecord(graph.nodes) ? graph.nodes : {};
  const ids = Object.keys(nodes);
  const edges = new Map<string, string[]>();
  const link = (from: string, id: unknown, path: PathSegment[]) => {
    if (id === undefined || typeof id !== "string") return;
    if (!Object.hasOwn(nodes, id)) {
      add(path, "dangling_next", `${formatPath(path)} names "${id}", which is not a node of this graph; its nodes are: ${ids.join(", ")}`);
      return;
    }
    edges.set(from, [...(edges.get(from) ?? []), id]);
  };
  if (graph.entry !== undefined) link("(entry)", graph.entry, [...at, "entry"]);
  for (const [id, node] of Object.entries(nodes)) {
    const here = [...at, "nodes", id];
    if (!isRecord(node)) continue; // the document schema already reported it
    link(id, node.next, [...here, "next"]);
    link(id, node.onError, [...here, "onError"]);
    checkDuration(node.timeout, [...here, "timeout"], add);
    const kind = kindOf(node as FlowNode, here, add);
    if (!kind) continue;
    for (const issue of schemaIssues(shallowNodeSchema(kind), node))
      add([...here, ...pointerSegments(issue.path)], "schema_violation", issue.message);
    for (const target of kind.targets?.(node as FlowNode) ?? []) link(id, target.id, [...here, ...target.path]);
    checkExpressions(node as FlowNode, kind, here, add);
    if (kind.waits && node.retry !== undefined) {
      add(
        [...here, "retry"],
        "retry_not_applicable",
        `a ${kind.kind} node waits durably and is never retried, so its retry would do nothing; remove it (a timeout goes to onError)`,
      );
    }
    kind.check?.(node as FlowNode, {
      ...env,
      problem: (path, code, message, severity) => add([...here, ...path], code, message, severity),
    });
    for (const nested of kind.graphs?.(node as FlowNode) ?? []) {
      if (isRecord(nested.graph)) checkGraph(nested.graph, [...here, ...nested.path], env, add);
    }
  }
  const entry = typeof graph.entry === "string" && Object.hasOwn(nodes, graph.entry) ? graph.entry : ids[0];
  if (entry === undefined) return;
  const reached = reachable(entry, edges);
  for (const id of ids) {
    if (!reached.has(id))
      add([...at, "nodes", id], "unreachable_node", `node "${id}" can never run: no next, switch case or onError leads to it`, "warning");
  }
  for (const loop of loops(ids, edges)) {
    if (loop.some((id) => isRecord(nodes[id]) && (nodes[id] as FlowNode).maxIterations !== undefined)) continue;
    add(
      [...at, "nodes", loop[0] as string],
      "loop_without_limit",
      `nodes ${[...loop, loop[0]].join(" → ")} form a loop and none of them has maxIterations; set maxIterations on one of them`,
    );
  }
}

/** A duration that `toMs` would refuse when the run starts (or the node runs) is reported now, with where it is. */
function checkDuration(value: unknown, path: PathSegment[], add: Add): void {
  // Other types are the document schema's to report.
  if (typeof value !== "string" && typeof value !== "number") return;
  try {
    toMs(value);
  } catch (error) {
    if (!(error instanceof DuroError)) throw error;
    add(path, "invalid_duration", error.message);
  }
}

/** The node's kind: exactly one registered kind key must be present. */
function kindOf(node: FlowNode, here: PathSegment[], add: Add): NodeKind | undefined {
  const kinds = Object.keys(node).flatMap((key) => nodeKind(key) ?? []);
  if (kinds.length === 1) return kinds[0];
  const known = NODE_KINDS.map((k) => k.kind).join(", ");
  if (kinds.length === 0) {
    add(
      here,
      "unknown_node_kind",
      `node "${here.at(-1)}" has no known kind (its keys: ${Object.keys(node).join(", ")}); give it exactly one of: ${known}`,
    );
  } else {
    add(
      here,
      "ambiguous_node_kind",
      `node "${here.at(-1)}" has several kinds (${kinds.map((k) => k.kind).join(", ")}); give it exactly one`,
    );
  }
  return undefined;
}

/** The node's always-expression fields, and every "=expression" in its values. */
function checkExpressions(node: FlowNode, kind: NodeKind, here: PathSegment[], add: Add): void {
  const fields = [{ path: ["output"], text: node.output }, ...(kind.expressions?.(node) ?? [])];
  for (const field of fields) checkExpression(field.text, [...here, ...field.path], add);
  const skip = new Set([
    ...fields.map((f) => formatPath(f.path)),
    ...(kind.literals ?? []).map(formatPath),
    ...(kind.graphs?.(node) ?? []).map((g) => formatPath(g.path)),
  ]);
  const walk = (value: unknown, path: PathSegment[]): void => {
    if (skip.has(formatPath(path))) return;
    if (isExpressionValue(value)) return checkExpression(value, [...here, ...path], add);
    if (Array.isArray(value)) {
      for (const [i, item] of value.entries()) walk(item, [...path, i]);
    } else if (isRecord(value)) for (const [key, item] of Object.entries(value)) walk(item, [...path, key]);
  };
  walk(node, []);
}

function checkExpression(text: unknown, path: PathSegment[], add: Add): void {
  if (typeof text !== "string") return;
  const error = expressionSyntaxError(expressionText(text));
  if (error) add(path, "bad_expression", `${formatPath(path)} is not a valid JSONata expression: ${error}`);
}

function reachable(entry: string, edges: Map<string, string[]>): Set<string> {
  const seen = new Set<string>([entry]);
  const queue = [entry];
  for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
    for (const next of edges.get(id) ?? []) {
      if (!seen.has(next)) {
        seen.add(next);
        queue.push(next);
      }
    }
  }
  return seen;
}

/** The graph's cycles as strongly connected components (Tarjan), in document order. */
function loops(ids: string[], edges: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  let counter = 0;
  const visit = (id: string): void => {
    index.set(id, counter);
    low.set(id, counter++);
    stack.push(id);
    onStack.add(id);
    for (const next of edges.get(id) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(id, Math.min(low.get(id) as number, low.get(next) as number));
      } else if (onStack.has(next)) low.set(id, Math.min(low.get(id) as number, index.get(next) as number));
    }
    if (low.get(id) !== index.get(id)) return;
    const component: string[] = [];
    for (let member = stack.pop(); member !== undefined; member = stack.pop()) {
      onStack.delete(member);
      component.push(member);
      if (member === id) break;
    }
    const selfLoop = component.length === 1 && (edges.get(id) ?? []).includes(id);
    if (component.length > 1 || selfLoop) found.push(component.sort((a, b) => ids.indexOf(a) - ids.indexOf(b)));
  };
  for (const id of ids) if (!index.has(id)) visit(id);
  return found;
}
