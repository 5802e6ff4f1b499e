// durableTools with the AI SDK's tool loop and mock model (ai/test) on a real SQLite file: each execute is a journaled
// step that a replay does not run again, and a tool needing approval waits for a durable approval; a rejection reaches
// the model as the tool's output and the run completes.
import { generateText, stepCountIs, tool, wrapLanguageModel } from "ai";
import { MockLanguageModelV3 } from "ai/test";
import { workflow } from "duro";
import { durableTools, duroMiddleware } from "duro/ai";
import { expect, it } from "vitest";
import { z } from "zod";
import { harness } from "../support/engine.js";

type Reply = Awaited<ReturnType<MockLanguageModelV3["doGenerate"]>>;

const usage = {
  inputTokens: { total: 10, noCache: 10, cacheRead: 0, cacheWrite: 0 },
  outputTokens: { total: 5, text: 5, reasoning: 0 },
};

const callDeploy: Reply = {
  content: [{ type: "tool-call", toolCallId: "call_7", toolName: "deploy", input: JSON.stringify({ service: "api" }) }],
  finishReason: { unified: "tool-calls", raw: "tool_calls" },
  usage,
  warnings: [],
};
const done: Reply = { content: [{ type: "text", text: "Finished." }], finishReason: { unified: "stop", raw: "stop" }, usage, warnings: [] };

/** A deploy agent whose tool needs approval (the SDK's own flag); returns the model, the tool's calls and the workflow. */
function deployAgent(approvalBy: "needsApproval" | "option", approvalTimeout?: string) {
  const model = new MockLanguageModelV3({ modelId: "gpt-4o-mini", provider: "openai.chat", doGenerate: [callDeploy, done] });
  const deployed: string[] = [];
  const deploy = tool({
    description: "Deploys a service",
    inputSchema: z.object({ service: z.string() }),
    ...(approvalBy === "needsApproval" ? { needsApproval: true } : {}),
    execute: async ({ service }) => {
      deployed.push(service);
      return { deployed: service };
    },
  });
  const wf = workflow("deployer", async (ctx) => {
    const tools = durableTools(
      ctx,
      { deploy },
      {
        ...(approvalBy === "option" ? { approval: { deploy: true } } : {}),
        ...(approvalTimeout ? { approvalTimeout } : {}),
      },
    );
    const result = await generateText({
      model: wrapLanguageModel({ model, middleware: duroMiddleware(ctx) }),
      tools,
      stopWhen: stepCountIs(3),
      prompt: "Deploy the api",
    });
    await ctx.approval("finish");
    return result.text;
  });
  return { model, deployed, wf };
}

/** The tool output the model received in its second call. */
function toolOutputSent(model: MockLanguageModelV3): unknown {
  const prompt = model.doGenerateCalls[1]?.prompt ?? [];
  const toolMessage = prompt.find((m) => m.role === "tool");
  return toolMessage?.role === "tool" ? toolMessage.content[0] : undefined;
}

it.each(["needsApproval", "option"] as const)("a tool needing approval (%s) waits for it, runs once on approve and replays", async (by) => {
  const { model, deployed, wf } = deployAgent(by);
  const h = harness("sqlite", [wf]);
  const { id } = await h.engine.start(wf, undefined);
  const waiting = await h.settle(id);
  expect(waiting.status).toBe("waiting");
  expect(deployed).toEqual([]);

  await h.engine.approve(id, "tool:deploy", { action: "approve", by: "ada" });
  expect((await h.settle(id)).status).toBe("waiting");
  await h.engine.approve(id, "finish", { action: "approve" });
  const run = await h.settle(id);

  expect(run).toMatchObject({ status: "completed", output: "Finished." });
  expect(deployed).toEqual(["api"]);
  expect(model.doGenerateCalls).toHaveLength(2);
  expect(toolOutputSent(model)).toMatchObject({ toolCallId: "call_7", output: { type: "json", value: { deployed: "api" } } });
  const keys = (await h.engine.events(id)).flatMap((e) => (e.type === "step_completed" ? [e.key] : []));
  expect(keys).toEqual(["ai/gpt-4o-mini#0", "ai/tool:deploy:call_7#0", "ai/gpt-4o-mini#1"]);
});

