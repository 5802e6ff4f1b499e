// An approval that waits: a person must approve an expense; the run is saved while it waits (for days if
// need be) and nothing is held in memory. Above the limit, finance must approve too.
//   npx duro run examples/expense.ts --input '{"employee":"ada","amount":120}'
//   npx duro approve <runId> manager --comment "ok"
//   npx duro resume <runId>
import { createHash } from "node:crypto";
import { workflow } from "duro";

export default workflow("expense", async (ctx, input: { employee: string; amount: number }) => {
  const gates = input.amount > 1000 ? ["manager", "finance"] : undefined;
  const decision = await ctx.approval("manager", {
    summary: `${input.employee} claims ${input.amount} EUR`,
    timeout: "14d",
    ...(gates ? { gates } : {}),
  });
  if (decision.action !== "approve") return { paid: false, reason: decision.comment ?? decision.action };
  // A payment provider would take the idempotency key itself; the stand-in derives its transfer id from it.
  const payout = await ctx.step("pay-out", ({ idempotencyKey }) => ({
    transfer: `tr-${createHash("sha256").update(idempotencyKey).digest("hex").slice(0, 12)}`,
    amount: input.amount,
  }));
  return { paid: true, approvedBy: decision.by, ...payout };
});
