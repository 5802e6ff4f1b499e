// A research agent with two tools and a cost budget. Every model turn and tool call is a journaled step: kill
// the process mid-loop and `duro resume` continues without paying for a completed call again.
//   npx duro run examples/agents/research.ts --input '{"question":"Why do agent runs need a journal?"}' \
//     --mock-llm examples/agents/research.mock.json          (offline; drop --mock-llm and set OPENAI_API_KEY for real)
import { tool, workflow } from "duro";
import { z } from "zod";

// An offline corpus so the example runs anywhere; a real tool would call a search API with step.idempotencyKey.
const CORPUS: Record<string, string> = {
  journal: "A journal is an append-only list of events; replaying it rebuilds a run's state after a crash.",
  "llm-cost": "Model calls are billed per token; re-running a crashed agent from scratch pays for every call again.",
};

const search = tool({
  name: "search",
  description: "Finds documents about a topic; returns their ids and titles",
  parameters: z.object({ query: z.string().min(2) }),
  run: ({ query }) =>
    Object.keys(CORPUS)
      .filter((id) =>
        query
          .toLowerCase()
          .split(/\W+/)
          .some((word) => word.length > 2 && id.includes(word)),
      )
      .map((id) => ({ id, title: id.replace("-", " ") })),
});

const read = tool({
  name: "read",
  description: "Reads one document by id",
  parameters: z.object({ id: z.string() }),
  run: ({ id }) => CORPUS[id] ?? `no document "${id}"`,
});

export default workflow("research", async (ctx, input: { question: string }) => {
  // All model calls of this run together may cost at most 5 cents; at 80% a limit_warning is journaled.
  ctx.budget({ maxCostUsd: 0.05 });
  const result = await ctx.agent("researcher", {
    model: "openai:gpt-4o-mini",
    system: "You answer questions from documents you search and read. Cite document ids.",
    prompt: input.question,
    tools: [search, read],
    maxIterations: 8,
    responseSchema: z.object({ answer: z.string(), sources: z.array(z.string()) }),
  });
  return { ...(result.data as { answer: string; sources: string[] }), costUsd: result.costUsd, iterations: result.iterations };
});
