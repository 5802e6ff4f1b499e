// duroMiddleware around the AI SDK's real OpenAI provider (@ai-sdk/openai) and duro's mock LLM server, in process on
// a SQLite file: the provider's HTTP errors become duro's classified codes, and the API key reaches neither the
// journal nor the error.
import { createOpenAI } from "@ai-sdk/openai";
import { generateText, wrapLanguageModel } from "ai";
import { workflow } from "duro";
import { duroMiddleware } from "duro/ai";
import { expect, it } from "vitest";
import { harness } from "../support/engine.js";
import { mockLlm, TEST_API_KEY } from "../support/llm.js";

function notesWorkflow(baseURL: string) {
  return workflow("notes", async (ctx) => {
    const openai = createOpenAI({ baseURL, apiKey: TEST_API_KEY });
    const model = wrapLanguageModel({ model: openai.chat("gpt-4o-mini"), middleware: duroMiddleware(ctx) });
    const { text } = await generateText({ model, prompt: "One line on journals", maxRetries: 0 });
    return text;
  });
}

it("a call answered with HTTP 400 fails the run with llm_request_failed after one request, without the key", async () => {
  const server = await mockLlm({ replies: [{ status: 400 }] });
  const wf = notesWorkflow(`${server.url}/v1`);
  const h = harness("sqlite", [wf]);
  const { id } = await h.engine.start(wf, undefined);
  const run = await h.settle(id);

  expect(run.status).toBe("failed");
  expect(run.error).toMatchObject({
    code: "step_failed",
    details: { step: "ai/gpt-4o-mini#0", error: { code: "llm_request_failed", retryable: false } },
  });
  expect(run.error?.message).toContain("openai answered HTTP 400");
  expect(server.requests).toHaveLength(1);
  expect(JSON.stringify(await h.engine.events(id))).not.toContain(TEST_API_KEY);
});

it("a completed call journals its answer and usage but not the key the provider sent", async () => {
  const server = await mockLlm({ replies: [{ content: "Journals are append-only.", usage: { inputTokens: 12, outputTokens: 6 } }] });
  const wf = notesWorkflow(`${server.url}/v1`);
  const h = harness("sqlite", [wf]);
  const { id } = await h.engine.start(wf, undefined);
  const run = await h.settle(id);

  expect(run).toMatchObject({ status: "completed", output: "Journals are append-only." });
  expect(server.requests[0]?.authorized).toBe(true);
  const events = await h.engine.events(id);
  expect(events.find((e) => e.type === "usage_recorded")).toMatchObject({ model: "openai:gpt-4o-mini", inputTokens: 12, outputTokens: 6 });
  expect(JSON.stringify(events)).not.toContain(TEST_API_KEY);
});
