// Fixture: an agent whose run budget suspends the run when spent, until `duro limits raise`.
import { tool, workflow } from "duro";

const noop = tool({ name: "noop", parameters: { type: "object" }, run: () => "ok" });

export default workflow("agent-budget", { version: "1" }, async (ctx) => {
  // $0.25 per scripted call (500 + 500 tokens at $250 per million); the budget allows two calls.
  ctx.budget({ maxCostUsd: 0.5, onExceed: "suspend" });
  const result = await ctx.agent("spender", {
    model: "gpt-test",
    prompt: "go",
    tools: [noop],
    prices: { "gpt-test": { input: 250, output: 250 } },
  });
  return { text: result.text, costUsd: result.costUsd };
});
