// Version v1 of a shipment workflow, for the version-pinning test: express orders reserve a courier before they wait
// for the "ship" event; every run ends with a v1-only step that records which process ran it.
import { type WorkflowContext, workflow } from "duro";

export interface ShipmentInput {
  n: number;
  express: boolean;
}

export default workflow("shipment", { version: "v1" }, async (ctx: WorkflowContext, input: ShipmentInput) => {
  const quote = await ctx.step("quote", () => input.n * 10);
  if (input.express) await ctx.step("reserve-courier", () => `courier-${input.n}`);
  await ctx.waitForEvent("ship", { key: `ship:${input.n}` });
  const shipped = await ctx.step("ship-v1", () => ({ pid: process.pid }));
  return { n: input.n, code: "v1", quote, pid: shipped.pid };
});
