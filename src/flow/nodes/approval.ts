// `approval`: waits for a person's decision (`duro approve <run> <gate>`); `onReject` routes a rejection.
import { NODE_ID, type NodeKind, VALUE } from "./kind.js";

export const approvalNode: NodeKind = {
  kind: "approval",
  waits: true,
  summary:
    "Waits for an approval (`duro approve <run> <node>`); the output is the decision `{ action, by, comment }`; a rejection goes to `onReject` when given.",
  spec: {
    type: "object",
    additionalProperties: false,
    properties: {
      summary: VALUE,
      gates: { type: "array", minItems: 1, uniqueItems: true, items: { type: "string", minLength: 1 } },
      onReject: NODE_ID,
    },
  },
  targets: (node) => [{ path: ["approval", "onReject"], id: (node.approval as { onReject?: string } | undefined)?.onReject }],
  async run(node, rt) {
    const spec = (node.approval ?? {}) as { summary?: unknown; gates?: string[]; onReject?: string };
    const summary = spec.summary === undefined ? undefined : String(await rt.value(spec.summary, "approval.summary"));
    const decision = await rt.ctx.approval(rt.name, {
      ...(summary === undefined ? {} : { summary }),
      ...(spec.gates ? { gates: spec.gates } : {}),
      ...(rt.timeout === undefined ? {} : { timeout: rt.timeout }),
    });
    if (decision.action !== "approve" && spec.onReject !== undefined) return { output: decision, next: spec.onReject };
    return { output: decision };
  },
};
