// Fixture for agent crash tests: a tool loop against whatever OPENAI_BASE_URL points at (the test's mock).
import { tool, workflow } from "duro";

const lookup = tool({
  name: "lookup",
  description: "Looks a topic up",
  parameters: { type: "object", properties: { topic: { type: "string" } }, required: ["topic"] },
  run: (args: { topic: string }) => ({ topic: args.topic, facts: [`${args.topic} is durable`] }),
});

export default workflow("agent-loop", { version: "1" }, async (ctx, input: { question: string }) => {
  ctx.budget({ maxCostUsd: 10 });
  const result = await ctx.agent("research", { model: "openai:gpt-4o-mini", prompt: input.question, tools: [lookup], maxIterations: 10 });
  return { answer: result.text, iterations: result.iterations, toolCalls: result.toolCalls };
});
