// Typed tools for the agent loop. Arguments are validated (JSON Schema or Standard Schema) before the tool
// runs; bad arguments, unknown tools and failed tools go back to the model as a tool error, never a crash.
import {
  type Duration,
  type RetryPolicy,
  type StandardSchemaV1,
  type StepContext,
  StepFailedError,
  toolMock,
  type WorkflowContext,
} from "../core/index.js";
import type { ChatMessage, ToolCall, ToolSpec } from "./provider.js";
import { type AnySchema, formatIssues, type JsonSchema, jsonSchemaOf, validate } from "./schema.js";
import { withSpan } from "./telemetry.js";

type ArgsOf<S> = S extends StandardSchemaV1 ? StandardSchemaV1.InferOutput<S> : Record<string, unknown>;

export interface Tool<S extends AnySchema = AnySchema> {
  name: string;
  description?: string;
  /** The arguments' schema: JSON Schema, or a Standard Schema (zod 4 and others give the model its JSON Schema form). */
  parameters: S;
  /** Runs as its own durable step: a completed call is never repeated; use `step.idempotencyKey` for side effects. */
  run(args: ArgsOf<S>, step: StepContext): unknown;
  /** default: the workflow's step retry policy */
  retry?: RetryPolicy;
  timeout?: Duration;
}

/** Defines a tool, inferring the arguments' type from a Standard Schema. */
export function tool<S extends AnySchema>(definition: Tool<S>): Tool<S> {
  return definition;
}

export function toolSpec(t: Tool): ToolSpec {
  const parameters: JsonSchema = jsonSchemaOf(t.parameters) ?? { type: "object" };
  return { name: t.name, ...(t.description ? { description: t.description } : {}), parameters };
}

/** Runs one tool call the model made and returns the tool message to send back. */
export async function runToolCall(ctx: WorkflowContext, agent: string, tools: readonly Tool[], call: ToolCall): Promise<ChatMessage> {
  const reply = (content: string, isError = false): ChatMessage => ({
    role: "tool",
    toolCallId: call.id,
    name: call.name,
    content,
    ...(isError ? { isError: true } : {}),
  });
  const found = tools.find((t) => t.name === call.name);
  if (!found)
    return reply(`error: there is no tool "${call.name}"; the tools are ${tools.map((t) => t.name).join(", ") || "(none)"}`, true);
  let args: unknown;
  try {
    args = JSON.parse(call.arguments || "{}");
  } catch (error) {
    return reply(`error: the arguments are not valid JSON (${(error as Error).message}); call ${call.name} again with a JSON object`, true);
  }
  const checked = await validate(found.parameters, args);
  if (!checked.ok)
    return reply(
      `error: invalid arguments for ${call.name}: ${formatIssues(checked.issues)}; call it again with corrected arguments`,
      true,
    );
  try {
    const result = await ctx.step(
      `${agent}/tool:${found.name}`,
      (step) =>
        withSpan(
          `execute_tool ${found.name}`,
          {
            "gen_ai.operation.name": "execute_tool",
            "gen_ai.tool.name": found.name,
            "gen_ai.tool.call.id": call.id,
            "duro.run_id": ctx.runId,
          },
          async () => {
            const mock = toolMock(ctx, found.name);
            return (await (mock ? mock(checked.value) : found.run(checked.value as never, step))) ?? null;
          },
        ),
      { ...(found.retry ? { retry: found.retry } : {}), ...(found.timeout === undefined ? {} : { timeout: found.timeout }) },
    );
    return reply(typeof result === "string" ? result : JSON.stringify(result));
  } catch (error) {
    if (error instanceof StepFailedError) return reply(`error: ${found.name} failed: ${error.stepError.message}`, true);
    throw error;
  }
}
