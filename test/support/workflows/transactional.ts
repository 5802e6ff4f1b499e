// A transactional step that inserts a row into the application's own table, then an ordinary step: for crash
// tests of ctx.transaction (the row and the step's journal record must both exist or both not).
import { workflow } from "duro";

export default workflow("place-order", { version: "1" }, async (ctx, input: { table: string }) => {
  const orderId = await ctx.transaction("insert", async (tx, step) => {
    const sql =
      tx.dialect === "postgres"
        ? `INSERT INTO ${input.table} (id, attempt) VALUES ($1, $2)`
        : `INSERT INTO ${input.table} (id, attempt) VALUES (?, ?)`;
    await tx.query(sql, [step.idempotencyKey, step.attempt]);
    return step.idempotencyKey;
  });
  return ctx.step("confirm", () => `confirmed ${orderId}`);
});
