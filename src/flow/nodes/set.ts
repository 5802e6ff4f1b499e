// `set`: evaluates values into `vars` (journaled as one step, so a replay sees the same values).
import { isRecord } from "../document.js";
import { type NodeKind, VALUE } from "./kind.js";

export const setNode: NodeKind = {
  kind: "set",
  summary: "Evaluates each value and stores it in `vars`; the output is the object of new values.",
  spec: { type: "object", minProperties: 1, additionalProperties: VALUE },
  async run(node, rt) {
    const values = await rt.ctx.step(rt.name, async (step) => rt.value(node.set, "set", {}, step.signal), {
      ...rt.stepOptions,
      retry: { maxAttempts: 1 },
    });
    if (isRecord(values)) Object.assign(rt.scope.vars, values);
    return { output: values };
  },
};
