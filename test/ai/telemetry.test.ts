// Model calls through duroMiddleware and tools through durableTools are the same gen_ai spans as duro's own model
// and tool steps, with tokens and cost; a replayed call makes no span.
import { trace } from "@opentelemetry/api";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { generateText, stepCountIs, tool, wrapLanguageModel } from "ai";
import { MockLanguageModelV3 } from "ai/test";
import { workflow } from "duro";
import { durableTools, duroMiddleware } from "duro/ai";
import { afterAll, expect, it } from "vitest";
import { z } from "zod";
import { harness } from "../support/engine.js";

const exporter = new InMemorySpanExporter();
trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
afterAll(() => trace.disable());

type Reply = Awaited<ReturnType<MockLanguageModelV3["doGenerate"]>>;
const usage = (input: number, output: number): Reply["usage"] => ({
  inputTokens: { total: input, noCache: input, cacheRead: 0, cacheWrite: 0 },
  outputTokens: { total: output, text: output, reasoning: 0 },
});

it("model and tool calls are gen_ai spans with tokens and cost, once each across replays", async () => {
  const model = new MockLanguageModelV3({
    modelId: "gpt-4o-mini",
    provider: "openai.chat",
    doGenerate: [
      {
        content: [{ type: "tool-call", toolCallId: "call_1", toolName: "echo", input: '{"text":"hi"}' }],
        finishReason: { unified: "tool-calls", raw: "tool_calls" },
        usage: usage(100, 10),
        warnings: [],
      },
      { content: [{ type: "text", text: "said hi" }], finishReason: { unified: "stop", raw: "stop" }, usage: usage(200, 20), warnings: [] },
    ],
  });
  const echo = tool({ inputSchema: z.object({ text: z.string() }), execute: async ({ text }) => text });
  const wf = workflow("traced", async (ctx) => {
    const { text } = await generateText({
      model: wrapLanguageModel({ model, middleware: duroMiddleware(ctx) }),
      tools: durableTools(ctx, { echo }),
      stopWhen: stepCountIs(2),
      prompt: "say hi",
    });
    await ctx.approval("done");
    return text;
  });
  const { engine, settle } = harness("sqlite", [wf]);
  const { id } = await engine.start(wf, undefined);
  await settle(id);
  await engine.approve(id, "done", { action: "approve" });
  expect((await settle(id)).status).toBe("completed");

  const spans = exporter.getFinishedSpans();
  expect(spans.map((s) => s.name)).toEqual(["chat gpt-4o-mini", "execute_tool echo", "chat gpt-4o-mini"]);
  expect(spans[0]?.attributes).toMatchObject({
    "gen_ai.operation.name": "chat",
    "gen_ai.system": "openai",
    "gen_ai.request.model": "gpt-4o-mini",
    "gen_ai.response.model": "gpt-4o-mini",
    "gen_ai.response.finish_reasons": ["tool-calls"],
    "gen_ai.usage.input_tokens": 100,
    "gen_ai.usage.output_tokens": 10,
    "duro.run_id": id,
    "duro.step_key": "ai/gpt-4o-mini#0",
    "duro.cost_usd": 0.000021,
  });
  expect(spans[1]?.attributes).toMatchObject({ "gen_ai.tool.name": "echo", "gen_ai.tool.call.id": "call_1" });
});
