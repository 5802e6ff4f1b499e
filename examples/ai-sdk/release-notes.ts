// An AI SDK agent inside a duro workflow: the model calls go through duroMiddleware and the tools through
// durableTools, so each is a journaled step; `publish` needs approval and waits for `duro approve`.
//   npx duro run examples/ai-sdk/release-notes.ts --id r_notes --input '{"version":"1.2.0","since":"v1.1.0"}' \
//     --mock-llm examples/ai-sdk/release-notes.mock.json     (offline; drop --mock-llm and set OPENAI_API_KEY for real)
//   npx duro approve r_notes tool:publish
//   npx duro resume r_notes --mock-llm examples/ai-sdk/release-notes.mock.json
import { createOpenAI } from "@ai-sdk/openai";
import { generateText, stepCountIs, tool, wrapLanguageModel } from "ai";
import { workflow } from "duro";
import { durableTools, duroMiddleware } from "duro/ai";
import { z } from "zod";

// An offline change log so the example runs anywhere; a real tool would read the repository.
const CHANGES = ["feat: lease fencing for PostgreSQL workers", "fix: replay skips journaled model calls", "docs: the AI SDK page"];

const changes = tool({
  description: "Lists the changes merged since a tag",
  inputSchema: z.object({ since: z.string() }),
  execute: async ({ since }) => ({ since, changes: CHANGES }),
});

const publish = tool({
  description: "Publishes release notes",
  inputSchema: z.object({ version: z.string(), notes: z.string() }),
  // A person approves each publication: the run waits (no process needs to stay up) until `duro approve`.
  needsApproval: true,
  execute: async ({ version }) => ({ url: `https://example.com/releases/${version}` }),
});

export default workflow("release-notes", async (ctx, input: { version: string; since: string }) => {
  ctx.budget({ maxCostUsd: 0.25 });
  // OPENAI_API_KEY and OPENAI_BASE_URL come from the environment (`--mock-llm` points them at the mock).
  const model = wrapLanguageModel({ model: createOpenAI().chat("gpt-4o-mini"), middleware: duroMiddleware(ctx) });
  const result = await generateText({
    model,
    tools: durableTools(ctx, { changes, publish }),
    stopWhen: stepCountIs(5),
    system: "You write short release notes and publish them.",
    prompt: `Write the release notes for version ${input.version} (changes since ${input.since}) and publish them.`,
  });
  return { summary: result.text, modelCalls: result.steps.length, tokens: result.totalUsage.totalTokens };
});
