// Declarative flows: parse and check documents, and turn them into workflows the engine runs.
export { type CheckOptions, checkFlow } from "./check.js";
export type { FlowDocument, FlowGraph, FlowNode, FlowProblem, JsonSchema } from "./document.js";
export { flowInvalid, problemLocation } from "./document.js";
export type { Scope } from "./expression.js";
export { DEFAULT_EXPRESSION_LIMITS, type ExpressionLimits } from "./expression-budget.js";
export { type FlowWorkflowOptions, flowDocumentOf, flowWorkflow, flowWorkflows, nodeKinds, subflowIds } from "./interpreter.js";
export { checkTarget, isSpecialAddress, type NetworkPolicy, netGrantProblem } from "./network.js";
export { DEFAULT_MAX_RESPONSE_BYTES, type HttpLimits } from "./nodes/http.js";
export type { NodeKind, NodeOutcome, NodeRuntime } from "./nodes/kind.js";
export { NODE_KINDS } from "./nodes/registry.js";
export { type Analysis, analyzeFlow, type ParseOptions, parseFlow, peekFlow } from "./parse.js";
export { flowJsonSchema } from "./schema.js";
export { parseSchemaText, type SchemaFiles } from "./schema-refs.js";
export { MAX_YAML_ALIASES, yamlValue } from "./yaml-value.js";
