// Version 2: gold orders are charged before the bonus (a changed step order on that path only).
import { type WorkflowContext, workflow } from "duro";

export default workflow("order", async (ctx: WorkflowContext, input: { n: number; tier: "gold" | "basic" }) => {
  const price = await ctx.step("load", () => input.n * 10);
  const charged = await ctx.step("charge", () => price);
  if (input.tier === "gold") await ctx.step("bonus", () => 5);
  await ctx.waitForEvent("ship", { key: `ship:${input.n}` });
  return charged;
});
