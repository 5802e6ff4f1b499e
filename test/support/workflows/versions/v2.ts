// Version v2 of the shipment workflow: express orders book a drone instead of reserving a courier (so the express
// runs of v1 that passed that point cannot replay on v2), and the last step is v2's own.
import { type WorkflowContext, workflow } from "duro";
import type { ShipmentInput } from "./v1.js";

export default workflow("shipment", { version: "v2" }, async (ctx: WorkflowContext, input: ShipmentInput) => {
  const quote = await ctx.step("quote", () => input.n * 10);
  if (input.express) await ctx.step("book-drone", () => `drone-${input.n}`);
  await ctx.waitForEvent("ship", { key: `ship:${input.n}` });
  const shipped = await ctx.step("ship-v2", () => ({ pid: process.pid }));
  return { n: input.n, code: "v2", quote, pid: shipped.pid };
});
