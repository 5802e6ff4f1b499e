// `parallel`: runs named branches (nested graphs) at once and joins them; the output maps each branch to
// its result. A failing branch fails the node, after the other branches have finished.
import type { FlowGraph, FlowNode } from "../document.js";
import { isRecord } from "../document.js";
import { GRAPH, type NodeKind } from "./kind.js";
import { childScope, settleAll } from "./scope.js";

export const parallelNode: NodeKind = {
  kind: "parallel",
  summary: "Runs its branches (each a graph of nodes) concurrently and joins them; the output is `{ <branch>: <result> }`.",
  spec: {
    type: "object",
    required: ["branches"],
    additionalProperties: false,
    properties: { branches: { type: "object", minProperties: 1, additionalProperties: GRAPH } },
  },
  graphs: (node) => Object.entries(branches(node)).map(([name, graph]) => ({ path: ["parallel", "branches", name], graph })),
  async run(node, rt) {
    const entries = Object.entries(branches(node));
    const results = await settleAll(
      entries.map(
        ([name, graph]) =>
          () =>
            rt.runGraph(graph, childScope(rt.scope), `${rt.name}.${name}.`, [...rt.path, "parallel", "branches", name]),
      ),
    );
    return { output: Object.fromEntries(entries.map(([name], i) => [name, results[i]])) };
  },
};

function branches(node: FlowNode): Record<string, FlowGraph> {
  const spec = node.parallel;
  return isRecord(spec) && isRecord(spec.branches) ? (spec.branches as Record<string, FlowGraph>) : {};
}
