// A question for a person: the run asks which team owns a ticket and waits (saved, holding no memory) for the answer.
//   npx duro run examples/triage.ts --input '{"title":"login page is slow"}'
//   npx duro answer <runId> team --value '"web"'
//   npx duro resume <runId>
import { workflow } from "duro";

export default workflow("triage", async (ctx, input: { title: string }) => {
  const team = await ctx.ask("team", { prompt: `Which team owns "${input.title}"?`, choices: ["web", "backend", "mobile"] });
  const ticket = await ctx.step("file-ticket", ({ idempotencyKey }) => ({ ticket: `T-${idempotencyKey.slice(-6)}`, team }));
  return ticket;
});
