// Fixture for duro/ai process tests: the AI SDK's real OpenAI provider, wrapped by duroMiddleware, against whatever
// OPENAI_BASE_URL points at (the test's mock LLM server). Three generateText calls, then a streamText call.
import { createOpenAI } from "@ai-sdk/openai";
import { generateText, streamText, wrapLanguageModel } from "ai";
import { workflow } from "duro";
import { duroMiddleware } from "duro/ai";

export default workflow("ai-sdk-notes", { version: "1" }, async (ctx, input: { topics: string[] }) => {
  ctx.budget({ maxCostUsd: 1 });
  // The provider reads OPENAI_API_KEY and OPENAI_BASE_URL itself: the key stays in its request headers, never journaled.
  const openai = createOpenAI();
  const model = wrapLanguageModel({ model: openai.chat("gpt-4o-mini"), middleware: duroMiddleware(ctx) });
  const notes: string[] = [];
  for (const topic of input.topics) {
    const { text } = await generateText({ model, prompt: `One line on ${topic}` });
    notes.push(text);
  }
  const summary = streamText({ model, prompt: `Summarize: ${notes.join(" ")}` });
  let streamed = "";
  for await (const chunk of summary.textStream) streamed += chunk;
  return { notes, summary: streamed };
});
