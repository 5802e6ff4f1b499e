// The flow interpreter, itself a workflow: each node is a journaled step, a durable wait or a child run,
// named after its place in the document (`lookup`, `docs[2].extract`; a node that runs again in a loop gets
// the next occurrence, `lookup#1`), so durability, replay and crash recovery come from the core unchanged.
import type { Budget } from "../agent/index.js";
import {
  type ComponentRegistry,
  DuroError,
  isDuroError,
  type PackVerification,
  type RetryPolicy,
  type StepOptions,
  sourceHashVersion,
  toErrorInfo,
  type WorkflowContext,
  type WorkflowDefinition,
  workflow,
} from "../core/index.js";
import { checkFlow } from "./check.js";
import { type FlowDocument, type FlowGraph, type FlowNode, flowInvalid, formatPath, isRecord, type PathSegment } from "./document.js";
import { evaluate, resolveValue, type Scope } from "./expression.js";
import type { ExpressionLimits } from "./expression-budget.js";
import { standardSchema } from "./json-schema.js";
import type { HttpLimits } from "./nodes/http.js";
import type { NodeKind, NodeRuntime } from "./nodes/kind.js";
import { NODE_KINDS, nodeKind } from "./nodes/registry.js";

export interface FlowWorkflowOptions {
  /** The components `call` nodes may use. default: none */
  components?: ComponentRegistry;
  /** Finds the flows `subflow` nodes name (by id). default: none */
  resolveFlow?: (id: string) => FlowDocument | undefined;
  /** The only secrets `$secret()` may read (a pack's declared `secrets`); default: any the engine can read. */
  secrets?: readonly string[];
  /** What one evaluation of one expression may spend (time, depth, size). default DEFAULT_EXPRESSION_LIMITS */
  expressionLimits?: ExpressionLimits;
  /** Where `http` nodes may connect (a pack's `net:` grants) and how much they may read. default: anywhere, 10 MiB */
  http?: HttpLimits;
  /** The pack the document came from and how it was trusted (`OpenedPack.verification`); its runs journal it. default: none */
  pack?: PackVerification;
}

interface Built {
  options: FlowWorkflowOptions;
  definition: WorkflowDefinition;
}

// The same document with the same options gives the same definition, so an engine can register a subflow
// that several flows use without a duplicate_workflow error.
const built = new WeakMap<FlowDocument, Built[]>();
// The way back, for views that draw a flow run as its graph (the server's GET /v1/workflows/{name}).
const documents = new WeakMap<object, FlowDocument>();

/** The flow document a workflow definition was made from by flowWorkflow; undefined for code workflows. */
export function flowDocumentOf(definition: object): FlowDocument | undefined {
  return documents.get(definition);
}

/** The workflow (named after the flow's id) that runs `doc`; throws `flow_invalid` with every problem. */
export function flowWorkflow(doc: FlowDocument, options: FlowWorkflowOptions = {}): WorkflowDefinition {
  const cached = built
    .get(doc)
    ?.find(
      (b) =>
        b.options.components === options.components &&
        b.options.resolveFlow === options.resolveFlow &&
        b.options.secrets === options.secrets &&
        b.options.expressionLimits === options.expressionLimits &&
        b.options.http === options.http &&
        b.options.pack === options.pack,
    );
  if (cached) return cached.definition;
  const errors = checkFlow(doc, { components: options.components ?? {}, flows: options.resolveFlow ?? (() => undefined) }).filter(
    (p) => p.severity === "error",
  );
  if (errors.length > 0) throw flowInvalid(errors, `flow "${isRecord(doc) ? String(doc.id) : "?"}"`);
  const definition = workflow(
    doc.id,
    {
      // A declared version is the author's compatibility label, like a code workflow's `version`: an edit that keeps it
      // takes over the runs in flight (replay guards them). Without one, the document's hash, not pinned by default.
      version: doc.version === undefined ? sourceHashVersion(JSON.stringify(doc)) : String(doc.version),
      ...(doc.input === undefined ? {} : { input: standardSchema(doc.input) }),
      ...(doc.timeout === undefined ? {} : { timeout: doc.timeout }),
      ...(options.pack === undefined ? {} : { pack: options.pack }),
    },
    (ctx, input: unknown) => new Interpreter(doc, options, ctx).run(input),
  );
  built.set(doc, [...(built.get(doc) ?? []), { options, definition }]);
  documents.set(definition, doc);
  return definition;
}

/** The flow's workflow and those of every flow it reaches through `subflow`: register them all with an engine. */
export function flowWorkflows(doc: FlowDocument, options: FlowWorkflowOptions = {}): WorkflowDefinition[] {
  const found = new Map<string, FlowDocument>([[doc.id, doc]]);
  const queue = [doc];
  for (let current = queue.shift(); current; current = queue.shift()) {
    for (const id of subflowIds(current)) {
      const child = options.resolveFlow?.(id);
      if (child && !found.has(id)) {
        found.set(id, child);
        queue.push(child);
      }
    }
  }
  return [...found.values()].map((d) => flowWorkflow(d, options));
}

/** The ids of the flows a graph's `subflow` nodes name, nested graphs included. */
export function subflowIds(graph: FlowGraph): string[] {
  const ids: string[] = [];
  for (const node of Object.values(graph.nodes ?? {})) {
    const sub = node.subflow as { flow?: unknown } | undefined;
    if (typeof sub?.flow === "string") ids.push(sub.flow);
    for (const nested of kindOf(node)?.graphs?.(node) ?? [])
      if (isRecord(nested.graph)) ids.push(...subflowIds(nested.graph as unknown as FlowGraph));
  }
  return ids;
}

