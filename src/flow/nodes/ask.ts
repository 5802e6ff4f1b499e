// `ask`: asks a person a question (`duro answer <run> <node> --value …`); the answer is the output.
import { standardSchema } from "../json-schema.js";
import { type NodeKind, VALUE } from "./kind.js";

export const askNode: NodeKind = {
  kind: "ask",
  waits: true,
  summary: "Asks a question (`duro answer <run> <node> --value <json>`); the answer, checked against `choices` or `schema`, is the output.",
  spec: {
    type: "object",
    required: ["prompt"],
    additionalProperties: false,
    properties: {
      prompt: VALUE,
      choices: { type: "array", minItems: 1, items: { type: "string" } },
      allowFreeText: { type: "boolean" },
      schema: { type: ["object", "boolean"], description: "JSON Schema 2020-12 the answer must satisfy" },
    },
  },
  literals: [["ask", "schema"]],
  async run(node, rt) {
    const spec = node.ask as { prompt: unknown; choices?: string[]; allowFreeText?: boolean; schema?: Record<string, unknown> };
    const prompt = String(await rt.value(spec.prompt, "ask.prompt"));
    const answer = await rt.ctx.ask(rt.name, {
      prompt,
      ...(spec.choices ? { choices: spec.choices } : {}),
      ...(spec.allowFreeText === undefined ? {} : { allowFreeText: spec.allowFreeText }),
      ...(spec.schema === undefined ? {} : { schema: standardSchema(spec.schema) }),
      ...(rt.timeout === undefined ? {} : { timeout: rt.timeout }),
    });
    return { output: answer ?? null };
  },
};
