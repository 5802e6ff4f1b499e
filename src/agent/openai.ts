// OpenAI-compatible Chat Completions (`POST <baseUrl>/chat/completions`): OpenAI itself and local servers
// that speak the same protocol (llama.cpp, vLLM, Ollama) through a base URL.
import {
  type ChatMessage,
  type ChatRequest,
  type ChatResponse,
  invalidResponse,
  type LlmProvider,
  type PostOptions,
  postEventStream,
  postJson,
  type ToolCall,
} from "./provider.js";

export interface OpenAiCompatibleOptions {
  /** default: $OPENAI_BASE_URL, else https://api.openai.com/v1 */
  baseUrl?: string;
  /** Environment variable holding the API key; read at each call, never stored. default OPENAI_API_KEY */
  apiKeyEnv?: string;
  /** `gen_ai.system` name. default "openai" */
  system?: string;
  /** One HTTP exchange may take this long. default 120_000 */
  timeoutMs?: number;
}

interface WireToolCall {
  id?: unknown;
  function?: { name?: unknown; arguments?: unknown };
}

interface WireCompletion {
  model?: unknown;
  choices?: Array<{ message?: { content?: unknown; tool_calls?: WireToolCall[] }; finish_reason?: unknown }>;
  usage?: { prompt_tokens?: unknown; completion_tokens?: unknown };
}

interface WireChunk {
  model?: string;
  choices?: Array<{
    delta?: {
      content?: string | null;
      tool_calls?: Array<{ index?: number; id?: string; function?: { name?: string; arguments?: string } }>;
    };
    finish_reason?: string | null;
  }>;
  usage?: WireCompletion["usage"];
}

/** Folds a streamed completion (SSE chunks) into the shape of a non-streamed one, passing text deltas on. */
async function collectStream(system: string, events: AsyncIterable<string>, onToken: (text: string) => void): Promise<WireCompletion> {
  let content = "";
  let finishReason: string | undefined;
  let model: string | undefined;
  let usage: WireCompletion["usage"];
  const calls: Array<{ id?: string; function: { name: string; arguments: string } }> = [];
  for await (const data of events) {
    if (data === "[DONE]") break;
    let chunk: WireChunk;
    try {
      chunk = JSON.parse(data) as WireChunk;
    } catch {
      throw invalidResponse(system, "a streamed chunk is not JSON");
    }
    model ??= chunk.model;
    usage = chunk.usage ?? usage;
    for (const choice of chunk.choices ?? []) {
      if (choice.delta?.content) {
        content += choice.delta.content;
        onToken(choice.delta.content);
      }
      for (const part of choice.delta?.tool_calls ?? []) {
        const index = part.index ?? 0;
        const call = calls[index] ?? { function: { name: "", arguments: "" } };
        calls[index] = call;
        if (part.id) call.id = part.id;
        call.function.name += part.function?.name ?? "";
        call.function.arguments += part.function?.arguments ?? "";
      }
      finishReason = choice.finish_reason ?? finishReason;
    }
  }
  return {
    ...(model ? { model } : {}),
    choices: [{ message: { content, ...(calls.length > 0 ? { tool_calls: calls } : {}) }, finish_reason: finishReason ?? "stop" }],
    ...(usage ? { usage } : {}),
  };
}

/** A provider for any server that speaks OpenAI Chat Completions. */
export function openAiCompatible(options: OpenAiCompatibleOptions = {}): LlmProvider {
  const system = options.system ?? "openai";
  return {
    system,
    async chat(request: ChatRequest): Promise<ChatResponse> {
      const baseUrl = (options.baseUrl ?? process.env.OPENAI_BASE_URL ?? "https://api.openai.com/v1").replace(/\/+$/, "");
      const key = process.env[options.apiKeyEnv ?? "OPENAI_API_KEY"];
      const body: Record<string, unknown> = { model: request.model, messages: request.messages.map(toWire) };
      if (request.tools?.length) {
        body.tools = request.tools.map((t) => ({
          type: "function",
          function: { name: t.name, ...(t.description ? { description: t.description } : {}), parameters: t.parameters },
        }));
      }
      if (request.temperature !== undefined) body.temperature = request.temperature;
      if (request.maxTokens !== undefined) body.max_tokens = request.maxTokens;
      if (request.responseSchema)
        body.response_format = { type: "json_schema", json_schema: { name: "response", schema: request.responseSchema } };
      const post: PostOptions = {
        system,
        url: `${baseUrl}/chat/completions`,
        headers: key ? { authorization: `Bearer ${key}` } : {},
        body,
        signal: request.signal,
        timeoutMs: options.timeoutMs ?? 120_000,
        secret: key,
      };
      if (request.onToken) {
        body.stream = true;
        body.stream_options = { include_usage: true };
      }
      const json = request.onToken
        ? await collectStream(system, postEventStream(post), request.onToken)
        : ((await postJson(post)) as WireCompletion);
      const choice = json.choices?.[0];
      if (!choice?.message) throw invalidResponse(system, "no choices[0].message");
      const toolCalls: ToolCall[] = (choice.message.tool_calls ?? []).map((call, i) => ({
        id: typeof call.id === "string" ? call.id : `call_${i}`,
        name: String(call.function?.name ?? ""),
        arguments: typeof call.function?.arguments === "string" ? call.function.arguments : JSON.stringify(call.function?.arguments ?? {}),
      }));
      const content = typeof choice.message.content === "string" ? choice.message.content : "";
      return {
        message: { role: "assistant", content, ...(toolCalls.length > 0 ? { toolCalls } : {}) },
        usage: { inputTokens: Number(json.usage?.prompt_tokens ?? 0), outputTokens: Number(json.usage?.completion_tokens ?? 0) },
        finishReason: String(choice.finish_reason ?? "stop"),
        model: typeof json.model === "string" ? json.model : request.model,
      };
    },
  };
}

function toWire(message: ChatMessage): Record<string, unknown> {
  switch (message.role) {
    case "system":
    case "user":
      return { role: message.role, content: message.content };
    case "assistant":
      return {
        role: "assistant",
        content: message.content === "" && message.toolCalls ? null : message.content,
        ...(message.toolCalls?.length
          ? {
              tool_calls: message.toolCalls.map((c) => ({
                id: c.id,
                type: "function",
                function: { name: c.name, arguments: c.arguments },
              })),
            }
          : {}),
      };
    case "tool":
      return { role: "tool", tool_call_id: message.toolCallId, content: message.content };
  }
}
