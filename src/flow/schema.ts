// The JSON Schema of flow documents, built from the node-kind registry: `flowJsonSchema()` is what
// schemas/flow.schema.json publishes for editors; loading validates each node against its kind's part.
import type { JsonSchema } from "./document.js";
import type { NodeKind } from "./nodes/kind.js";
import { BUDGET } from "./nodes/llm.js";
import { NODE_KINDS } from "./nodes/registry.js";

const DURATION: JsonSchema = { type: ["string", "number"], description: 'milliseconds, or "250ms", "30s", "5m", "1h30m", "7d"' };

/** Properties every node has, whatever its kind. */
export const COMMON_NODE_PROPERTIES: Record<string, JsonSchema> = {
  description: { type: "string" },
  next: { type: "string", minLength: 1, description: "the node to run next (in the same graph); none ends the graph" },
  onError: { type: "string", minLength: 1, description: "on failure go to this node; the error is in nodes.<id>.error" },
  output: { type: "string", minLength: 1, description: "JSONata over the scope and $result; becomes nodes.<id>" },
  retry: {
    type: "object",
    additionalProperties: false,
    properties: {
      maxAttempts: { type: "integer", minimum: 1 },
      initialDelay: DURATION,
      backoffFactor: { type: "number", minimum: 1 },
      maxDelay: DURATION,
    },
  },
  timeout: DURATION,
  maxIterations: { type: "integer", minimum: 1, description: "required on a node of every loop" },
  bookmark: {
    type: "string",
    minLength: 1,
    description: "journals a bookmark of this name when the node is reached (a journal position a fork can start after)",
  },
};

const ID_PATTERN = "^[A-Za-z_][A-Za-z0-9_-]*$";

/** The schema of one node of `kind`: its key, its extra properties and the common ones, nothing else. */
export function nodeSchema(kind: NodeKind): Record<string, unknown> {
  return {
    title: kind.kind,
    description: kind.summary,
    type: "object",
    required: [kind.kind],
    additionalProperties: false,
    properties: { [kind.kind]: kind.spec, ...kind.props, ...COMMON_NODE_PROPERTIES },
  };
}

function graphSchema(node: JsonSchema): Record<string, unknown> {
  return {
    type: "object",
    required: ["nodes"],
    additionalProperties: false,
    properties: {
      entry: { type: "string", minLength: 1 },
      nodes: { type: "object", minProperties: 1, propertyNames: { pattern: ID_PATTERN }, additionalProperties: node },
    },
  };
}

/** Validates one node of `kind`, leaving nested graphs' nodes to their own check (so each gets its own path). */
export function shallowNodeSchema(kind: NodeKind): Record<string, unknown> {
  return { $defs: { graph: graphSchema({ type: "object" }), node: { type: "object" } }, ...nodeSchema(kind) };
}

/** The top level of a document; nodes are checked one by one with `shallowNodeSchema`. */
export function documentSchema(node: JsonSchema = { type: "object" }): Record<string, unknown> {
  return {
    type: "object",
    required: ["id", "nodes"],
    additionalProperties: false,
    properties: {
      $schema: { type: "string" },
      id: { type: "string", pattern: "^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,127}$", description: "the flow's name (its workflow name)" },
      version: { type: "string" },
      description: { type: "string" },
      input: { type: ["object", "boolean"], description: "JSON Schema 2020-12 of the run's input" },
      output: { type: "string", minLength: 1, description: "JSONata giving the run's output; default: the last node's output" },
      entry: { type: "string", minLength: 1, description: "the first node; default: the first one listed" },
      components: {
        description: "modules whose exports are the components `call` nodes use, relative to this file (duro run flow.yaml)",
        oneOf: [{ type: "string" }, { type: "array", items: { type: "string" } }],
      },
      nodes: { type: "object", minProperties: 1, propertyNames: { pattern: ID_PATTERN }, additionalProperties: node },
      budget: { ...(BUDGET as object), description: "the run's budget for `llm` and `agent` nodes (ctx.budget)" },
      timeout: {
        ...(DURATION as object),
        description: 'the whole run must end within this ("10m"); past it the run fails with run_timeout',
      },
    },
  };
}

/** The complete schema for editors: every node kind, nested graphs included. */
export function flowJsonSchema(): Record<string, unknown> {
  const node = { $ref: "#/$defs/node" };
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    $id: "https://duro.dev/schemas/flow.schema.json",
    title: "duro flow document",
    ...documentSchema(node),
    $defs: {
      graph: graphSchema(node),
      node: { oneOf: NODE_KINDS.map(nodeSchema) },
    },
  };
}
