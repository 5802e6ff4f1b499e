// The expense example pays out with a transfer id derived from its step's idempotency key (it once read "tr--out#0").
import { createTestEngine } from "duro/testing";
import { expect, it } from "vitest";
import expense from "../../examples/expense.js";

it("an approved expense is paid with a transfer id that is stable per run and differs between runs", async () => {
  const kit = createTestEngine({ workflows: [expense] });
  const transfers: string[] = [];
  for (const employee of ["ada", "bob"]) {
    const runId = await kit.start(expense, { employee, amount: 120 });
    const waiting = await kit.runToNextWait(runId);
    expect(waiting.error).toBeUndefined();
    await kit.approve(runId, "manager", { action: "approve", by: "lin" });
    await kit.runToCompletion(runId);
    const run = await kit.engine.get(runId);
    expect(run.output).toMatchObject({ paid: true, approvedBy: "lin", amount: 120 });
    transfers.push((run.output as { transfer: string }).transfer);
  }
  for (const transfer of transfers) expect(transfer).toMatch(/^tr-[0-9a-f]{12}$/);
  expect(transfers[0]).not.toBe(transfers[1]);
  await kit.close();
});
