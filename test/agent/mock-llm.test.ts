// The mock LLM server speaks the real protocols: the official openai client and duro's own providers read
// its replies, errors carry the documented shapes, and every request is logged without its headers.
import OpenAI from "openai";
import { afterEach, describe, expect, it } from "vitest";
import { anthropic } from "../../src/agent/anthropic.js";
import { openAiCompatible } from "../../src/agent/openai.js";
import { type MockLlmServer, startMockLlm } from "../../src/testing/mock-llm.js";

let server: MockLlmServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const signal = new AbortController().signal;

describe("mock LLM server", () => {
  it("answers the official openai client with text and tool calls, streaming and not", async () => {
    server = await startMockLlm({
      replies: [
        { content: "hello", usage: { inputTokens: 11, outputTokens: 2 } },
        { toolCalls: [{ name: "search", arguments: { q: "durable" } }] },
        { content: "streamed" },
      ],
    });
    const client = new OpenAI({ apiKey: "sk-test-123456", baseURL: `${server.url}/v1`, maxRetries: 0 });
    const first = await client.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] });
    expect(first.choices[0]?.message.content).toBe("hello");
    expect(first.usage).toMatchObject({ prompt_tokens: 11, completion_tokens: 2, total_tokens: 13 });
    const second = await client.chat.completions.create({
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: "find" }],
      tools: [{ type: "function", function: { name: "search", parameters: { type: "object" } } }],
    });
    const call = second.choices[0]?.message.tool_calls?.[0];
    expect(second.choices[0]?.finish_reason).toBe("tool_calls");
    expect(call?.type === "function" && JSON.parse(call.function.arguments)).toEqual({ q: "durable" });
    const stream = await client.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "s" }], stream: true });
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
    expect(text).toBe("streamed");
    expect(server.requests.map((r) => [r.protocol, r.model, r.authorized, r.reply])).toEqual([
      ["openai", "gpt-4o-mini", true, 0],
      ["openai", "gpt-4o-mini", true, 1],
      ["openai", "gpt-4o-mini", true, 2],
    ]);
    expect(JSON.stringify(server.requests)).not.toContain("sk-test-123456");
  });

  it("the openai client sees a 429 with Retry-After as a RateLimitError", async () => {
    server = await startMockLlm({ replies: [{ status: 429, retryAfter: 7 }] });
    const client = new OpenAI({ apiKey: "k", baseURL: `${server.url}/v1`, maxRetries: 0 });
    const error = await client.chat.completions.create({ model: "m", messages: [{ role: "user", content: "x" }] }).catch((e) => e);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect(error.headers.get("retry-after")).toBe("7");
  });

  it("speaks Anthropic Messages: tool_use blocks in, tool_result blocks out", async () => {
    server = await startMockLlm({ replies: [{ toolCalls: [{ name: "lookup", arguments: { id: 3 } }] }, { content: "done" }] });
    process.env.DURO_TEST_ANTHROPIC_KEY = "ant-secret-key";
    const provider = anthropic({ baseUrl: server.url, apiKeyEnv: "DURO_TEST_ANTHROPIC_KEY" });
    const first = await provider.chat({
      model: "claude-haiku-4-5",
      messages: [
        { role: "system", content: "be brief" },
        { role: "user", content: "look up 3" },
      ],
      tools: [{ name: "lookup", parameters: { type: "object" } }],
      signal,
    });
    expect(first.message.toolCalls).toEqual([{ id: "toolu_mock_1_0", name: "lookup", arguments: '{"id":3}' }]);
    const second = await provider.chat({
      model: "claude-haiku-4-5",
      messages: [
        { role: "user", content: "look up 3" },
        first.message,
        { role: "tool", toolCallId: "toolu_mock_1_0", name: "lookup", content: "found" },
      ],
      signal,
    });
    expect(second.message.content).toBe("done");
    const body = server.requests[1]?.body as { messages: Array<{ role: string; content: unknown }> };
    expect(body.messages.at(-1)).toEqual({
      role: "user",
      content: [{ type: "tool_result", tool_use_id: "toolu_mock_1_0", content: "found" }],
    });
    expect(server.requests[0]?.body.system).toBe("be brief");
  });

  it("providers classify errors: 429 and 500 retryable with Retry-After, bad JSON retryable, 400 not; no key in messages", async () => {
    server = await startMockLlm({
      replies: [{ status: 429, retryAfter: 3 }, { status: 500 }, { raw: "{not json" }, { status: 400 }],
    });
    process.env.DURO_TEST_OPENAI_KEY = "sk-very-secret";
    const provider = openAiCompatible({ baseUrl: `${server.url}/v1`, apiKeyEnv: "DURO_TEST_OPENAI_KEY" });
    const call = () => provider.chat({ model: "m", messages: [{ role: "user", content: "x" }], signal }).catch((e) => e);
    const errors = [await call(), await call(), await call(), await call()];
    expect(errors.map((e) => [e.code, e.retryable])).toEqual([
      ["llm_rate_limited", true],
      ["llm_server_error", true],
      ["llm_invalid_response", true],
      ["llm_request_failed", false],
    ]);
    expect(errors[0].details.retryAfterMs).toBe(3000);
    for (const e of errors) expect(`${e.message}${JSON.stringify(e.details)}`).not.toContain("sk-very-secret");
  });

  it("a slow reply past the provider's timeout is a retryable llm_timeout", async () => {
    server = await startMockLlm({ replies: [{ delayMs: 2000, content: "late" }] });
    process.env.DURO_TEST_OPENAI_KEY = "k";
    const provider = openAiCompatible({ baseUrl: `${server.url}/v1`, apiKeyEnv: "DURO_TEST_OPENAI_KEY", timeoutMs: 100 });
    const error = await provider.chat({ model: "m", messages: [{ role: "user", content: "x" }], signal }).catch((e) => e);
    expect([error.code, error.retryable]).toEqual(["llm_timeout", true]);
  });
});
