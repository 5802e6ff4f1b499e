// `fail`: ends the run as failed with a code and message the flow chooses.
import { DuroError } from "../../core/index.js";
import { type NodeKind, VALUE } from "./kind.js";

export const failNode: NodeKind = {
  kind: "fail",
  summary: "Fails the run with `code` (default `flow_failed`) and the evaluated `message`.",
  spec: {
    type: "object",
    required: ["message"],
    additionalProperties: false,
    properties: { code: { type: "string", pattern: "^[a-z][a-z0-9_]*$" }, message: VALUE, details: VALUE },
  },
  async run(node, rt) {
    const spec = node.fail as { code?: string; message: unknown; details?: unknown };
    const message = String(await rt.value(spec.message, "fail.message"));
    const details = spec.details === undefined ? undefined : await rt.value(spec.details, "fail.details");
    throw new DuroError(spec.code ?? "flow_failed", message, {
      category: "step",
      retryable: false,
      details: { node: rt.where, ...(details === undefined ? {} : { data: details }) },
    });
  },
};
