// `switch`: the first case whose `when` holds picks the next node; none: the node's `next` (or the end).
// The choice is journaled, so a replay takes the same branch.
import type { FlowNode } from "../document.js";
import { EXPRESSION, NODE_ID, type NodeKind } from "./kind.js";

interface Case {
  when: string;
  next: string;
}

export const switchNode: NodeKind = {
  kind: "switch",
  summary: "Goes to the `next` of the first case whose `when` expression is true, else to the node's own `next`.",
  spec: {
    type: "array",
    minItems: 1,
    items: {
      type: "object",
      required: ["when", "next"],
      additionalProperties: false,
      properties: { when: EXPRESSION, next: NODE_ID },
    },
  },
  targets: (node) => cases(node).map((c, i) => ({ path: ["switch", i, "next"], id: c?.next })),
  expressions: (node) => cases(node).map((c, i) => ({ path: ["switch", i, "when"], text: c?.when })),
  async run(node, rt) {
    const chosen = await rt.ctx.step(
      rt.name,
      async () => {
        const list = cases(node);
        for (const [i, c] of list.entries()) {
          if (truthy(await rt.expression(c.when, `switch[${i}].when`))) return { case: i, next: c.next };
        }
        return { case: null, next: node.next ?? null };
      },
      { retry: { maxAttempts: 1 } },
    );
    return { output: chosen, next: chosen.next };
  },
};

function cases(node: FlowNode): Case[] {
  return Array.isArray(node.switch) ? (node.switch as Case[]) : [];
}

/** JSONata's notion of true: not false, null, 0, "", an empty list or nothing. */
export function truthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(truthy);
  return value !== undefined && value !== null && value !== false && value !== 0 && value !== "";
}
