// Workflows the server tests start through the API: an approval, a question, an event, validated input, a long journal.
import { NonRetryableError, tool, workflow } from "duro";
import { z } from "zod";

export const expense = workflow("expense", async (ctx, input: { amount: number }) => {
  const decision = await ctx.approval("manager", { summary: `pay ${input.amount} EUR` });
  const paid = await ctx.step("pay", () => ({ paid: decision.action === "approve", amount: input.amount }));
  return { ...paid, comment: decision.comment ?? null };
});

export const survey = workflow("survey", async (ctx) => {
  const colour = await ctx.ask("colour", { prompt: "Which colour?", choices: ["red", "blue"] });
  return { colour };
});

export const payment = workflow("payment", async (ctx, input: { key: string }) => {
  const paid = await ctx.waitForEvent("paid", { key: input.key });
  return { paid };
});

export const validated = workflow(
  "validated",
  { input: z.object({ sku: z.string(), qty: z.number().int().positive() }) },
  async (ctx, input) => ctx.step("reserve", () => ({ reserved: input.qty })),
);

/** Five steps, an approval, five more steps: a journal long enough to drop a stream in the middle of. */
export const longJournal = workflow("long-journal", async (ctx) => {
  for (let i = 0; i < 5; i++) await ctx.step(`before-${i}`, () => i);
  await ctx.approval("go");
  for (let i = 0; i < 5; i++) await ctx.step(`after-${i}`, () => i);
  return "done";
});

/** Fails for good at its second step. */
export const failing = workflow("failing", async (ctx) => {
  await ctx.step("load", () => ({ rows: 3 }));
  await ctx.step("charge", () => {
    throw new NonRetryableError("card declined");
  });
});

/** Stores a named, tagged report and an unnamed JSON value as artifacts. */
export const reporting = workflow("reporting", async (ctx, input: { title: string }) => {
  const report = await ctx.artifact("report", `# ${input.title}\n`, { name: "report.md", tags: ["report", input.title] });
  const data = await ctx.artifact("data", { title: input.title });
  return { report: report.sha256, data: data.sha256 };
});

/** How often `milestones` drafted: a fork from its bookmark must not draft again. */
export const drafts = { count: 0 };

/** A draft, a bookmark and a domain event, then an approval and a publish step: forked from the bookmark, it asks again. */
export const milestones = workflow("milestones", async (ctx, input: { title: string }) => {
  const draft = await ctx.step("draft", () => {
    drafts.count++;
    return { title: input.title };
  });
  ctx.bookmark("drafted");
  ctx.emit("draft.ready", draft);
  const decision = await ctx.approval("editor");
  return ctx.step("publish", () => ({ published: decision.action === "approve", ...draft }));
});

/** An agent whose tool the API's client runs (external: true). */
export const ideAgent = workflow("ide-agent", async (ctx) => {
  const openFile = tool({ name: "open_file", parameters: { type: "object" }, external: true });
  return (await ctx.agent("ide", { model: "gpt-test", prompt: "open it", tools: [openFile] })).text;
});

export const all = [expense, survey, payment, validated, longJournal, failing, reporting, milestones, ideAgent];
