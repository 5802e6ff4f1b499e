// Fixture: a run that stores a named, tagged plan and an untagged JSON result as artifacts (duro artifacts list/get).
import { workflow } from "duro";

export default workflow("artifacts", { version: "1" }, async (ctx, input: { topic?: string }) => {
  const plan = await ctx.artifact("plan", `# Plan for ${input.topic ?? "nothing"}\n`, { name: "plan.md", tags: ["plan", "draft"] });
  const data = await ctx.artifact("data", { topic: input.topic ?? null, steps: 3 });
  return { plan: plan.sha256, data: data.sha256 };
});
