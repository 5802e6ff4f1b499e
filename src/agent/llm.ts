// `ctx.llm`: one durable step per model call. A completed call is journaled with its reply, usage and cost
// and is never sent again; the history it sent is stored once, content-addressed (see conversation.ts).
// Structured output is validated against `responseSchema`, with repair calls that show the model its errors.
import { type ContextServices, type Duration, DuroError, type RetryPolicy, type WorkflowContext } from "../core/index.js";
import { type Budget, Ledger } from "./budget.js";
import type { ConversationStore } from "./conversation.js";
import { meteredStep } from "./metered.js";
import { costOf, type ModelPrice, resolveModel } from "./models.js";
import type { AssistantMessage, ChatMessage, ChatRequest, ToolCall, ToolSpec, Usage } from "./provider.js";
import { type AnySchema, formatIssues, jsonSchemaOf, type SchemaIssue, validate } from "./schema.js";

export interface LlmOptions {
  /** `provider:model`, e.g. `openai:gpt-4o-mini`, `anthropic:claude-haiku-4-5`. */
  model: string;
  messages: ChatMessage[];
  /** Tools the model may call (this call only reports the calls; `ctx.agent` runs them). */
  tools?: ToolSpec[];
  /** JSON Schema 2020-12 or Standard Schema the reply (JSON) must satisfy; the result's `data` is the parsed value. */
  responseSchema?: AnySchema;
  temperature?: number;
  maxTokens?: number;
  /** Repair calls after an invalid structured reply. default 1 */
  repairs?: number;
  /** Retry policy of each call. default 5 attempts from 1s doubling (Retry-After honoured) */
  retry?: RetryPolicy;
  /** One attempt may take this long. default 120s (the provider's HTTP timeout) */
  timeout?: Duration;
  /** Price overrides per model for this call. */
  prices?: Record<string, ModelPrice>;
  /** Budget of this call and its repairs (the run's budget applies too). */
  budget?: Budget;
  /** Sees the reply's text as it streams, on live calls only (a replayed call has nothing to stream). */
  onToken?: (text: string) => void;
}

export interface LlmResult {
  message: AssistantMessage;
  text: string;
  toolCalls: ToolCall[];
  /** The validated structured reply, with `responseSchema`. */
  data?: unknown;
  usage: Usage;
  costUsd: number;
  /** Model calls made (1 plus repairs). */
  calls: number;
}

/** What one model call journals as its step result. */
export interface CallRecord {
  message: AssistantMessage;
  usage: Usage;
  costUsd: number;
  model: string;
  finishReason: string;
  /** Head hash of the conversation that was sent (see loadConversation). */
  conversation: string | null;
}

/** A model call as the toolkit journals it: the provider's request (with `model` still `provider:name`), less its signal. */
export interface CallRequest extends Omit<ChatRequest, "signal"> {
  retry?: RetryPolicy;
  timeout?: Duration;
  prices?: Record<string, ModelPrice>;
}

const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 5, initialDelay: "1s", backoffFactor: 2, maxDelay: "1m" };

/** Per-invocation state of the toolkit: the run's ledger and the conversation store. */
export class AgentRuntime {
  readonly run = new Ledger("run");

  constructor(
    readonly ctx: WorkflowContext,
    private readonly conversations: ConversationStore,
    /** The run's artifact store (phase artifacts). */
    readonly services: ContextServices,
  ) {}

