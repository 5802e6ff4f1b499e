// `duroMiddleware(ctx)`: a language-model middleware for the AI SDK's `wrapLanguageModel` that makes every model
// call a workflow makes through the wrapped model a journaled, budgeted, traced step (the agent layer's metered
// step, as ctx.llm uses). A replay returns the journaled answer without a request; a stream reaches its reader live
// and is journaled when it ends, so a crash mid-stream sends that one call again.
import type { LanguageModelMiddleware } from "ai";
import {
  type Budget,
  costOf,
  httpError,
  Ledger,
  type MeteredCall,
  type MeteredReply,
  type ModelPrice,
  meteredStep,
  retryAfterMs,
  runtimeOf,
} from "../agent/kit.js";
import { type Duration, DuroError, NonRetryableError, type RetryPolicy, type StepContext, type WorkflowContext } from "../core/index.js";
import {
  type CallParams,
  generateResultOf,
  type ModelCallRecord,
  recordOfGenerate,
  recordOfStream,
  type StreamPart,
  type StreamResult,
  streamResultOf,
  tokensOf,
  type WrappedModel,
} from "./call-record.js";

export interface DuroMiddlewareOptions {
  /** The steps' name; each call's key adds its occurrence counter (`ai/gpt-4o-mini#0`, `#1`, …). default `ai/<modelId>` */
  name?: string;
  /** A budget for the calls through this model; the run's budget (`ctx.budget`) applies as well. default: none */
  budget?: Budget;
  /** Price overrides per model (US dollars per million tokens). default: duro's price table (setModelPrices) */
  prices?: Record<string, ModelPrice>;
  /** Retries of a failed call, before anything reached a stream's reader. default 5 attempts from 1s doubling (Retry-After honoured) */
  retry?: RetryPolicy;
  /** One attempt (a whole stream included) may take this long. default: no limit beyond the SDK's own */
  timeout?: Duration;
}

const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 5, initialDelay: "1s", backoffFactor: 2, maxDelay: "1m" };

/**
 * A middleware for `wrapLanguageModel({ model, middleware: duroMiddleware(ctx) })`, made inside the workflow: each
 * generateText / streamText / generateObject / streamObject call through the wrapped model is one journaled step.
 */
export function duroMiddleware(ctx: WorkflowContext, options: DuroMiddlewareOptions = {}): LanguageModelMiddleware {
  const run = runtimeOf(ctx).run;
  const ledgers = options.budget ? [run, new Ledger(`ai ${options.name ?? "model"}`, options.budget)] : [run];
  const callOf = (model: WrappedModel): MeteredCall => {
    const providerName = model.provider.split(".")[0] || model.provider;
    return {
      name: options.name ?? `ai/${model.modelId}`,
      model: `${providerName}:${model.modelId}`,
      system: providerName,
      providerName,
      requestModel: model.modelId,
      ledgers,
      retry: options.retry ?? DEFAULT_RETRY,
      ...(options.timeout === undefined ? {} : { timeout: options.timeout }),
    };
  };
  const pricing = (call: MeteredCall) => (usage: ModelCallRecord["modelUsage"]) => costOf(call.model, tokensOf(usage), options.prices);

  return {
    specificationVersion: "v3",
    async wrapGenerate({ model, params }) {
      const call = callOf(model);
      const record = await meteredStep<ModelCallRecord>(ctx, call, async (step) => {
        const result = await sent(call.system, () => model.doGenerate(withStepSignal(params, step)));
        return replyOf(recordOfGenerate(result, pricing(call)), model.modelId);
      });
      return generateResultOf(expectMode(record, "generate", call.name));
    },
    async wrapStream({ model, params }) {
      const call = callOf(model);
      let handOut: (result: StreamResult) => void = () => undefined;
      const live = new Promise<StreamResult>((resolve) => {
        handOut = resolve;
      });
      const journaled = meteredStep<ModelCallRecord>(ctx, call, async (step) => {
        // Only the stream is handed out, as on replay: headers and bodies are never part of a call's result here.
        const { stream } = await sent(call.system, () => model.doStream(withStepSignal(params, step)));
        const parts = await relay(stream, (relayed) => handOut({ stream: relayed }), journaled);
        return replyOf(recordOfStream(parts, pricing(call)), model.modelId);
      });
      // The live stream's reader learns of a failure from the stream itself; this only keeps it from being unhandled.
      journaled.catch(() => undefined);
      const first = await Promise.race([live, journaled]);
      return "stream" in first ? first : streamResultOf(expectMode(first, "stream", call.name));
    },
  };
}

function replyOf(record: ModelCallRecord, requestModel: string): MeteredReply<ModelCallRecord> {
  return { record, responseModel: record.response?.modelId ?? requestModel, finishReason: record.finishReason.unified };
}

/** The call's options with the step's signal joined to the caller's, so a step timeout or a cancelled run aborts it. */
function withStepSignal(params: CallParams, step: StepContext): CallParams {
  return { ...params, abortSignal: params.abortSignal ? AbortSignal.any([params.abortSignal, step.signal]) : step.signal };
}

/**
 * Relays a provider stream to the reader `handOut` receives, collecting its parts. The reader's stream ends only once
 * the call is journaled (`journaled`), so code that read the stream to its end finds the call in the journal. Any
 * failure after the hand-out is not retried: its reader has already seen part of the answer.
 */
function relay(
  stream: ReadableStream<StreamPart>,
  handOut: (relayed: ReadableStream<StreamPart>) => void,
  journaled: Promise<unknown>,
): Promise<StreamPart[]> {
  const parts: StreamPart[] = [];
  const reader = stream.getReader();
  return new Promise<StreamPart[]>((resolve, reject) => {
    const fail = (error: unknown) =>
      reject(new NonRetryableError(`the model's stream failed after it reached its reader: ${messageOf(error)}`));
    handOut(
      new ReadableStream<StreamPart>({
        async pull(controller) {
          let next: Awaited<ReturnType<typeof reader.read>>;
          try {
            next = await reader.read();
          } catch (error) {
            fail(error);
            controller.error(error);
            return;
          }
          if (!next.done) {
            parts.push(next.value);
            controller.enqueue(next.value);
            return;
          }
          const failed = parts.find((p) => p.type === "error");
          if (failed) fail(failed.error);
          else resolve(parts);
          try {
            await journaled;
            controller.close();
          } catch (error) {
            controller.error(error);
          }
        },
        cancel(reason) {
          fail(`its reader cancelled it (${messageOf(reason)})`);
          return reader.cancel(reason);
        },
      }),
    );
  });
}

/** Runs the provider call, turning the SDK's HTTP errors into duro's classified ones (429 and 5xx retryable). */
async function sent<T>(system: string, request: () => PromiseLike<T>): Promise<T> {
  try {
    return await request();
  } catch (error) {
    const api = error as { statusCode?: unknown; responseBody?: unknown; responseHeaders?: Record<string, string> };
    if (typeof api.statusCode !== "number") throw error;
    const headers = new Headers(api.responseHeaders ?? {});
    throw httpError(system, api.statusCode, String(api.responseBody ?? ""), retryAfterMs(headers, Date.now()), undefined);
  }
}

function expectMode(record: ModelCallRecord, mode: ModelCallRecord["mode"], name: string): ModelCallRecord {
  if (record.mode === mode) return record;
  throw new DuroError(
    "non_determinism",
    `the journal holds a ${record.mode} call for "${name}" where the code now makes a ${mode} call; ` +
      "the workflow's code changed while this run was in flight: give the new code a new `version` so old runs keep the old code",
    { category: "definition", details: { step: name, journaled: record.mode, requested: mode } },
  );
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
