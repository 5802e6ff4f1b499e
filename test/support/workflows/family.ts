// Fixture: a parent whose child run waits for an event the input names.
import { workflow } from "duro";

export const kid = workflow("kid", { version: "1" }, async (ctx, input: { key: string }) => {
  const payload = await ctx.waitForEvent("go", { key: input.key });
  return { payload };
});

export default workflow("family", { version: "1" }, async (ctx, input: { key: string }) => {
  const child = await ctx.child("kid", kid, input);
  return { child };
});
