// `emit`: records a domain event (`ctx.emit`) with a name and data; it never affects replay, so it is no step.
import { type NodeKind, VALUE } from "./kind.js";

export const emitNode: NodeKind = {
  kind: "emit",
  summary: "Records a domain event in the journal (name and data) for readers of the run; the output is the data.",
  spec: {
    type: "object",
    required: ["name"],
    additionalProperties: false,
    properties: { name: { type: "string", minLength: 1, description: "the event's name, e.g. order.shipped" }, data: VALUE },
  },
  async run(node, rt) {
    const spec = node.emit as { name: string; data?: unknown };
    // Expressions see only journaled values, so the data is the same on every replay that reaches this node.
    const data = spec.data === undefined ? null : await rt.value(spec.data, "emit.data");
    rt.ctx.emit(spec.name, data);
    return { output: data };
  },
};
