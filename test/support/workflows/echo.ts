// Fixture: names a step and fails with the text its input gives (for output escaping), else returns its input.
import { workflow } from "duro";

export default workflow("echo", { version: "1" }, async (ctx, input: { step?: string; fail?: string; pad?: string }) => {
  if (input.step !== undefined) await ctx.step(input.step, () => "done");
  if (input.fail !== undefined) throw new Error(input.fail);
  return { ok: true };
});
