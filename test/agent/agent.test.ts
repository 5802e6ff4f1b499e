// ctx.agent: the tool loop journals each model turn and each tool call as its own step; invalid tool
// arguments go back to the model; budgets warn first, then stop or suspend the run as configured.
import { type JournalEvent, limitsKey, tool, workflow } from "duro";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { harness } from "../support/engine.js";
import { callTool, mockLlm } from "../support/llm.js";

const weather = tool({
  name: "weather",
  description: "Current weather in a city",
  parameters: z.object({ city: z.string() }),
  run: ({ city }) => ({ city, celsius: city.length }),
});

const clockTool = tool({
  name: "clock",
  parameters: { type: "object", properties: { zone: { type: "string" } }, required: ["zone"], additionalProperties: false },
  run: (args) => `12:00 ${args.zone}`,
});

const stepKeys = (events: JournalEvent[]) => events.flatMap((e) => (e.type === "step_completed" ? [e.key] : []));

describe("ctx.agent", () => {
  it("runs tools the model calls, each turn and tool call a step; bad arguments go back to the model as a tool error", async () => {
    const server = await mockLlm({
      replies: [
        callTool("weather", { city: "Oslo" }),
        callTool("clock", { zone: 5 }),
        callTool("clock", "{oops"),
        callTool("clock", { zone: "CET" }),
        { content: "Oslo: 4 degrees at 12:00 CET" },
      ],
    });
    const wf = workflow("assistant", async (ctx) => {
      const result = await ctx.agent("helper", {
        model: "gpt-test",
        system: "You help.",
        prompt: "Weather and time in Oslo?",
        tools: [weather, clockTool],
      });
      return { text: result.text, iterations: result.iterations, toolCalls: result.toolCalls };
    });
    const { engine, settle } = harness("sqlite", [wf]);
    const { id } = await engine.start(wf, {});
    expect(await settle(id)).toMatchObject({
      status: "completed",
      output: { text: "Oslo: 4 degrees at 12:00 CET", iterations: 5, toolCalls: 4 },
    });
    expect(stepKeys(await engine.events(id))).toEqual([
      "helper/turn#0",
      "helper/tool:weather#0",
      "helper/turn#1",
      "helper/turn#2",
      "helper/turn#3",
      "helper/tool:clock#0",
      "helper/turn#4",
    ]);
    const lastSent = (i: number) => (server.requests[i]?.body.messages as Array<{ role: string; content: string }> | undefined)?.at(-1);
    expect(lastSent(1)).toMatchObject({ role: "tool", content: '{"city":"Oslo","celsius":4}' });
    expect(lastSent(2)?.content).toMatch(/^error: invalid arguments for clock: \/zone: must be string/);
    expect(lastSent(3)?.content).toMatch(/^error: the arguments are not valid JSON/);
    expect(server.requests[0]?.body.tools).toEqual([
      expect.objectContaining({
        function: expect.objectContaining({ name: "weather", parameters: expect.objectContaining({ required: ["city"] }) }),
      }),
      expect.objectContaining({ function: expect.objectContaining({ name: "clock" }) }),
    ]);
  });

  it("maxIterations ends a loop that keeps calling tools with limit_exceeded", async () => {
    const server = await mockLlm({ replies: Array.from({ length: 10 }, () => callTool("weather", { city: "Rome" })) });
    const wf = workflow("looper", async (ctx) =>
      ctx.agent("loop", { model: "gpt-test", prompt: "go", tools: [weather], maxIterations: 3 }),
    );
    const { engine, settle } = harness("memory", [wf]);
    const { id } = await engine.start(wf, {});
    const run = await settle(id);
    expect(run.error).toMatchObject({
      code: "limit_exceeded",
      category: "limit",
      details: { scope: "agent loop", limit: "maxIterations", max: 3 },
    });
    expect(server.requests).toHaveLength(3);
  });
});

// Each call costs 500 + 500 tokens at $250 per million: exactly $0.25.
const COSTLY = { inputTokens: 500, outputTokens: 500 };
const PRICES = { "gpt-test": { input: 250, output: 250 } };

function spender(onExceed: "fail" | "suspend") {
  return workflow(`spender-${onExceed}`, async (ctx) => {
    ctx.budget({ maxCostUsd: 0.9, onExceed });
    const result = await ctx.agent("spend", { model: "gpt-test", prompt: "go", tools: [weather], maxIterations: 20, prices: PRICES });
    return { costUsd: result.costUsd, iterations: result.iterations };
  });
}

describe("budgets", () => {
  it("a cost budget that runs out mid-loop warns at 80% and then fails the run with limit_exceeded", async () => {
    const server = await mockLlm({ replies: Array.from({ length: 8 }, () => callTool("weather", { city: "Rome" }, COSTLY)) });
    const wf = spender("fail");
    const { engine, settle } = harness("sqlite", [wf]);
    const { id } = await engine.start(wf, {});
    const run = await settle(id);
    expect(run.error).toMatchObject({ code: "limit_exceeded", details: { scope: "run", limit: "maxCostUsd", current: 1, max: 0.9 } });
    // $0.75 after the third call crosses 80% of $0.90; the fourth brings $1.00, so no fifth call is made.
    expect(server.requests).toHaveLength(4);
    const events = await engine.events(id);
    const warnings = events.filter((e) => e.type === "limit_warning");
    expect(warnings).toEqual([expect.objectContaining({ limit: "run.maxCostUsd", current: 0.75, max: 0.9 })]);
    const failed = events.find((e) => e.type === "run_failed");
    expect((warnings[0] as JournalEvent).seq).toBeLessThan((failed as JournalEvent).seq);
  });

  it("with onExceed suspend the run waits until the limit is raised, then goes on without resending a call", async () => {
    const server = await mockLlm({
      replies: [...Array.from({ length: 5 }, () => callTool("weather", { city: "Rome" }, COSTLY)), { content: "done", usage: COSTLY }],
    });
    const wf = spender("suspend");
    const { engine, settle } = harness("sqlite", [wf]);
    const { id } = await engine.start(wf, {});
    const waiting = await settle(id);
    expect(waiting.status).toBe("waiting");
    expect(waiting.waits).toEqual([expect.objectContaining({ key: "limit-raise#0", eventKey: limitsKey(id) })]);
    expect(server.requests).toHaveLength(4);
    await engine.signal(limitsKey(id), { maxCostUsd: 5 });
    expect(await settle(id)).toMatchObject({ status: "completed", output: { costUsd: 1.5, iterations: 6 } });
    expect(server.requests).toHaveLength(6);
    const kinds = (await engine.events(id)).map((e) => e.type);
    expect(kinds.indexOf("limit_warning")).toBeLessThan(kinds.indexOf("wait_started"));
  });
});
