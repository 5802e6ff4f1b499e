// What duro journals for one AI SDK model call, and the way back: a generate result or a finished stream becomes a
// JSON record (dates as ISO text, bytes as base64), and a record becomes the result or stream the SDK expects.
// The request and the HTTP headers and bodies are never kept: the API key travels in request headers only, and a
// replay needs none of them.
import type { LanguageModelMiddleware } from "ai";

type WrapGenerate = NonNullable<LanguageModelMiddleware["wrapGenerate"]>;
/** The AI SDK's language model (its current specification), as the middleware receives it. */
export type WrappedModel = Parameters<WrapGenerate>[0]["model"];
export type CallParams = Parameters<WrapGenerate>[0]["params"];
export type GenerateResult = Awaited<ReturnType<WrapGenerate>>;
export type StreamResult = Awaited<ReturnType<NonNullable<LanguageModelMiddleware["wrapStream"]>>>;
export type StreamPart = StreamResult["stream"] extends ReadableStream<infer P> ? P : never;
type Content = GenerateResult["content"][number];
type ModelUsage = GenerateResult["usage"];

/** A journaled model call: what the model answered, and what it cost. */
export interface ModelCallRecord {
  /** The SDK method that made the call. */
  mode: "generate" | "stream";
  /** `generate`: the content parts. */
  content?: unknown[];
  /** `stream`: the stream parts, consecutive deltas of one part joined. */
  parts?: unknown[];
  finishReason: GenerateResult["finishReason"];
  /** The SDK's usage, as the provider reported it. */
  modelUsage: ModelUsage;
  providerMetadata?: GenerateResult["providerMetadata"];
  /** Response id, timestamp (ISO) and the model that answered. */
  response?: { id?: string; timestamp?: string; modelId?: string };
  warnings: unknown[];
  /** Input and output tokens as the budgets count them. */
  usage: { inputTokens: number; outputTokens: number };
  costUsd: number;
}

/** Input and output tokens of an SDK usage (a provider that reports none counts 0). */
export function tokensOf(usage: ModelUsage): { inputTokens: number; outputTokens: number } {
  return { inputTokens: usage.inputTokens.total ?? 0, outputTokens: usage.outputTokens.total ?? 0 };
}

/** What a call with this usage costs, in US dollars. */
export type Pricing = (usage: ModelUsage) => number;

/** The journaled form of a generate result (without request, headers or bodies). */
export function recordOfGenerate(result: GenerateResult, price: Pricing): ModelCallRecord {
  const response = responseOf(result.response);
  return {
    mode: "generate",
    content: result.content.map(jsonContent),
    finishReason: result.finishReason,
    modelUsage: result.usage,
    ...(result.providerMetadata ? { providerMetadata: result.providerMetadata } : {}),
    ...(response ? { response } : {}),
    warnings: result.warnings,
    usage: tokensOf(result.usage),
    costUsd: price(result.usage),
  };
}

/** The journaled form of a finished stream (its finish part holds the usage). */
export function recordOfStream(parts: readonly StreamPart[], price: Pricing): ModelCallRecord {
  const finish = parts.find((p): p is Extract<StreamPart, { type: "finish" }> => p.type === "finish");
  const metadata = parts.find((p): p is Extract<StreamPart, { type: "response-metadata" }> => p.type === "response-metadata");
  const usage = finish?.usage ?? EMPTY_USAGE;
  const response = metadata ? responseOf(metadata) : undefined;
  return {
    mode: "stream",
    parts: joinDeltas(parts.filter((p) => p.type !== "raw")).map(jsonContent),
    finishReason: finish?.finishReason ?? { unified: "other", raw: undefined },
    modelUsage: usage,
    ...(finish?.providerMetadata ? { providerMetadata: finish.providerMetadata } : {}),
    ...(response ? { response } : {}),
    warnings: parts.flatMap((p) => (p.type === "stream-start" ? p.warnings : [])),
    usage: tokensOf(usage),
    costUsd: price(usage),
  };
}

/** A journaled generate call as the SDK's result. */
export function generateResultOf(record: ModelCallRecord): GenerateResult {
  return {
    content: (record.content ?? []).map((c) => revive(c) as Content),
    finishReason: record.finishReason,
    usage: record.modelUsage,
    ...(record.providerMetadata ? { providerMetadata: record.providerMetadata } : {}),
    ...(record.response ? { response: revivedResponse(record.response) } : {}),
    warnings: record.warnings as GenerateResult["warnings"],
  };
}

/** A journaled stream call as a stream: its parts re-emitted at once. */
export function streamResultOf(record: ModelCallRecord): StreamResult {
  const parts = (record.parts ?? []).map((p) => revive(p) as StreamPart);
  return {
    stream: new ReadableStream<StreamPart>({
      start(controller) {
        for (const part of parts) controller.enqueue(part);
        controller.close();
      },
    }),
  };
}

const EMPTY_USAGE: ModelUsage = {
  inputTokens: { total: undefined, noCache: undefined, cacheRead: undefined, cacheWrite: undefined },
  outputTokens: { total: undefined, text: undefined, reasoning: undefined },
};

function responseOf(response: { id?: string; timestamp?: Date; modelId?: string } | undefined): ModelCallRecord["response"] {
  if (!response) return undefined;
  const out: NonNullable<ModelCallRecord["response"]> = {};
  if (response.id !== undefined) out.id = response.id;
  if (response.timestamp !== undefined) out.timestamp = response.timestamp.toISOString();
  if (response.modelId !== undefined) out.modelId = response.modelId;
  return out;
}

function revivedResponse(response: NonNullable<ModelCallRecord["response"]>): NonNullable<GenerateResult["response"]> {
  const { timestamp, ...rest } = response;
  return { ...rest, ...(timestamp === undefined ? {} : { timestamp: new Date(timestamp) }) };
}

/** JSON for a content or stream part: bytes as base64 (the spec allows either), dates as ISO text. */
function jsonContent(part: Content | StreamPart): unknown {
  if (part.type === "file" && part.data instanceof Uint8Array) return { ...part, data: Buffer.from(part.data).toString("base64") };
  if (part.type === "response-metadata" && part.timestamp instanceof Date) return { ...part, timestamp: part.timestamp.toISOString() };
  if (part.type === "error") return { type: "error", error: String(part.error) };
  return part;
}

function revive(part: unknown): unknown {
  const p = part as { type: string; timestamp?: unknown };
  if (p.type === "response-metadata" && typeof p.timestamp === "string") return { ...p, timestamp: new Date(p.timestamp) };
  return part;
}

/** Consecutive deltas of the same text, reasoning or tool input joined into one: the journal keeps content, not pacing. */
function joinDeltas(parts: readonly StreamPart[]): StreamPart[] {
  const out: StreamPart[] = [];
  for (const part of parts) {
    const last = out.at(-1);
    if (
      last &&
      (part.type === "text-delta" || part.type === "reasoning-delta" || part.type === "tool-input-delta") &&
      last.type === part.type &&
      last.id === part.id &&
      last.providerMetadata === undefined &&
      part.providerMetadata === undefined
    ) {
      out[out.length - 1] = { ...last, delta: last.delta + part.delta };
      continue;
    }
    out.push(part);
  }
  return out;
}