  /** One durable model call under the given ledgers (the run's is always included). */
  call(name: string, request: CallRequest, ledgers: Ledger[] = [], attributes: Record<string, string> = {}): Promise<CallRecord> {
    const { provider, providerName, model } = resolveModel(request.model);
    return meteredStep<CallRecord>(
      this.ctx,
      {
        name,
        model: request.model,
        system: provider.system,
        providerName,
        requestModel: model,
        ledgers: [this.run, ...ledgers],
        attributes: { ...attributes, ...requestAttributes(request) },
        retry: request.retry ?? DEFAULT_RETRY,
        ...(request.timeout === undefined ? {} : { timeout: request.timeout }),
      },
      async (step) => {
        const conversation = await this.conversations.put(request.messages);
        const response = await provider.chat({
          model,
          messages: request.messages,
          signal: step.signal,
          ...(request.tools?.length ? { tools: request.tools } : {}),
          ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
          ...(request.maxTokens === undefined ? {} : { maxTokens: request.maxTokens }),
          ...(request.responseSchema ? { responseSchema: request.responseSchema } : {}),
          ...(request.onToken ? { onToken: request.onToken } : {}),
        });
        const record: CallRecord = {
          message: response.message,
          usage: response.usage,
          costUsd: costOf(request.model, response.usage, request.prices),
          model: response.model,
          finishReason: response.finishReason,
          conversation,
        };
        return { record, responseModel: response.model, finishReason: response.finishReason };
      },
    );
  }

  /** `ctx.llm`: a model call with optional structured output and repairs. */
  async llm(name: string, options: LlmOptions): Promise<LlmResult> {
    const ledgers = options.budget ? [new Ledger(`llm ${name}`, options.budget)] : [];
    const schema = options.responseSchema;
    const request: CallRequest = {
      model: options.model,
      messages: options.messages,
      ...pick(options, ["tools", "temperature", "maxTokens", "retry", "timeout", "prices", "onToken"]),
      ...(schema ? { responseSchema: jsonSchemaOf(schema) ?? { type: "object" } } : {}),
    };
    const records = [await this.call(name, request, ledgers)];
    let data: unknown;
    if (schema) {
      let messages = options.messages;
      for (let repair = 0; ; repair++) {
        const last = records.at(-1) as CallRecord;
        const checked = await checkStructured(schema, last.message.content);
        if (checked.ok) {
          data = checked.value;
          break;
        }
        if (repair >= (options.repairs ?? 1)) throw schemaInvalid(name, checked.issues, records.length);
        messages = [...messages, last.message, { role: "user", content: repairPrompt(checked.issues) }];
        records.push(await this.call(`${name}/repair`, { ...request, messages }, ledgers));
      }
    }
    const last = records.at(-1) as CallRecord;
    return {
      message: last.message,
      text: last.message.content,
      toolCalls: last.message.toolCalls ?? [],
      ...(schema ? { data } : {}),
      usage: {
        inputTokens: sum(records, (r) => r.usage.inputTokens),
        outputTokens: sum(records, (r) => r.usage.outputTokens),
      },
      costUsd: sum(records, (r) => r.costUsd),
      calls: records.length,
    };
  }
}

/** Parses a reply as JSON (tolerating a ```json fence) and validates it. */
export async function checkStructured(schema: AnySchema, text: string) {
  const body = text.trim().replace(/^```(?:json)?\s*([\s\S]*?)\s*```$/, "$1");
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (error) {
    return { ok: false as const, issues: [{ path: "/", message: `the reply is not JSON (${(error as Error).message})` }] };
  }
  return validate(schema, value);
}

function repairPrompt(issues: SchemaIssue[]): string {
  return `Your reply does not match the required JSON Schema: ${formatIssues(issues)}. Reply again with the corrected JSON value only.`;
}

function schemaInvalid(name: string, issues: SchemaIssue[], calls: number): DuroError {
  return new DuroError(
    "schema_invalid",
    `the reply of "${name}" does not match its responseSchema after ${calls} call(s): ${formatIssues(issues)}`,
    {
      category: "step",
      details: { call: name, issues, calls },
    },
  );
}

function requestAttributes(request: CallRequest): Record<string, number> {
  return {
    ...(request.temperature === undefined ? {} : { "gen_ai.request.temperature": request.temperature }),
    ...(request.maxTokens === undefined ? {} : { "gen_ai.request.max_tokens": request.maxTokens }),
  };
}

function sum<T>(items: T[], of: (item: T) => number): number {
  return items.reduce((total, item) => total + of(item), 0);
}

function pick<T extends object, K extends keyof T>(value: T, keys: K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const key of keys) if (value[key] !== undefined) out[key] = value[key];
  return out;
}
