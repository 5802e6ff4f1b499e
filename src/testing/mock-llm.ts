// A local LLM server for tests and offline runs: it speaks the real OpenAI Chat Completions
// (`POST /v1/chat/completions`) and Anthropic Messages (`POST /v1/messages`) HTTP protocols, answers from a
// script (text, tool calls, invalid JSON, 429 with Retry-After, 500, slow replies) and logs every request.
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { DuroError } from "../core/index.js";

/** One scripted reply; each is used once, in order, whichever protocol asks. */
export interface MockReply {
  /** Used only for a request whose JSON body contains this text (so a resumed run finds its replies). */
  match?: string;
  /** The assistant's text. */
  content?: string;
  /** Tool calls the assistant makes; `arguments` is sent as given (a string is sent verbatim, so it may be bad JSON). */
  toolCalls?: Array<{ name: string; arguments: unknown }>;
  /** Token counts to report. default: about one token per 4 characters of request and reply */
  usage?: { inputTokens: number; outputTokens: number };
  /** An error status (429, 500, 400, …) with a provider-shaped error body. */
  status?: number;
  /** With status 429/503: the Retry-After header, in seconds. */
  retryAfter?: number;
  /** A body sent verbatim with status 200 (for example invalid JSON). */
  raw?: string;
  /** Wait this long before answering. */
  delayMs?: number;
}

export interface MockScript {
  replies: MockReply[];
  /** Used for every request after the script ran out. default: a 400 error saying so */
  fallback?: MockReply;
}

/** One request the server received; headers are not kept (they hold API keys). */
export interface MockRequest {
  protocol: "openai" | "anthropic";
  model: string;
  body: Record<string, unknown>;
  /** Bytes of the request body. */
  bytes: number;
  /** Whether an API key header was present. */
  authorized: boolean;
  /** Index of the scripted reply used; -1 for the fallback. */
  reply: number;
  status: number;
}

export interface MockLlmServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** Every request, in arrival order. */
  requests: MockRequest[];
  /** Replaces the script and starts it over. */
  load(script: MockScript): void;
  close(): Promise<void>;
}

/** Starts the mock on 127.0.0.1 (a free port unless `port` is given). */
export async function startMockLlm(
  script: MockScript,
  options: { port?: number /** do not keep the process alive */; unref?: boolean } = {},
): Promise<MockLlmServer> {
  let current = checkScript(script);
  let used = new Set<number>();
  const requests: MockRequest[] = [];
  const server: Server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => send(res, 500, { error: { message: String(error) } }));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const text = await readBody(req);
    const protocol = req.url?.endsWith("/chat/completions") ? "openai" : req.url?.endsWith("/messages") ? "anthropic" : undefined;
    if (req.method !== "POST" || !protocol) return send(res, 404, { error: { message: `no route ${req.method} ${req.url}` } });
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return send(res, 400, errorBody(protocol, 400, "request body is not JSON"));
    }
    const authorized = protocol === "openai" ? /^Bearer \S+/.test(req.headers.authorization ?? "") : Boolean(req.headers["x-api-key"]);
    const index = current.replies.findIndex((r, i) => !used.has(i) && (r.match === undefined || text.includes(r.match)));
    if (index >= 0) used.add(index);
    const reply = index >= 0 ? (current.replies[index] as MockReply) : current.fallback;
    const entry: MockRequest = {
      protocol,
      model: String(body.model ?? ""),
      body,
      bytes: Buffer.byteLength(text),
      authorized,
      reply: index,
      status: 200,
    };
    requests.push(entry);
    if (!authorized) {
      entry.status = 401;
      return send(res, 401, errorBody(protocol, 401, "missing API key"));
    }
    if (!reply) {
      entry.status = 400;
      return send(res, 400, errorBody(protocol, 400, `mock LLM script ran out after ${current.replies.length} replies`));
    }
    if (reply.delayMs) await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
    entry.status = reply.status ?? 200;
    if (reply.status && reply.status >= 400) {
      const headers = reply.retryAfter === undefined ? {} : { "retry-after": String(reply.retryAfter) };
      return send(res, reply.status, errorBody(protocol, reply.status, `scripted error ${reply.status}`), headers);
    }
    if (reply.raw !== undefined) {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(reply.raw);
      return;
    }
    const usage = reply.usage ?? { inputTokens: Math.ceil(text.length / 4), outputTokens: Math.ceil((reply.content ?? "").length / 4) + 1 };
    const id = `mock_${requests.length}`;
    const payload = protocol === "openai" ? openAiReply(id, entry.model, reply, usage) : anthropicReply(id, entry.model, reply, usage);
    if (protocol === "openai" && body.stream === true) return streamOpenAi(res, payload as ReturnType<typeof openAiReply>);
    if (protocol === "anthropic" && body.stream === true) return streamAnthropic(res, payload as ReturnType<typeof anthropicReply>);
    send(res, 200, payload);
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  if (options.unref) server.unref();
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    load(script) {
      current = checkScript(script);
      used = new Set();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * `duro run --mock-llm <script.json>`: starts the mock and points both providers at it, with placeholder keys
 * so that no real key is ever sent anywhere. Returns the function that stops it.
 */
export async function useMockLlm(path: string): Promise<() => Promise<void>> {
  const server = await startMockLlm(readMockScript(path), { unref: true });
  Object.assign(process.env, {
    OPENAI_BASE_URL: `${server.url}/v1`,
    OPENAI_API_KEY: "mock-llm",
    ANTHROPIC_BASE_URL: server.url,
    ANTHROPIC_API_KEY: "mock-llm",
  });
  return () => server.close();
}

/** Reads a script file (`{ "replies": [...] }`), refusing one that is not JSON or has no replies list. */
export function readMockScript(path: string): MockScript {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new DuroError("mock_script_not_found", `cannot read the mock LLM script ${path}: ${(error as Error).message}`, {
      category: "input",
    });
  }
  try {
    return checkScript(JSON.parse(text) as MockScript);
  } catch (error) {
    if (error instanceof DuroError) throw error;
    throw new DuroError("mock_script_invalid", `the mock LLM script ${path} is not valid JSON: ${(error as Error).message}`, {
      category: "input",
    });
  }
}

