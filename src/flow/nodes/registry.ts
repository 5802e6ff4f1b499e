// Every node kind, once. A new kind (the agent toolkit's `llm`, `agent`) is one file and one line here.
import { agentNode } from "./agent.js";
import { approvalNode } from "./approval.js";
import { askNode } from "./ask.js";
import { callNode } from "./call.js";
import { emitNode } from "./emit.js";
import { endNode } from "./end.js";
import { failNode } from "./fail.js";
import { httpNode } from "./http.js";
import type { NodeKind } from "./kind.js";
import { llmNode } from "./llm.js";
import { mapNode } from "./map.js";
import { parallelNode } from "./parallel.js";
import { setNode } from "./set.js";
import { subflowNode } from "./subflow.js";
import { switchNode } from "./switch.js";
import { validateNode } from "./validate.js";
import { waitNode } from "./wait.js";

export const NODE_KINDS: readonly NodeKind[] = [
  callNode,
  httpNode,
  setNode,
  switchNode,
  parallelNode,
  mapNode,
  waitNode,
  approvalNode,
  askNode,
  subflowNode,
  validateNode,
  failNode,
  endNode,
  emitNode,
  llmNode,
  agentNode,
];

const byKind = new Map(NODE_KINDS.map((k) => [k.kind, k]));

/** The kind registered under `kind`, if any. */
export function nodeKind(kind: string): NodeKind | undefined {
  return byKind.get(kind);
}
