// Typed tools for the agent loop. Arguments are validated (JSON Schema or Standard Schema) before the tool
// runs; bad arguments, unknown tools and failed tools go back to the model as a tool error, never a crash.
import {
  type Duration,
  DuroError,
  type RetryPolicy,
  type StandardSchemaV1,
  type StepContext,
  StepFailedError,
  toolMock,
  WaitTimeoutError,
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
  /**
   * Runs as its own durable step: a completed call is never repeated; use `step.idempotencyKey` for side effects.
   * Leave it out for an `external` tool.
   */
  run?(args: ArgsOf<S>, step: StepContext): unknown;
  /**
   * The host runs this tool, not duro: a call is journaled as a wait (kind "tool") and the run suspends until the host
   * posts the outcome (`duro tools result`, `POST /v1/runs/{id}/tool-calls/{callId}`). A tool mock still answers it. default false
   */
  external?: boolean;
  /** External tools: without an outcome by then, the call goes back to the model as a tool error. default: no timeout */
  externalTimeout?: Duration;
  /** default: the workflow's step retry policy */
  retry?: RetryPolicy;
  timeout?: Duration;
}

/** Defines a tool, inferring the arguments' type from a Standard Schema. */
export function tool<S extends AnySchema>(definition: Tool<S>): Tool<S> {
  checkTool(definition as Tool);
  return definition;
}

/** `tool_without_run` for a tool that has no `run` and is not external (a plain object skips `tool()`). */
export function checkTool(definition: Tool): void {
  if (typeof definition.run === "function" || definition.external === true) return;
  throw new DuroError(
    "tool_without_run",
    `tool "${definition.name}" has no run function; give it one, or declare it \`external: true\` for a tool the host runs`,
    { category: "definition", details: { tool: definition.name } },
  );
}

export function toolSpec(t: Tool): ToolSpec {
  const parameters: JsonSchema = jsonSchemaOf(t.parameters) ?? { type: "object" };
  return { name: t.name, ...(t.description ? { description: t.description } : {}), parameters };
}

/** A call ready to run: its tool and validated arguments, or the tool message that refuses it. */
export type PreparedCall = { call: ToolCall; tool: Tool; args: unknown } | { call: ToolCall; refused: ChatMessage };

function toolReply(call: ToolCall, content: string, isError = false): ChatMessage {
  return { role: "tool", toolCallId: call.id, name: call.name, content, ...(isError ? { isError: true } : {}) };
}

/** Finds the tool a call names and validates its arguments; pure, so a turn's calls may all be prepared first. */
export async function prepareToolCall(tools: readonly Tool[], call: ToolCall): Promise<PreparedCall> {
  const refuse = (content: string) => ({ call, refused: toolReply(call, content, true) });
  const found = tools.find((t) => t.name === call.name);
  if (!found) return refuse(`error: there is no tool "${call.name}"; the tools are ${tools.map((t) => t.name).join(", ") || "(none)"}`);
  let args: unknown;
  try {
    args = JSON.parse(call.arguments || "{}");
  } catch (error) {
    return refuse(`error: the arguments are not valid JSON (${(error as Error).message}); call ${call.name} again with a JSON object`);
  }
  const checked = await validate(found.parameters, args);
  if (!checked.ok)
    return refuse(`error: invalid arguments for ${call.name}: ${formatIssues(checked.issues)}; call it again with corrected arguments`);
  return { call, tool: found, args: checked.value };
}

/**
 * Runs a prepared call and returns the tool message to send back. An external tool's wait is journaled at once (this
 * call is synchronous up to it), so a turn's external calls all wait together when their promises are awaited later.
 */
export function runPreparedCall(ctx: WorkflowContext, agent: string, prepared: PreparedCall): Promise<ChatMessage> {
  if ("refused" in prepared) return Promise.resolve(prepared.refused);
  const { call, tool: found, args } = prepared;
  if (found.external && !toolMock(ctx, found.name)) return awaitExternal(ctx, agent, prepared);
  return runStep(ctx, agent, call, found, args);
}

async function awaitExternal(
  ctx: WorkflowContext,
  agent: string,
  { call, tool: found, args }: { call: ToolCall; tool: Tool; args: unknown },
) {
  const pending = ctx.externalTool(`${agent}/tool:${found.name}`, {
    tool: found.name,
    callId: call.id,
    args,
    ...(found.externalTimeout === undefined ? {} : { timeout: found.externalTimeout }),
  });
  try {
    const outcome = await pending;
    if ("error" in outcome) return toolReply(call, `error: ${found.name} failed: ${outcome.error}`, true);
    return toolReply(call, typeof outcome.result === "string" ? outcome.result : JSON.stringify(outcome.result));
  } catch (error) {
    if (error instanceof WaitTimeoutError) return toolReply(call, `error: ${found.name} got no result from the host in time`, true);
    throw error;
  }
}

async function runStep(ctx: WorkflowContext, agent: string, call: ToolCall, found: Tool, args: unknown): Promise<ChatMessage> {
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
            return (await (mock ? mock(args) : (found.run as NonNullable<Tool["run"]>)(args as never, step))) ?? null;
          },
        ),
      { ...(found.retry ? { retry: found.retry } : {}), ...(found.timeout === undefined ? {} : { timeout: found.timeout }) },
    );
    return toolReply(call, typeof result === "string" ? result : JSON.stringify(result));
  } catch (error) {
    if (error instanceof StepFailedError) return toolReply(call, `error: ${found.name} failed: ${error.stepError.message}`, true);
    throw error;
  }
}

/** Runs one tool call the model made and returns the tool message to send back. */
export async function runToolCall(ctx: WorkflowContext, agent: string, tools: readonly Tool[], call: ToolCall): Promise<ChatMessage> {
  return runPreparedCall(ctx, agent, await prepareToolCall(tools, call));
}
