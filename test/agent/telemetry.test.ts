// Every model call and tool call is an OpenTelemetry span with gen_ai.* attributes and its cost.
import { trace } from "@opentelemetry/api";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { tool, workflow } from "duro";
import { afterAll, expect, it } from "vitest";
import { harness } from "../support/engine.js";
import { callTool, mockLlm } from "../support/llm.js";

const exporter = new InMemorySpanExporter();
trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
afterAll(() => trace.disable());

it("model calls and tool calls are gen_ai spans with tokens and cost", async () => {
  await mockLlm({
    replies: [
      callTool("echo", { text: "hi" }, { inputTokens: 100, outputTokens: 10 }),
      { content: "said hi", usage: { inputTokens: 200, outputTokens: 20 } },
    ],
  });
  const echo = tool({ name: "echo", parameters: { type: "object" }, run: (args: { text: string }) => args.text });
  const wf = workflow(
    "traced",
    async (ctx) => (await ctx.agent("echoer", { model: "openai:gpt-4o-mini", prompt: "say hi", tools: [echo] })).text,
  );
  const { engine, settle } = harness("memory", [wf]);
  const { id } = await engine.start(wf, {});
  expect((await settle(id)).status).toBe("completed");
  const spans = exporter.getFinishedSpans();
  expect(spans.map((s) => s.name)).toEqual(["chat gpt-4o-mini", "execute_tool echo", "chat gpt-4o-mini"]);
  expect(spans[0]?.attributes).toMatchObject({
    "gen_ai.operation.name": "chat",
    "gen_ai.system": "openai",
    "gen_ai.request.model": "gpt-4o-mini",
    "gen_ai.response.model": "gpt-4o-mini",
    "gen_ai.usage.input_tokens": 100,
    "gen_ai.usage.output_tokens": 10,
    "gen_ai.agent.name": "echoer",
    "duro.run_id": id,
    "duro.step_key": "echoer/turn#0",
    "duro.cost_usd": 0.000021,
  });
  expect(spans[1]?.attributes).toMatchObject({ "gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "echo" });
});
