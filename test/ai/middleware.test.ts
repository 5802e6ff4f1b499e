// duroMiddleware with the AI SDK's own mock models (ai/test) on real SQLite files (and one PostgreSQL case): each
// model call is a journaled step, a replay makes no model call, streams reach their reader live, structured output
// goes through the same step, and budgets refuse a call with limit_exceeded.
import { generateObject, generateText, type LanguageModelMiddleware, streamObject, streamText, wrapLanguageModel } from "ai";
import { MockLanguageModelV3 } from "ai/test";
import { workflow } from "duro";
import { duroMiddleware } from "duro/ai";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import type { JournalEvent, WorkflowContext } from "../../src/index.js";
import { harness } from "../support/engine.js";

type Usage3 = Awaited<ReturnType<MockLanguageModelV3["doGenerate"]>>["usage"];
type StreamPart = Awaited<ReturnType<MockLanguageModelV3["doStream"]>>["stream"] extends ReadableStream<infer P> ? P : never;

function usage(input: number, output: number): Usage3 {
  return {
    inputTokens: { total: input, noCache: input, cacheRead: 0, cacheWrite: 0 },
    outputTokens: { total: output, text: output, reasoning: 0 },
  };
}

function textReply(text: string, tokens = usage(10, 5)) {
  return {
    content: [{ type: "text" as const, text }],
    finishReason: { unified: "stop" as const, raw: "stop" },
    usage: tokens,
    response: { id: `resp-${text.length}`, modelId: "mock-model-id", timestamp: new Date("2026-01-02T03:04:05Z") },
    warnings: [],
  };
}

/** A mock model answering `replies` in order (the SDK's mock repeats nothing: a call past the end fails the test). */
function mockModel(...replies: string[]): MockLanguageModelV3 {
  return new MockLanguageModelV3({ modelId: "gpt-4o-mini", provider: "openai.chat", doGenerate: replies.map((r) => textReply(r)) });
}

function durable(ctx: WorkflowContext, model: MockLanguageModelV3, middleware?: LanguageModelMiddleware) {
  return wrapLanguageModel({
    model,
    middleware: middleware ?? duroMiddleware(ctx, { prices: { "gpt-4o-mini": { input: 1, output: 2 } } }),
  });
}

const usageEvents = (events: JournalEvent[]) => events.filter((e) => e.type === "usage_recorded");

describe.each(["sqlite", "postgres"] as const)("generateText through duroMiddleware (%s)", (kind) => {
  it("journals each call once and replays it without calling the model", async () => {
    const model = mockModel("Paris", "Rome");
    const wf = workflow("capitals", async (ctx) => {
      const a = await generateText({ model: durable(ctx, model), prompt: "Capital of France?" });
      await ctx.approval("continue");
      const b = await generateText({ model: durable(ctx, model), prompt: "Capital of Italy?" });
      return { a: a.text, b: b.text, tokens: a.usage.totalTokens };
    });
    const h = harness(kind, [wf]);
    const { id } = await h.engine.start(wf, undefined);
    expect((await h.settle(id)).status).toBe("waiting");
    expect(model.doGenerateCalls).toHaveLength(1);

    await h.engine.approve(id, "continue", { action: "approve" });
    const run = await h.settle(id);

    expect(run).toMatchObject({ status: "completed", output: { a: "Paris", b: "Rome", tokens: 15 } });
    expect(model.doGenerateCalls).toHaveLength(2);
    const events = await h.engine.events(id);
    expect(usageEvents(events)).toEqual([
      expect.objectContaining({ key: "ai/gpt-4o-mini#0", model: "openai:gpt-4o-mini", inputTokens: 10, outputTokens: 5, costUsd: 0.00002 }),
      expect.objectContaining({ key: "ai/gpt-4o-mini#1", inputTokens: 10, outputTokens: 5 }),
    ]);
    const completed = events.find((e) => e.type === "step_completed" && e.key === "ai/gpt-4o-mini#0");
    expect(completed).toMatchObject({
      result: { mode: "generate", content: [{ type: "text", text: "Paris" }], response: { timestamp: "2026-01-02T03:04:05.000Z" } },
    });
  });
});

