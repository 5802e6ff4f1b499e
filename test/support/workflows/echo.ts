// Fixture: names a step and fails with the text its input gives (for output escaping), deletes the file it names
// (the database, to see that noticed), else completes.
import { rmSync } from "node:fs";
import { workflow } from "duro";

export default workflow("echo", { version: "1" }, async (ctx, input: { step?: string; fail?: string; pad?: string; remove?: string }) => {
  if (input.remove !== undefined) await ctx.step("remove", () => rmSync(input.remove as string));
  if (input.step !== undefined) await ctx.step(input.step, () => "done");
  if (input.fail !== undefined) throw new Error(input.fail);
  return { ok: true };
});
