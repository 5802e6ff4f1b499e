// The workflow every example app runs: reserve (a step), wait for a person to approve shipping, ship (a step).
// Each step prints when it runs, so a restart that replays the journal shows it does not run a completed step again.
import { workflow } from "duro";

/** How long the reserve step takes (ms): long enough in the tests to stop the app while it runs. */
const RESERVE_MS = Number(process.env.RESERVE_MS ?? 0);

export const order = workflow("order", async (ctx, input: { item: string }) => {
  const reserved = await ctx.step("reserve", async () => {
    console.log(`step reserve started for ${input.item}`);
    await new Promise((resolve) => setTimeout(resolve, RESERVE_MS));
    return { item: input.item, slot: "A-1" };
  });
  const decision = await ctx.approval("ship", { summary: `ship ${input.item}?` });
  if (decision.action !== "approve") return { ...reserved, shipped: false };
  return ctx.step("ship", () => {
    console.log(`step ship ran for ${input.item}`);
    return { ...reserved, shipped: true, by: decision.by };
  });
});