describe("streamText through duroMiddleware", () => {
  it("streams tokens to the reader live, journals the stream at its end and re-emits it on replay", async () => {
    let firstTokenRead: () => void = () => undefined;
    const firstToken = new Promise<void>((resolve) => {
      firstTokenRead = resolve;
    });
    const seenByModel: string[] = [];
    const model = new MockLanguageModelV3({
      modelId: "gpt-4o-mini",
      provider: "openai.chat",
      doStream: async () => ({
        stream: new ReadableStream<StreamPart>({
          async start(controller) {
            controller.enqueue({ type: "stream-start", warnings: [] });
            controller.enqueue({ type: "text-start", id: "t" });
            controller.enqueue({ type: "text-delta", id: "t", delta: "Dur" });
            // The rest is only sent once the reader got the first token (bounded so a buffering bug fails, not hangs).
            const live = await Promise.race([firstToken.then(() => true), new Promise((r) => setTimeout(() => r(false), 5_000))]);
            seenByModel.push(live ? "reader had the first token" : "reader had nothing");
            controller.enqueue({ type: "text-delta", id: "t", delta: "able" });
            controller.enqueue({ type: "text-delta", id: "t", delta: " runs" });
            controller.enqueue({ type: "text-end", id: "t" });
            controller.enqueue({ type: "finish", usage: usage(7, 3), finishReason: { unified: "stop", raw: "stop" } });
            controller.close();
          },
        }),
      }),
    });
    const readings: string[][] = [];
    const wf = workflow("story", async (ctx) => {
      const chunks: string[] = [];
      const result = streamText({ model: durable(ctx, model), prompt: "Tell me" });
      for await (const chunk of result.textStream) {
        chunks.push(chunk);
        firstTokenRead();
      }
      readings.push(chunks);
      await ctx.approval("continue");
      return { text: await result.text, usage: (await result.usage).totalTokens };
    });
    const h = harness("sqlite", [wf]);
    const { id } = await h.engine.start(wf, undefined);
    expect((await h.settle(id)).status).toBe("waiting");
    await h.engine.approve(id, "continue", { action: "approve" });
    const run = await h.settle(id);

    expect(seenByModel).toEqual(["reader had the first token"]);
    expect(run).toMatchObject({ status: "completed", output: { text: "Durable runs", usage: 10 } });
    expect(model.doStreamCalls).toHaveLength(1);
    expect(readings[0]).toEqual(["Dur", "able", " runs"]);
    expect(readings[1]?.join("")).toBe("Durable runs");
    const events = await h.engine.events(id);
    expect(usageEvents(events)).toEqual([expect.objectContaining({ key: "ai/gpt-4o-mini#0", inputTokens: 7, outputTokens: 3 })]);
    const completed = events.find((e) => e.type === "step_completed" && e.key === "ai/gpt-4o-mini#0");
    expect(completed).toMatchObject({
      result: { mode: "stream", parts: expect.arrayContaining([{ type: "text-delta", id: "t", delta: "Durable runs" }]) },
    });
  });
});

/** A mock model whose one stream sends `parts` (then closes, or fails with `failWith`). */
function streamingModel(parts: StreamPart[], failWith?: Error): MockLanguageModelV3 {
  return new MockLanguageModelV3({
    modelId: "gpt-4o-mini",
    provider: "openai.chat",
    doStream: async () => ({
      stream: new ReadableStream<StreamPart>({
        start(controller) {
          for (const part of parts) controller.enqueue(part);
          if (failWith) controller.error(failWith);
          else controller.close();
        },
      }),
    }),
  });
}