it("a rejected tool call does not run; the model gets the refusal and the run completes", async () => {
  const { model, deployed, wf } = deployAgent("needsApproval");
  const h = harness("sqlite", [wf]);
  const { id } = await h.engine.start(wf, undefined);
  expect((await h.settle(id)).status).toBe("waiting");

  await h.engine.approve(id, "tool:deploy", { action: "reject", by: "ada", comment: "not on a Friday" });
  await h.settle(id);
  await h.engine.approve(id, "finish", { action: "approve" });
  const run = await h.settle(id);

  expect(run).toMatchObject({ status: "completed", output: "Finished." });
  expect(deployed).toEqual([]);
  expect(toolOutputSent(model)).toMatchObject({
    toolCallId: "call_7",
    output: {
      type: "text",
      value:
        'The call of the tool "deploy" was rejected by ada: not on a Friday. It did not run; do not call it again with the same input.',
    },
  });
});

it("an approval that times out refuses the call like a rejection", async () => {
  const { model, deployed, wf } = deployAgent("needsApproval", "1h");
  const h = harness("sqlite", [wf]);
  const { id } = await h.engine.start(wf, undefined);
  expect((await h.settle(id)).status).toBe("waiting");

  h.clock.advance(3_600_000);
  expect((await h.settle(id)).waits?.map((w) => w.key)).toEqual(["finish#0"]);

  expect(deployed).toEqual([]);
  expect(toolOutputSent(model)).toMatchObject({
    output: { type: "text", value: expect.stringContaining("rejected: no decision within 1h") },
  });
});

it("two calls needing approval in one model step wait together and are decided one by one by their wait keys", async () => {
  const model = new MockLanguageModelV3({
    modelId: "gpt-4o-mini",
    provider: "openai.chat",
    doGenerate: [
      {
        ...callDeploy,
        content: [
          { type: "tool-call", toolCallId: "call_1", toolName: "deploy", input: '{"service":"api"}' },
          { type: "tool-call", toolCallId: "call_2", toolName: "deploy", input: '{"service":"web"}' },
        ],
      },
      done,
    ],
  });
  const deployed: string[] = [];
  const deploy = tool({
    inputSchema: z.object({ service: z.string() }),
    needsApproval: true,
    execute: async ({ service }) => {
      deployed.push(service);
      return { deployed: service };
    },
  });
  const wf = workflow("two-deploys", async (ctx) => {
    const wrapped = wrapLanguageModel({ model, middleware: duroMiddleware(ctx) });
    return (await generateText({ model: wrapped, tools: durableTools(ctx, { deploy }), stopWhen: stepCountIs(3), prompt: "Deploy both" }))
      .text;
  });
  const h = harness("sqlite", [wf]);
  const { id } = await h.engine.start(wf, undefined);
  const waiting = await h.settle(id);
  expect(waiting.waits?.map((w) => [w.key, w.summary])).toEqual([
    ["tool:deploy#0", 'the model wants to call the tool "deploy" with {"service":"api"}'],
    ["tool:deploy#1", 'the model wants to call the tool "deploy" with {"service":"web"}'],
  ]);

  await h.engine.approve(id, "tool:deploy#0", { action: "approve" });
  await h.engine.approve(id, "tool:deploy#1", { action: "reject", comment: "web is frozen" });
  const run = await h.settle(id);

  expect(run).toMatchObject({ status: "completed", output: "Finished." });
  expect(deployed).toEqual(["api"]);
  const toolMessage = model.doGenerateCalls[1]?.prompt.find((m) => m.role === "tool");
  expect(toolMessage?.content).toMatchObject([
    { toolCallId: "call_1", output: { type: "json", value: { deployed: "api" } } },
    { toolCallId: "call_2", output: { type: "text", value: expect.stringContaining("rejected: web is frozen") } },
  ]);
});

it("a tool that fails after its attempts reaches the model as a tool error; the run goes on", async () => {
  const model = new MockLanguageModelV3({ modelId: "gpt-4o-mini", provider: "openai.chat", doGenerate: [callDeploy, done] });
  let attempts = 0;
  const deploy = tool({
    inputSchema: z.object({ service: z.string() }),
    execute: async (): Promise<string> => {
      attempts++;
      throw new Error("registry unreachable");
    },
  });
  const wf = workflow("failing-tool", async (ctx) => {
    const wrapped = wrapLanguageModel({ model, middleware: duroMiddleware(ctx) });
    const tools = durableTools(ctx, { deploy }, { retry: { maxAttempts: 1 } });
    return (await generateText({ model: wrapped, tools, stopWhen: stepCountIs(3), prompt: "Deploy" })).text;
  });
  const h = harness("sqlite", [wf]);
  const { id } = await h.engine.start(wf, undefined);
  const run = await h.settle(id);

  expect(run).toMatchObject({ status: "completed", output: "Finished." });
  expect(attempts).toBe(1);
  expect(toolOutputSent(model)).toMatchObject({
    output: { type: "error-text", value: expect.stringContaining("registry unreachable") },
  });
});
