// The one interface every LLM provider implements, the provider-neutral message shapes, and how an HTTP
// failure is classified: 429, 5xx, timeouts and lost connections are retryable (honouring Retry-After);
// everything else is not. Error messages never hold the API key.
import { DuroError, type ErrorCode } from "../core/index.js";

export interface ToolCall {
  id: string;
  name: string;
  /** The arguments as the model wrote them (JSON text, possibly invalid). */
  arguments: string;
}

export type ChatMessage =
  | { role: "system"; content: string }
  | { role: "user"; content: string }
  | { role: "assistant"; content: string; toolCalls?: ToolCall[] }
  | { role: "tool"; toolCallId: string; name: string; content: string; isError?: boolean };

export type AssistantMessage = Extract<ChatMessage, { role: "assistant" }>;

/** A tool as the model sees it. */
export interface ToolSpec {
  name: string;
  description?: string;
  /** JSON Schema of the arguments object. */
  parameters: Record<string, unknown>;
}

export interface ChatRequest {
  /** The model's name at the provider (without the `provider:` prefix). */
  model: string;
  messages: ChatMessage[];
  tools?: ToolSpec[];
  temperature?: number;
  maxTokens?: number;
  /** JSON Schema the reply must follow (sent as the provider's structured-output option where it has one). */
  responseSchema?: Record<string, unknown>;
  signal: AbortSignal;
  /** Sees the reply's text as it streams (providers that cannot stream call it once with the whole text). */
  onToken?: (text: string) => void;
}

export interface Usage {
  inputTokens: number;
  outputTokens: number;
}

export interface ChatResponse {
  message: AssistantMessage;
  usage: Usage;
  /** `stop`, `tool_calls`, `length`, … as the provider said. */
  finishReason: string;
  /** The model that answered, as the provider reported it. */
  model: string;
}

/** One LLM API (OpenAI-compatible, Anthropic, …); a new provider is one new file implementing this. */
export interface LlmProvider {
  /** The `gen_ai.system` name: `openai`, `anthropic`, … */
  readonly system: string;
  chat(request: ChatRequest): Promise<ChatResponse>;
}

/** Parses Retry-After (seconds or an HTTP date) or retry-after-ms into milliseconds. */
export function retryAfterMs(headers: Headers, nowMs: number): number | undefined {
  const ms = headers.get("retry-after-ms");
  if (ms !== null && Number.isFinite(Number(ms))) return Number(ms);
  const value = headers.get("retry-after");
  if (value === null) return undefined;
  if (Number.isFinite(Number(value))) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

/** Removes the API key from any text that may reach the journal or a log. */
export function scrub(text: string, secret: string | undefined): string {
  return secret && secret.length >= 4 ? text.split(secret).join("[redacted]") : text;
}

/** A failed HTTP exchange with a provider, classified. */
export function httpError(
  system: string,
  status: number,
  body: string,
  retryAfter: number | undefined,
  secret: string | undefined,
): DuroError {
  const detail = scrub(providerMessage(body), secret).slice(0, 500);
  const retryable = status === 429 || status === 408 || status >= 500;
  const code: ErrorCode =
    status === 429
      ? "llm_rate_limited"
      : status >= 500
        ? "llm_server_error"
        : status === 401 || status === 403
          ? "llm_auth_failed"
          : "llm_request_failed";
  const hint = retryable
    ? "it is retried with backoff"
    : status === 401 || status === 403
      ? `check the API key in the environment for ${system}`
      : "fix the request (model name, messages, options)";
  return new DuroError(code, `${system} answered HTTP ${status}: ${detail}; ${hint}`, {
    category: status === 401 || status === 403 ? "auth" : "step",
    retryable,
    details: { system, status, ...(retryAfter === undefined ? {} : { retryAfterMs: retryAfter }) },
  });
}

/** A request that never got an HTTP answer: timeout or connection failure (retryable), or cancellation. */
export function transportError(system: string, error: unknown, timedOut: boolean, secret: string | undefined): DuroError {
  if (timedOut) {
    return new DuroError("llm_timeout", `${system} did not answer in time; it is retried`, {
      category: "step",
      retryable: true,
      details: { system },
    });
  }
  const message = scrub(
    error instanceof Error ? `${error.message}${error.cause instanceof Error ? `: ${error.cause.message}` : ""}` : String(error),
    secret,
  );
  return new DuroError("llm_unreachable", `cannot reach ${system}: ${message}; it is retried`, {
    category: "step",
    retryable: true,
    details: { system },
  });
}

/** A 200 answer whose body is not what the protocol promises. */
export function invalidResponse(system: string, why: string): DuroError {
  return new DuroError("llm_invalid_response", `${system} sent a response duro cannot read (${why}); it is retried`, {
    category: "step",
    retryable: true,
    details: { system },
  });
}

function providerMessage(body: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: { message?: unknown } | string; message?: unknown };
    if (typeof parsed.error === "object" && typeof parsed.error?.message === "string") return parsed.error.message;
    if (typeof parsed.error === "string") return parsed.error;
    if (typeof parsed.message === "string") return parsed.message;
  } catch {
    // not JSON: fall through to the raw text
  }
  return body || "(empty body)";
}

export interface PostOptions {
  system: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
  signal: AbortSignal;
  timeoutMs: number;
  secret: string | undefined;
}

/** POSTs JSON with a timeout tied to the caller's signal; classifies every failure. */
export async function postJson(options: PostOptions): Promise<unknown> {
  const { response, timeout } = await post(options);
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    throw transportError(options.system, error, timeout.aborted, options.secret);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw invalidResponse(options.system, "the body is not JSON");
  }
}

/** POSTs JSON and yields the `data:` payloads of a server-sent event stream. */
export async function* postEventStream(options: PostOptions): AsyncGenerator<string> {
  const { response, timeout } = await post(options);
  if (!response.body) throw invalidResponse(options.system, "no body to stream");
  const decoder = new TextDecoder();
  let buffer = "";
  try {
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let end = buffer.indexOf("\n\n");
      while (end >= 0) {
        const event = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        for (const line of event.split("\n")) if (line.startsWith("data:")) yield line.slice(5).trim();
        end = buffer.indexOf("\n\n");
      }
    }
  } catch (error) {
    if (options.signal.aborted) throw options.signal.reason;
    throw transportError(options.system, error, timeout.aborted, options.secret);
  }
}

/** Sends the request; a non-2xx answer becomes a classified error. */
async function post(options: PostOptions): Promise<{ response: Response; timeout: AbortSignal }> {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  let response: Response;
  try {
    response = await fetch(options.url, {
      method: "POST",
      headers: { "content-type": "application/json", ...options.headers },
      body: JSON.stringify(options.body),
      signal: AbortSignal.any([options.signal, timeout]),
    });
  } catch (error) {
    if (options.signal.aborted) throw options.signal.reason;
    throw transportError(options.system, error, timeout.aborted, options.secret);
  }
  if (!response.ok) {
    const text = await response.text().catch(() => "");
    throw httpError(options.system, response.status, text, retryAfterMs(response.headers, Date.now()), options.secret);
  }
  return { response, timeout };
}
