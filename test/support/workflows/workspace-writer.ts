// Fixture: a run that writes a file into its workspace, then waits for an approval before reading it back.
import { workflow } from "duro";

export default workflow("workspace-writer", { version: "1" }, async (ctx) => {
  const written = await ctx.workspace.writeFile("plan.md", "# Plan\n");
  await ctx.approval("review");
  return { written, text: ctx.workspace.readFile("plan.md") };
});
