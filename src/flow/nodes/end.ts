// `end`: ends its graph (the run, a map item or a branch); its `output` mapping gives the graph's result.
import type { NodeKind } from "./kind.js";

export const endNode: NodeKind = {
  kind: "end",
  summary: "Ends the graph it is in; with `output:` that is the graph's result, else the previous node's output.",
  spec: { oneOf: [{ const: true }, { type: "object", additionalProperties: false }] },
  async run(_node, rt) {
    return { output: rt.previous, end: true };
  },
};
