// `validate`: checks a value against a JSON Schema (2020-12); invalid fails the node, or goes to `onInvalid`.
import { DuroError } from "../../core/index.js";
import type { JsonSchema } from "../document.js";
import { schemaIssues } from "../json-schema.js";
import { NODE_ID, type NodeKind, VALUE } from "./kind.js";

interface ValidateSpec {
  value: unknown;
  schema: JsonSchema;
  onInvalid?: string;
}

export const validateNode: NodeKind = {
  kind: "validate",
  summary:
    "Checks `value` against `schema` (JSON Schema 2020-12); valid: the output is the value; invalid: goes to `onInvalid` (output `{ valid: false, issues }`, not mapped) or fails with `validation_failed`.",
  spec: {
    type: "object",
    required: ["value", "schema"],
    additionalProperties: false,
    properties: { value: VALUE, schema: { type: ["object", "boolean"] }, onInvalid: NODE_ID },
  },
  literals: [["validate", "schema"]],
  targets: (node) => [{ path: ["validate", "onInvalid"], id: (node.validate as { onInvalid?: string } | undefined)?.onInvalid }],
  async run(node, rt) {
    const spec = node.validate as ValidateSpec;
    const result = await rt.ctx.step(
      rt.name,
      async (step) => {
        const value = (await rt.value(spec.value, "validate.value", {}, step.signal)) ?? null;
        const issues = schemaIssues(spec.schema, value);
        return issues.length === 0 ? { valid: true as const, value } : { valid: false as const, issues };
      },
      { retry: { maxAttempts: 1 } },
    );
    if (result.valid) return { output: result.value };
    if (spec.onInvalid !== undefined) return { output: result, next: spec.onInvalid, unmapped: true };
    const list = result.issues.map((i) => `${i.path || "(value)"} ${i.message}`).join("; ");
    throw new DuroError("validation_failed", `${rt.where}: the value does not match its schema: ${list}`, {
      category: "step",
      retryable: false,
      details: { issues: result.issues },
    });
  },
};
