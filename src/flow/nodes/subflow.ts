// `subflow`: runs another flow as a child run (deterministic id, durable wait for its output).
import { type NodeKind, VALUE } from "./kind.js";

export const subflowNode: NodeKind = {
  kind: "subflow",
  summary: "Runs another flow (by id) as a child run with the evaluated `input`; its output is this node's output.",
  spec: {
    type: "object",
    required: ["flow"],
    additionalProperties: false,
    properties: { flow: { type: "string", minLength: 1 }, input: VALUE },
  },
  check(node, env) {
    const id = (node.subflow as { flow?: unknown }).flow;
    if (env.flow && typeof id === "string" && !env.flow(id)) env.problem(["subflow", "flow"], "missing_flow", `flow "${id}" is not known`);
  },
  async run(node, rt) {
    const spec = node.subflow as { flow: string; input?: unknown };
    const input = await rt.value(spec.input ?? {}, "subflow.input");
    return { output: (await rt.ctx.child(rt.name, rt.subflow(spec.flow), input)) ?? null };
  },
};
