// Fixture for mocks that outlive one process: an HTTP call before a wait and one after it (both only mocked, on
// a domain that does not resolve), and a timestamp from ctx.now that a step returns, so a clock mock shows.
import { workflow } from "duro";

export const mocked = workflow("mocked", { version: "1" }, async (ctx, input: { key?: string }) => {
  const price = await ctx.step("price", async () => (await fetch("https://prices.duro.test/price")).json());
  const at = ctx.now().toISOString();
  const stamp = await ctx.step("stamp", () => `priced at ${at}`);
  const go = input.key === undefined ? null : await ctx.waitForEvent("go", { key: input.key });
  const charge = await ctx.step("charge", async () => (await fetch("https://pay.duro.test/charge")).json(), { retry: { maxAttempts: 1 } });
  return { price, stamp, go, charge };
});