function checkScript(script: MockScript): MockScript {
  if (!script || !Array.isArray(script.replies)) {
    throw new DuroError(
      "mock_script_invalid",
      'a mock LLM script is an object with a "replies" array, e.g. {"replies":[{"content":"hi"}]}',
      {
        category: "input",
      },
    );
  }
  return script;
}

function argumentsText(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value ?? {});
}

function openAiReply(id: string, model: string, reply: MockReply, usage: { inputTokens: number; outputTokens: number }) {
  const toolCalls = (reply.toolCalls ?? []).map((call, i) => ({
    id: `call_${id}_${i}`,
    type: "function",
    function: { name: call.name, arguments: argumentsText(call.arguments) },
  }));
  return {
    id: `chatcmpl-${id}`,
    object: "chat.completion",
    created: 1_700_000_000,
    model,
    choices: [
      {
        index: 0,
        message: {
          role: "assistant",
          content: reply.content ?? null,
          refusal: null,
          ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
        },
        logprobs: null,
        finish_reason: toolCalls.length > 0 ? "tool_calls" : "stop",
      },
    ],
    usage: {
      prompt_tokens: usage.inputTokens,
      completion_tokens: usage.outputTokens,
      total_tokens: usage.inputTokens + usage.outputTokens,
    },
  };
}

function anthropicReply(id: string, model: string, reply: MockReply, usage: { inputTokens: number; outputTokens: number }) {
  const content: unknown[] = [];
  if (reply.content !== undefined) content.push({ type: "text", text: reply.content });
  (reply.toolCalls ?? []).forEach((call, i) => {
    const input = typeof call.arguments === "string" ? safeParse(call.arguments) : (call.arguments ?? {});
    content.push({ type: "tool_use", id: `toolu_${id}_${i}`, name: call.name, input });
  });
  return {
    id: `msg_${id}`,
    type: "message",
    role: "assistant",
    model,
    content,
    stop_reason: reply.toolCalls?.length ? "tool_use" : "end_turn",
    stop_sequence: null,
    usage: { input_tokens: usage.inputTokens, output_tokens: usage.outputTokens },
  };
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { $invalid: text };
  }
}

/** OpenAI's streaming form: the text word by word, the tool calls, the finish reason, the usage, then [DONE]. */
function streamOpenAi(res: ServerResponse, payload: ReturnType<typeof openAiReply>): void {
  const choice = payload.choices[0] as (typeof payload.choices)[0];
  const { message } = choice;
  const toolCalls = (message as { tool_calls?: Array<Record<string, unknown>> }).tool_calls?.map((call, index) => ({ index, ...call }));
  const base = { id: payload.id, object: "chat.completion.chunk", created: payload.created, model: payload.model };
  const delta = (d: Record<string, unknown>, finish: string | null = null) => ({
    ...base,
    choices: [{ index: 0, delta: d, finish_reason: finish }],
  });
  const words = (message.content ?? "").match(/\S+\s*/g) ?? [];
  const chunks = [
    delta({ role: "assistant", content: "" }),
    ...words.map((word) => delta({ content: word })),
    ...(toolCalls ? [delta({ tool_calls: toolCalls })] : []),
    delta({}, choice.finish_reason),
    { ...base, choices: [], usage: payload.usage },
  ];
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  for (const chunk of chunks) res.write(`data: ${JSON.stringify(chunk)}\n\n`);
  res.end("data: [DONE]\n\n");
}

/** Anthropic's streaming form: message_start, one content block after another (text word by word), message_delta, message_stop. */
function streamAnthropic(res: ServerResponse, payload: ReturnType<typeof anthropicReply>): void {
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  const send = (type: string, data: Record<string, unknown>) => res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
  send("message_start", {
    message: { ...payload, content: [], stop_reason: null, usage: { input_tokens: payload.usage.input_tokens, output_tokens: 0 } },
  });
  (payload.content as Array<{ type: string; text?: string; input?: unknown }>).forEach((block, index) => {
    if (block.type === "text") {
      send("content_block_start", { index, content_block: { type: "text", text: "" } });
      for (const word of block.text?.match(/\S+\s*/g) ?? [])
        send("content_block_delta", { index, delta: { type: "text_delta", text: word } });
    } else {
      send("content_block_start", { index, content_block: { ...block, input: {} } });
      send("content_block_delta", { index, delta: { type: "input_json_delta", partial_json: JSON.stringify(block.input) } });
    }
    send("content_block_stop", { index });
  });
  send("message_delta", {
    delta: { stop_reason: payload.stop_reason, stop_sequence: null },
    usage: { output_tokens: payload.usage.output_tokens },
  });
  send("message_stop", {});
  res.end();
}

function errorBody(protocol: "openai" | "anthropic", status: number, message: string) {
  const type =
    status === 429 ? "rate_limit_error" : status >= 500 ? "api_error" : status === 401 ? "authentication_error" : "invalid_request_error";
  return protocol === "openai" ? { error: { message, type, param: null, code: null } } : { type: "error", error: { type, message } };
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => {
      text += chunk;
    });
    req.on("end", () => resolve(text));
    req.on("error", reject);
  });
}