describe("streams that end badly or carry objects", () => {
  it("a stream that breaks after reaching its reader fails its step without a retry", async () => {
    const model = streamingModel(
      [
        { type: "text-start", id: "t" },
        { type: "text-delta", id: "t", delta: "Hal" },
      ],
      new Error("connection reset"),
    );
    const wf = workflow("broken-stream", async (ctx) => {
      const result = streamText({ model: durable(ctx, model), prompt: "Tell me" });
      return await result.text;
    });
    const h = harness("sqlite", [wf]);
    const { id } = await h.engine.start(wf, undefined);
    const run = await h.settle(id);

    expect(run.status).toBe("failed");
    expect(model.doStreamCalls).toHaveLength(1);
    const failures = (await h.engine.events(id)).filter((e) => e.type === "step_failed");
    expect(failures).toEqual([
      expect.objectContaining({ key: "ai/gpt-4o-mini#0", attempt: 1, error: expect.objectContaining({ code: "non_retryable" }) }),
    ]);
    expect(failures[0]).not.toHaveProperty("retryAt");
  });

  it("streamObject streams partial objects live and replays the journaled object", async () => {
    const json = '{"city":"Paris","population":2102650}';
    const model = streamingModel([
      { type: "stream-start", warnings: [] },
      { type: "text-start", id: "t" },
      { type: "text-delta", id: "t", delta: json.slice(0, 15) },
      { type: "text-delta", id: "t", delta: json.slice(15) },
      { type: "text-end", id: "t" },
      { type: "finish", usage: usage(9, 8), finishReason: { unified: "stop", raw: "stop" } },
    ]);
    const partials: number[] = [];
    const wf = workflow("streamed-object", async (ctx) => {
      const result = streamObject({
        model: durable(ctx, model),
        schema: z.object({ city: z.string(), population: z.number() }),
        prompt: "City",
      });
      let seen = 0;
      for await (const _partial of result.partialObjectStream) seen++;
      partials.push(seen);
      const object = await result.object;
      await ctx.approval("continue");
      return object;
    });
    const h = harness("sqlite", [wf]);
    const { id } = await h.engine.start(wf, undefined);
    await h.settle(id);
    await h.engine.approve(id, "continue", { action: "approve" });
    const run = await h.settle(id);

    expect(run).toMatchObject({ status: "completed", output: { city: "Paris", population: 2102650 } });
    expect(model.doStreamCalls).toHaveLength(1);
    // Live: one partial object per delta; replayed: the joined delta gives the whole object at once.
    expect(partials).toEqual([2, 1]);
  });
});

describe("generateObject through duroMiddleware", () => {
  it("journals the structured reply and returns the same parsed object on replay", async () => {
    const model = mockModel('{"city":"Paris","population":2102650}');
    const schema = z.object({ city: z.string(), population: z.number().int() });
    const wf = workflow("structured", async (ctx) => {
      const { object } = await generateObject({ model: durable(ctx, model), schema, prompt: "Largest French city" });
      await ctx.approval("continue");
      return object;
    });
    const h = harness("sqlite", [wf]);
    const { id } = await h.engine.start(wf, undefined);
    expect((await h.settle(id)).status).toBe("waiting");
    await h.engine.approve(id, "continue", { action: "approve" });
    const run = await h.settle(id);

    expect(run).toMatchObject({ status: "completed", output: { city: "Paris", population: 2102650 } });
    expect(model.doGenerateCalls).toHaveLength(1);
    expect(model.doGenerateCalls[0]?.responseFormat).toMatchObject({ type: "json" });
  });
});

describe("budgets", () => {
  it("refuses a call once the run's token budget is reached, with limit_exceeded, before calling the model", async () => {
    const model = mockModel("one", "two");
    const wf = workflow("thrifty", async (ctx) => {
      ctx.budget({ maxTokens: 15 });
      await generateText({ model: durable(ctx, model), prompt: "first" });
      await generateText({ model: durable(ctx, model), prompt: "second" });
      return "unreachable";
    });
    const h = harness("sqlite", [wf]);
    const { id } = await h.engine.start(wf, undefined);
    const run = await h.settle(id);

    expect(run.status).toBe("failed");
    expect(run.error).toMatchObject({ code: "limit_exceeded", details: { scope: "run", limit: "maxTokens", current: 15, max: 15 } });
    expect(model.doGenerateCalls).toHaveLength(1);
  });

  it("counts a middleware's own budget (maxIterations) besides the run's", async () => {
    const model = mockModel("one", "two");
    const wf = workflow("one-call", async (ctx) => {
      const wrapped = durable(ctx, model, duroMiddleware(ctx, { name: "draft", budget: { maxIterations: 1 } }));
      await generateText({ model: wrapped, prompt: "first" });
      await generateText({ model: wrapped, prompt: "second" });
      return "unreachable";
    });
    const h = harness("sqlite", [wf]);
    const { id } = await h.engine.start(wf, undefined);
    const run = await h.settle(id);

    expect(run.error).toMatchObject({ code: "limit_exceeded", details: { scope: "ai draft", limit: "maxIterations" } });
    expect(model.doGenerateCalls).toHaveLength(1);
    expect(usageEvents(await h.engine.events(id))).toEqual([expect.objectContaining({ key: "draft#0" })]);
  });
});
