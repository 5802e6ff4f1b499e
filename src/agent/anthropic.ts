// Anthropic Messages (`POST <baseUrl>/v1/messages`): system prompt apart, tool_use / tool_result blocks.
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

export interface AnthropicOptions {
  /** default: $ANTHROPIC_BASE_URL, else https://api.anthropic.com */
  baseUrl?: string;
  /** Environment variable holding the API key. default ANTHROPIC_API_KEY */
  apiKeyEnv?: string;
  /** The API requires max_tokens. default 4096 */
  defaultMaxTokens?: number;
  /** default 120_000 */
  timeoutMs?: number;
}

type Block =
  | { type: "text"; text: string }
  | { type: "tool_use"; id: string; name: string; input: unknown }
  | { type: "tool_result"; tool_use_id: string; content: string; is_error?: boolean };

/** A provider for the Anthropic Messages API. */
export function anthropic(options: AnthropicOptions = {}): LlmProvider {
  const system = "anthropic";
  return {
    system,
    async chat(request: ChatRequest): Promise<ChatResponse> {
      const baseUrl = (options.baseUrl ?? process.env.ANTHROPIC_BASE_URL ?? "https://api.anthropic.com").replace(/\/+$/, "");
      const key = process.env[options.apiKeyEnv ?? "ANTHROPIC_API_KEY"];
      const systemText = request.messages.flatMap((m) => (m.role === "system" ? [m.content] : [])).join("\n\n");
      const schemaHint = request.responseSchema
        ? `\n\nReply with one JSON value only, matching this JSON Schema:\n${JSON.stringify(request.responseSchema)}`
        : "";
      const body: Record<string, unknown> = {
        model: request.model,
        max_tokens: request.maxTokens ?? options.defaultMaxTokens ?? 4096,
        messages: toWire(request.messages),
      };
      if (systemText || schemaHint) body.system = `${systemText}${schemaHint}`.trim();
      if (request.tools?.length) {
        body.tools = request.tools.map((t) => ({
          name: t.name,
          ...(t.description ? { description: t.description } : {}),
          input_schema: t.parameters,
        }));
      }
      if (request.temperature !== undefined) body.temperature = request.temperature;
      const post: PostOptions = {
        system,
        url: `${baseUrl}/v1/messages`,
        headers: { "anthropic-version": "2023-06-01", ...(key ? { "x-api-key": key } : {}) },
        body,
        signal: request.signal,
        timeoutMs: options.timeoutMs ?? 120_000,
        secret: key,
      };
      if (request.onToken) body.stream = true;
      const json = request.onToken
        ? await collectStream(system, postEventStream(post), request.onToken)
        : ((await postJson(post)) as WireMessage);
      if (!Array.isArray(json.content)) throw invalidResponse(system, "no content array");
      const text = json.content.flatMap((b) => (b.type === "text" ? [b.text] : [])).join("");
      const toolCalls: ToolCall[] = json.content.flatMap((b) =>
        b.type === "tool_use" ? [{ id: b.id, name: b.name, arguments: JSON.stringify(b.input ?? {}) }] : [],
      );
      return {
        message: { role: "assistant", content: text, ...(toolCalls.length > 0 ? { toolCalls } : {}) },
        usage: { inputTokens: Number(json.usage?.input_tokens ?? 0), outputTokens: Number(json.usage?.output_tokens ?? 0) },
        finishReason: String(json.stop_reason ?? "end_turn"),
        model: typeof json.model === "string" ? json.model : request.model,
      };
    },
  };
}

interface WireMessage {
  model?: unknown;
  content?: Block[];
  stop_reason?: unknown;
  usage?: { input_tokens?: unknown; output_tokens?: unknown };
}

interface StreamEvent {
  type: string;
  index?: number;
  message?: WireMessage;
  content_block?: Block;
  delta?: { type?: string; text?: string; partial_json?: string; stop_reason?: string };
  usage?: { output_tokens?: number };
}

/** Folds a streamed message (SSE events) into the shape of a non-streamed one, passing text deltas on. */
async function collectStream(system: string, events: AsyncIterable<string>, onToken: (text: string) => void): Promise<WireMessage> {
  let message: WireMessage = {};
  const blocks: Block[] = [];
  const partialJson = new Map<number, string>();
  for await (const data of events) {
    let event: StreamEvent;
    try {
      event = JSON.parse(data) as StreamEvent;
    } catch {
      throw invalidResponse(system, "a streamed event is not JSON");
    }
    const index = event.index ?? 0;
    const block = blocks[index];
    if (event.type === "message_start" && event.message) message = { ...event.message };
    else if (event.type === "content_block_start" && event.content_block) blocks[index] = { ...event.content_block };
    else if (event.type === "content_block_delta" && block?.type === "text" && event.delta?.text) {
      block.text += event.delta.text;
      onToken(event.delta.text);
    } else if (event.type === "content_block_delta" && event.delta?.partial_json !== undefined) {
      partialJson.set(index, (partialJson.get(index) ?? "") + event.delta.partial_json);
    } else if (event.type === "message_delta") {
      message.stop_reason = event.delta?.stop_reason ?? message.stop_reason;
      message.usage = {
        ...message.usage,
        ...(event.usage?.output_tokens === undefined ? {} : { output_tokens: event.usage.output_tokens }),
      };
    } else if (event.type === "error") {
      throw invalidResponse(system, `the stream reported an error: ${data.slice(0, 200)}`);
    }
  }
  for (const [index, json] of partialJson) {
    const block = blocks[index];
    if (block?.type === "tool_use") block.input = parseOr(json);
  }
  return { ...message, content: blocks };
}

/** Anthropic wants alternating user/assistant turns; consecutive tool results share one user turn. */
function toWire(messages: ChatMessage[]): Array<{ role: "user" | "assistant"; content: string | Block[] }> {
  const out: Array<{ role: "user" | "assistant"; content: string | Block[] }> = [];
  for (const message of messages) {
    if (message.role === "system") continue;
    if (message.role === "user") out.push({ role: "user", content: message.content });
    else if (message.role === "assistant") {
      const blocks: Block[] = message.content ? [{ type: "text", text: message.content }] : [];
      for (const call of message.toolCalls ?? [])
        blocks.push({ type: "tool_use", id: call.id, name: call.name, input: parseOr(call.arguments) });
      out.push({ role: "assistant", content: blocks });
    } else {
      const block: Block = {
        type: "tool_result",
        tool_use_id: message.toolCallId,
        content: message.content,
        ...(message.isError ? { is_error: true } : {}),
      };
      const last = out.at(-1);
      if (last?.role === "user" && Array.isArray(last.content)) last.content.push(block);
      else out.push({ role: "user", content: [block] });
    }
  }
  return out;
}

function parseOr(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return {};
  }
}
