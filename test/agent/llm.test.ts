// ctx.llm: one durable step per model call, usage and cost journaled, provider errors retried as classified,
// structured output validated with repairs; API keys never reach the journal.
import { workflow } from "duro";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { harness, STORES } from "../support/engine.js";
import { mockLlm, TEST_API_KEY } from "../support/llm.js";

const PRICES = { "gpt-test": { input: 2, output: 10 } };

describe.each(STORES)("%s store", (kind) => {
  it("a completed model call is journaled once with its usage and cost, and replay does not send it again", async () => {
    const server = await mockLlm({ replies: [{ content: "Paris", usage: { inputTokens: 1000, outputTokens: 100 } }] });
    const wf = workflow("ask-capital", async (ctx) => {
      const answer = await ctx.llm("capital", {
        model: "openai:gpt-test",
        messages: [{ role: "user", content: "Capital of France?" }],
        prices: PRICES,
      });
      await ctx.waitForEvent("go-on", { key: `go:${ctx.runId}` });
      return { text: answer.text, costUsd: answer.costUsd };
    });
    const { engine, settle } = harness(kind, [wf]);
    const { id } = await engine.start(wf, {});
    expect((await settle(id)).status).toBe("waiting");
    await engine.signal(`go:${id}`, {});
    const run = await settle(id);
    expect(run).toMatchObject({ status: "completed", output: { text: "Paris", costUsd: 0.003 } });
    expect(server.requests).toHaveLength(1);
    const events = await engine.events(id);
    expect(events.filter((e) => e.type === "usage_recorded")).toEqual([
      expect.objectContaining({ key: "capital#0", model: "openai:gpt-test", inputTokens: 1000, outputTokens: 100, costUsd: 0.003 }),
    ]);
    expect(JSON.stringify(events)).not.toContain(TEST_API_KEY);
  });
});

