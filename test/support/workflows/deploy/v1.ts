// Version 1 of an order workflow, for the pre-deploy check: gold orders get a bonus step before the charge.
import { type WorkflowContext, workflow } from "duro";

export default workflow("order", async (ctx: WorkflowContext, input: { n: number; tier: "gold" | "basic" }) => {
  const price = await ctx.step("load", () => input.n * 10);
  if (input.tier === "gold") await ctx.step("bonus", () => 5);
  const charged = await ctx.step("charge", () => price);
  await ctx.waitForEvent("ship", { key: `ship:${input.n}` });
  return charged;
});
