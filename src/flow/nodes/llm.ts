// `llm`: one durable model call (`ctx.llm`): journaled once with its reply and usage, never paid twice; with
// `responseSchema` the reply must be JSON matching it (invalid replies are repaired, then `schema_invalid`).
import type { Budget, ChatMessage } from "../../agent/index.js";
import { type Duration, DuroError, type RetryPolicy } from "../../core/index.js";
import type { FlowNode, JsonSchema } from "../document.js";
import { type NodeKind, type NodeRuntime, VALUE } from "./kind.js";

const NUMBER_OR_EXPRESSION = (schema: JsonSchema): JsonSchema => ({ anyOf: [schema, { type: "string", pattern: "^=" }] });

/** A budget (`ctx.budget` / an agent's or call's budget): literal limits, or "=expressions". */
export const BUDGET: JsonSchema = {
  type: "object",
  additionalProperties: false,
  description: "limits on model calls; reaching one fails with limit_exceeded, or suspends until `duro limits raise`",
  properties: {
    maxIterations: NUMBER_OR_EXPRESSION({ type: "integer", minimum: 1 }),
    maxTokens: NUMBER_OR_EXPRESSION({ type: "integer", minimum: 1 }),
    maxCostUsd: NUMBER_OR_EXPRESSION({ type: "number", exclusiveMinimum: 0 }),
    maxWallTime: { type: ["string", "number"], description: 'milliseconds, or "30s", "5m", "1h"' },
    warnAt: { type: "number", exclusiveMinimum: 0, maximum: 1, default: 0.8 },
    onExceed: { enum: ["fail", "suspend"], default: "fail" },
  },
};

/** The fields `llm` and `agent` share. */
export const MODEL_FIELDS: Record<string, JsonSchema> = {
  model: {
    type: "string",
    minLength: 1,
    description: "`provider:model` (openai:gpt-4o-mini, anthropic:claude-haiku-4-5); bare names are openai",
  },
  system: { type: "string", description: "the system prompt (a value: may be an =expression)" },
  prompt: { type: "string", description: "the user message (a value: may be an =expression)" },
  messages: {
    description: "messages after the system prompt, [{ role: user|assistant, content }], or an =expression giving them",
    anyOf: [
      {
        type: "array",
        items: {
          type: "object",
          required: ["role", "content"],
          additionalProperties: false,
          properties: { role: { enum: ["user", "assistant"] }, content: VALUE },
        },
      },
      { type: "string", pattern: "^=" },
    ],
  },
  responseSchema: { type: ["object", "boolean"], description: "JSON Schema 2020-12 the reply must match; the output is the parsed value" },
  repairs: { type: "integer", minimum: 0, default: 1, description: "calls that show the model its invalid reply's errors" },
  temperature: NUMBER_OR_EXPRESSION({ type: "number", minimum: 0 }),
  maxTokens: NUMBER_OR_EXPRESSION({ type: "integer", minimum: 1 }),
  budget: BUDGET,
};

/** Either a prompt or messages. */
export const NEEDS_TASK: JsonSchema[] = [{ required: ["prompt"] }, { required: ["messages"] }];

interface ModelSpec {
  model: string;
  system?: string;
  prompt?: string;
  messages?: unknown;
  responseSchema?: Record<string, unknown> | boolean;
  repairs?: number;
  temperature?: unknown;
  maxTokens?: unknown;
  budget?: unknown;
}

/** The evaluated model fields of `kind`'s spec (the responseSchema stays literal). */
export async function modelOptions(node: FlowNode, kind: string, rt: NodeRuntime) {
  const spec = node[kind] as ModelSpec;
  const at = (field: keyof ModelSpec) => (spec[field] === undefined ? undefined : rt.value(spec[field], `${kind}.${field}`));
  const [model, system, prompt, messages, temperature, maxTokens, budget] = await Promise.all(
    (["model", "system", "prompt", "messages", "temperature", "maxTokens", "budget"] as const).map(at),
  );
  if (messages !== undefined && !Array.isArray(messages)) {
    throw new DuroError("bad_messages", `${rt.where}.${kind}.messages must give a list of { role, content }, not ${typeof messages}`, {
      category: "step",
      retryable: false,
    });
  }
  return {
    model: String(model),
    ...(system === undefined || system === null ? {} : { system: String(system) }),
    ...(prompt === undefined || prompt === null ? {} : { prompt: String(prompt) }),
    ...(Array.isArray(messages) ? { messages: messages as ChatMessage[] } : {}),
    ...(spec.responseSchema === undefined ? {} : { responseSchema: schemaObject(spec.responseSchema) }),
    ...(spec.repairs === undefined ? {} : { repairs: spec.repairs }),
    ...(typeof temperature === "number" ? { temperature } : {}),
    ...(typeof maxTokens === "number" ? { maxTokens } : {}),
    ...(budget ? { budget: budget as Budget } : {}),
    // The node's retry and timeout apply to each model call.
    ...(node.retry === undefined ? {} : { retry: node.retry as RetryPolicy }),
    ...(node.timeout === undefined ? {} : { timeout: node.timeout as Duration }),
  };
}

function schemaObject(schema: Record<string, unknown> | boolean): Record<string, unknown> {
  return schema === true ? {} : schema === false ? { not: {} } : schema;
}

export const llmNode: NodeKind = {
  kind: "llm",
  summary:
    "One durable model call (`ctx.llm`) with `prompt` or `messages`; the output is the reply's text, or the validated JSON value with `responseSchema`.",
  spec: {
    type: "object",
    required: ["model"],
    anyOf: NEEDS_TASK,
    additionalProperties: false,
    properties: MODEL_FIELDS,
  },
  literals: [["llm", "responseSchema"]],
  async run(node, rt) {
    const { system, prompt, messages, ...options } = await modelOptions(node, "llm", rt);
    const result = await rt.ctx.llm(rt.name, {
      ...options,
      messages: [
        ...(system === undefined ? [] : [{ role: "system" as const, content: system }]),
        ...(messages ?? []),
        ...(prompt === undefined ? [] : [{ role: "user" as const, content: prompt }]),
      ],
    });
    return { output: options.responseSchema === undefined ? result.text : (result.data ?? null) };
  },
};