function kindOf(node: FlowNode): NodeKind | undefined {
  for (const key of Object.keys(node)) {
    const kind = nodeKind(key);
    if (kind) return kind;
  }
  return undefined;
}

/** Errors a node's onError must not catch: the run is diverging or being cancelled. */
const UNCATCHABLE = new Set(["non_determinism", "cancelled"]);

class Interpreter {
  private readonly limits: { limits?: ExpressionLimits };

  constructor(
    private readonly doc: FlowDocument,
    private readonly options: FlowWorkflowOptions,
    private readonly ctx: WorkflowContext,
  ) {
    this.limits = options.expressionLimits === undefined ? {} : { limits: options.expressionLimits };
  }

  async run(input: unknown): Promise<unknown> {
    const scope: Scope = {
      input,
      nodes: {},
      vars: {},
      run: { id: this.ctx.runId, flow: this.doc.id, startedAt: this.ctx.now().toISOString() },
    };
    if (this.doc.budget !== undefined) this.ctx.budget((await resolveValue(this.doc.budget, scope, "budget", {}, this.limits)) as Budget);
    const result = await this.runGraph(this.doc, scope, "", []);
    if (this.doc.output === undefined) return result ?? null;
    return (await evaluate(this.doc.output, scope, "output", { result }, this.limits)) ?? null;
  }

  /** Runs a graph from its entry until no next is left or an `end`; resolves with the last node's output. */
  async runGraph(graph: FlowGraph, scope: Scope, prefix: string, at: PathSegment[]): Promise<unknown> {
    const visits = new Map<string, number>();
    let previous: unknown = null;
    let current: string | undefined = graph.entry ?? Object.keys(graph.nodes)[0];
    while (current !== undefined) {
      const id: string = current;
      const node = graph.nodes[id] as FlowNode;
      const where = formatPath([...at, "nodes", id]);
      const count = (visits.get(id) ?? 0) + 1;
      visits.set(id, count);
      if (node.maxIterations !== undefined && count > node.maxIterations) {
        throw new DuroError("loop_limit", `${where} would run a ${count}th time; its maxIterations is ${node.maxIterations}`, {
          category: "limit",
          details: { node: where, maxIterations: node.maxIterations },
        });
      }
      if (node.bookmark !== undefined) this.ctx.bookmark(node.bookmark);
      const rt = this.runtime(node, id, `${prefix}${id}`, [...at, "nodes", id], scope, previous);
      let next: string | null | undefined;
      try {
        const outcome = await (kindOf(node) as NodeKind).run(node, rt);
        const output =
          node.output === undefined || outcome.unmapped
            ? outcome.output
            : await evaluate(node.output, scope, `${where}.output`, { result: outcome.output }, this.limits);
        scope.nodes[id] = output ?? null;
        previous = output ?? null;
        if (outcome.end) return previous;
        next = outcome.next === undefined ? node.next : outcome.next;
      } catch (error) {
        if (node.onError === undefined || (isDuroError(error) && UNCATCHABLE.has(error.code))) throw error;
        previous = scope.nodes[id] = { error: toErrorInfo(error) };
        next = node.onError;
      }
      current = next ?? undefined;
    }
    return previous;
  }

  private runtime(node: FlowNode, id: string, name: string, path: PathSegment[], scope: Scope, previous: unknown): NodeRuntime {
    const where = formatPath(path);
    const stepOptions: StepOptions = {
      ...(node.retry === undefined ? {} : { retry: node.retry as RetryPolicy }),
      ...(node.timeout === undefined ? {} : { timeout: node.timeout }),
    };
    return {
      ctx: this.ctx,
      id,
      name,
      where,
      path,
      scope,
      stepOptions,
      timeout: node.timeout,
      previous,
      components: this.options.components ?? {},
      http: this.options.http ?? {},
      secret: (secretName) => this.secret(secretName, where),
      value: (value, field, extra, signal) =>
        resolveValue(value, scope, `${where}.${field}`, extra, signal === undefined ? this.limits : { ...this.limits, signal }),
      expression: (text, field) => evaluate(text, scope, `${where}.${field}`, {}, this.limits),
      subflow: (flowId) => this.subflow(flowId, where),
      runGraph: (graph, inner, innerPrefix, innerAt) => this.runGraph(graph, inner, innerPrefix, innerAt),
    };
  }

  private secret(name: string, where: string): string {
    const allowed = this.options.secrets;
    if (allowed !== undefined && !allowed.includes(name)) {
      throw new DuroError(
        "secret_not_declared",
        `${where} reads the secret "${name}", which its pack does not declare; add it to the pack's secrets list (pack.yaml) and sign the pack again`,
        { category: "definition", details: { name, declared: [...allowed] } },
      );
    }
    return this.ctx.secrets.get(name);
  }

  private subflow(id: string, where: string): WorkflowDefinition {
    const doc = this.options.resolveFlow?.(id);
    if (!doc) throw new DuroError("missing_flow", `${where} runs flow "${id}", which is not known`, { category: "definition" });
    // A definition already built for that document (the CLI builds each file's with its own components) wins.
    return built.get(doc)?.[0]?.definition ?? flowWorkflow(doc, this.options);
  }
}

/** The kinds a flow can use, by key. */
export const nodeKinds = (): string[] => NODE_KINDS.map((k) => k.kind);
