// A three-phase template (plan, draft, review) with approval gates: a person approves the outline and the
// draft; rejecting re-runs the phase with the comment. The run waits (for days if need be) at each gate and
// ends with phases.json and phases.md in .duro/runs/<runId>/.
//   npx duro run examples/agents/article.ts --input '{"topic":"durable agents"}' --mock-llm examples/agents/article.mock.json
//   npx duro approve <runId> plan                 (or --reject --comment "more depth", or --abort)
//   npx duro resume <runId> --mock-llm examples/agents/article.mock.json
//   npx duro approve <runId> draft && npx duro resume <runId> --mock-llm examples/agents/article.mock.json
import { type PhaseTemplate, runPhases, workflow } from "duro";
import { z } from "zod";

const article: PhaseTemplate = {
  name: "article",
  phases: [
    {
      name: "plan",
      role: "planner",
      instructions: "Outline a short article: a title and three to five section headings.",
      artifact: { name: "outline", schema: z.object({ title: z.string(), sections: z.array(z.string()).min(3).max(5) }) },
    },
    {
      name: "draft",
      role: "writer",
      instructions: "Write the article following the approved outline, one paragraph per section.",
      artifact: { name: "draft", schema: z.object({ title: z.string(), paragraphs: z.array(z.string()).min(3) }) },
    },
    {
      name: "review",
      role: "reviewer",
      instructions: "Review the draft for accuracy and clarity; list concrete issues.",
      artifact: { name: "review", schema: z.object({ verdict: z.enum(["publish", "revise"]), issues: z.array(z.string()) }) },
      gates: [],
    },
  ],
};

export default workflow("article", async (ctx, input: { topic: string }) => {
  ctx.budget({ maxCostUsd: 0.5, maxTokens: 200_000 });
  return runPhases(ctx, article, {
    task: input,
    personas: {
      planner: { model: "openai:gpt-4o-mini", system: "You are an editor who plans clear, short articles." },
      writer: { model: "anthropic:claude-haiku-4-5", system: "You are a precise technical writer." },
      reviewer: { model: "openai:gpt-4o", system: "You are a demanding reviewer." },
    },
  });
});