describe("ctx.llm", () => {
  it("a 429 is retried when its Retry-After says, not before", async () => {
    const server = await mockLlm({ replies: [{ status: 429, retryAfter: 5 }, { content: "ok" }] });
    const wf = workflow(
      "rate-limited",
      async (ctx) => (await ctx.llm("call", { model: "gpt-test", messages: [{ role: "user", content: "hi" }] })).text,
    );
    const { engine, settle, clock } = harness("memory", [wf]);
    const { id } = await engine.start(wf, {});
    expect((await settle(id)).status).toBe("waiting");
    const failed = (await engine.events(id)).find((e) => e.type === "step_failed");
    expect(failed?.type === "step_failed" && [failed.error.code, Date.parse(failed.retryAt ?? "") - Date.parse(failed.at)]).toEqual([
      "llm_rate_limited",
      5000,
    ]);
    clock.advance(4999);
    expect((await settle(id)).status).toBe("waiting");
    expect(server.requests).toHaveLength(1);
    clock.advance(1);
    expect(await settle(id)).toMatchObject({ status: "completed", output: "ok" });
    expect(server.requests).toHaveLength(2);
  });

  it("a 400 is not retried: the run fails with the provider's error", async () => {
    const server = await mockLlm({ replies: [{ status: 400 }] });
    const wf = workflow(
      "bad-request",
      async (ctx) => (await ctx.llm("call", { model: "gpt-test", messages: [{ role: "user", content: "hi" }] })).text,
    );
    const { engine, settle } = harness("memory", [wf]);
    const { id } = await engine.start(wf, {});
    const run = await settle(id);
    expect(run.status).toBe("failed");
    expect(run.error?.details?.error).toMatchObject({ code: "llm_request_failed", retryable: false });
    expect(server.requests).toHaveLength(1);
  });

  it("an Anthropic model is called through the Messages API", async () => {
    const server = await mockLlm({ replies: [{ content: "bonjour" }] });
    const wf = workflow(
      "anthropic-call",
      async (ctx) =>
        (
          await ctx.llm("greet", {
            model: "anthropic:claude-haiku-4-5",
            messages: [
              { role: "system", content: "French" },
              { role: "user", content: "hello" },
            ],
          })
        ).text,
    );
    const { engine, settle } = harness("memory", [wf]);
    const { id } = await engine.start(wf, {});
    expect(await settle(id)).toMatchObject({ status: "completed", output: "bonjour" });
    expect(server.requests[0]).toMatchObject({ protocol: "anthropic", model: "claude-haiku-4-5", body: { system: "French" } });
    const usage = (await engine.events(id)).find((e) => e.type === "usage_recorded");
    expect(usage?.type === "usage_recorded" && usage.costUsd).toBeGreaterThan(0);
  });

  it("structured output: an invalid reply is repaired by sending the validation errors back", async () => {
    const server = await mockLlm({
      replies: [{ content: '{"city":"Paris"}' }, { content: '```json\n{"city":"Paris","population":2100000}\n```' }],
    });
    const schema = {
      type: "object",
      required: ["city", "population"],
      properties: { city: { type: "string" }, population: { type: "integer" } },
    };
    const wf = workflow("structured", async (ctx) => {
      const result = await ctx.llm("facts", {
        model: "gpt-test",
        messages: [{ role: "user", content: "Facts about Paris" }],
        responseSchema: schema,
      });
      return { data: result.data, calls: result.calls };
    });
    const { engine, settle } = harness("memory", [wf]);
    const { id } = await engine.start(wf, {});
    expect(await settle(id)).toMatchObject({ status: "completed", output: { data: { city: "Paris", population: 2100000 }, calls: 2 } });
    expect(server.requests[0]?.body.response_format).toMatchObject({ type: "json_schema", json_schema: { schema } });
    const repair = server.requests[1]?.body.messages as Array<{ role: string; content: string }>;
    expect(repair.at(-1)?.content).toContain("must have required property 'population'");
  });

  it("structured output with a Standard Schema fails with schema_invalid listing the issues after the repairs", async () => {
    await mockLlm({ replies: [{ content: '{"n":"one"}' }, { content: "not json" }, { content: '{"n":"three"}' }] });
    const wf = workflow("never-valid", async (ctx) =>
      ctx.llm("count", {
        model: "gpt-test",
        messages: [{ role: "user", content: "a number" }],
        responseSchema: z.object({ n: z.number() }),
        repairs: 2,
      }),
    );
    const { engine, settle } = harness("memory", [wf]);
    const { id } = await engine.start(wf, {});
    const run = await settle(id);
    expect(run.error).toMatchObject({ code: "schema_invalid", details: { calls: 3, issues: [{ path: "n" }] } });
    expect(run.error?.message).toContain("n: Invalid input: expected number");
  });

  it("onToken sees the reply stream word by word; the journal keeps the final message", async () => {
    const server = await mockLlm({ replies: [{ content: "durable runs resume", usage: { inputTokens: 5, outputTokens: 3 } }] });
    const seen: string[] = [];
    const wf = workflow("streamed", async (ctx) => {
      const result = await ctx.llm("say", { model: "gpt-test", messages: [{ role: "user", content: "hi" }], onToken: (t) => seen.push(t) });
      return { text: result.text, usage: result.usage };
    });
    const { engine, settle } = harness("memory", [wf]);
    const { id } = await engine.start(wf, {});
    expect(await settle(id)).toMatchObject({
      status: "completed",
      output: { text: "durable runs resume", usage: { inputTokens: 5, outputTokens: 3 } },
    });
    expect(seen).toEqual(["durable ", "runs ", "resume"]);
    expect(server.requests[0]?.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  it("an Anthropic model streams too: text deltas to onToken, tool_use input assembled from its JSON deltas", async () => {
    const server = await mockLlm({
      replies: [
        { content: "let me check", toolCalls: [{ name: "lookup", arguments: { id: 7 } }], usage: { inputTokens: 9, outputTokens: 4 } },
      ],
    });
    const seen: string[] = [];
    const wf = workflow("streamed-anthropic", async (ctx) => {
      const result = await ctx.llm("say", {
        model: "anthropic:claude-haiku-4-5",
        messages: [{ role: "user", content: "hi" }],
        tools: [{ name: "lookup", parameters: { type: "object" } }],
        onToken: (t) => seen.push(t),
      });
      return { text: result.text, toolCalls: result.toolCalls, usage: result.usage };
    });
    const { engine, settle } = harness("memory", [wf]);
    const { id } = await engine.start(wf, {});
    expect(await settle(id)).toMatchObject({
      status: "completed",
      output: { text: "let me check", toolCalls: [{ name: "lookup", arguments: '{"id":7}' }], usage: { inputTokens: 9, outputTokens: 4 } },
    });
    expect(seen).toEqual(["let ", "me ", "check"]);
    expect(server.requests[0]).toMatchObject({ protocol: "anthropic", body: { stream: true } });
  });
});
