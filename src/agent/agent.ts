// `ctx.agent`: the tool-calling loop. Every model turn and every tool call is its own journaled step, so a
// resumed loop replays what was done and continues with the first call that was not completed.
import { DuroError } from "../core/index.js";
import { type Budget, Ledger } from "./budget.js";
import type { AgentRuntime, CallRecord, CallRequest } from "./llm.js";
import { checkStructured } from "./llm.js";
import type { ModelPrice } from "./models.js";
import type { ChatMessage, ToolCall, Usage } from "./provider.js";
import { type AnySchema, formatIssues, jsonSchemaOf } from "./schema.js";
import { checkTool, type PreparedCall, prepareToolCall, runPreparedCall, type Tool, toolSpec } from "./tools.js";

export interface AgentOptions {
  /** `provider:model` */
  model: string;
  system?: string;
  /** The task, sent as the first user message. */
  prompt?: string;
  /** Messages after the system prompt (instead of, or before, `prompt`). */
  messages?: ChatMessage[];
  tools?: Tool[];
  /** Model turns before the loop stops with `limit_exceeded` (or suspends). default 10 */
  maxIterations?: number;
  /** This agent's budget; the run's budget (`ctx.budget`) applies as well. */
  budget?: Budget;
  /** The final answer must be JSON matching this; invalid answers are sent back (`repairs` times). */
  responseSchema?: AnySchema;
  /** default 1 */
  repairs?: number;
  temperature?: number;
  maxTokens?: number;
  prices?: Record<string, ModelPrice>;
  /** Sees each live turn's text as it streams. */
  onToken?: (text: string) => void;
}

export interface AgentResult {
  text: string;
  /** The validated final answer, with `responseSchema`. */
  data?: unknown;
  /** The whole conversation, system prompt first. */
  messages: ChatMessage[];
  iterations: number;
  toolCalls: number;
  usage: Usage;
  costUsd: number;
}

export async function runAgent(runtime: AgentRuntime, name: string, options: AgentOptions): Promise<AgentResult> {
  const tools = options.tools ?? [];
  for (const t of tools) checkTool(t);
  const ledger = new Ledger(`agent ${name}`, {
    ...options.budget,
    maxIterations: options.budget?.maxIterations ?? options.maxIterations ?? 10,
  });
  const messages: ChatMessage[] = [
    ...(options.system ? [{ role: "system" as const, content: options.system }] : []),
    ...(options.messages ?? []),
    ...(options.prompt ? [{ role: "user" as const, content: options.prompt }] : []),
  ];
  if (messages.every((m) => m.role === "system")) {
    throw new DuroError("agent_without_task", `agent "${name}" has nothing to do; give it a prompt or messages`, {
      category: "definition",
    });
  }
  const request: Omit<CallRequest, "messages"> = {
    model: options.model,
    ...(tools.length ? { tools: tools.map(toolSpec) } : {}),
    ...(options.temperature === undefined ? {} : { temperature: options.temperature }),
    ...(options.maxTokens === undefined ? {} : { maxTokens: options.maxTokens }),
    ...(options.prices ? { prices: options.prices } : {}),
    ...(options.onToken ? { onToken: options.onToken } : {}),
    ...(options.responseSchema && !tools.length ? { responseSchema: jsonSchemaOf(options.responseSchema) ?? { type: "object" } } : {}),
  };
  const records: CallRecord[] = [];
  let toolCalls = 0;
  let repairs = 0;
  for (;;) {
    const record = await runtime.call(`${name}/turn`, { ...request, messages: [...messages] }, [ledger], { "gen_ai.agent.name": name });
    records.push(record);
    messages.push(record.message);
    const calls = record.message.toolCalls ?? [];
    if (calls.length > 0) {
      messages.push(...(await runToolCalls(runtime, name, tools, calls)));
      toolCalls += calls.length;
      continue;
    }
    let data: unknown;
    if (options.responseSchema) {
      const checked = await checkStructured(options.responseSchema, record.message.content);
      if (!checked.ok) {
        if (repairs++ >= (options.repairs ?? 1)) {
          throw new DuroError(
            "schema_invalid",
            `the final answer of agent "${name}" does not match its responseSchema: ${formatIssues(checked.issues)}`,
            {
              category: "step",
              details: { agent: name, issues: checked.issues },
            },
          );
        }
        messages.push({
          role: "user",
          content: `Your answer does not match the required JSON Schema: ${formatIssues(checked.issues)}. Answer again with the corrected JSON value only.`,
        });
        continue;
      }
      data = checked.value;
    }
    return {
      text: record.message.content,
      ...(options.responseSchema ? { data } : {}),
      messages,
      iterations: records.length,
      toolCalls,
      usage: {
        inputTokens: records.reduce((n, r) => n + r.usage.inputTokens, 0),
        outputTokens: records.reduce((n, r) => n + r.usage.outputTokens, 0),
      },
      costUsd: records.reduce((n, r) => n + r.costUsd, 0),
    };
  }
}

/**
 * Runs one turn's tool calls in the model's order: tools duro runs one after another, while every external call waits
 * from the moment it is reached, so the host answers a turn's external calls in any order and the loop goes on when
 * all are in. Arguments are validated first (pure), which keeps the durable calls in the same order on every replay.
 */
async function runToolCalls(
  runtime: AgentRuntime,
  name: string,
  tools: readonly Tool[],
  calls: readonly ToolCall[],
): Promise<ChatMessage[]> {
  const prepared: PreparedCall[] = [];
  for (const call of calls) prepared.push(await prepareToolCall(tools, call));
  const replies: Array<Promise<ChatMessage>> = [];
  for (const call of prepared) {
    const reply = runPreparedCall(runtime.ctx, name, call);
    // A rejection is awaited below with the others; this keeps it from being reported as unhandled meanwhile.
    reply.catch(() => undefined);
    replies.push(reply);
    if (!("tool" in call) || !call.tool.external) await reply;
  }
  return Promise.all(replies);
}
