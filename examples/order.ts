// An order: reserve stock, cool off, wait for a manager's approval, invoice and label in parallel,
// wait up to 7 days for the payment event, then ship in a child run.
//   npx duro run examples/order.ts --input '{"sku":"A1","qty":2}'
//   npx duro approve <runId> manager
//   npx duro signal order:<reservation id> --payload '{"amount":40}'
//   npx duro resume <runId>
import { workflow } from "duro";

type Reservation = { id: string; sku: string; qty: number; idempotencyKey: string };

// Stand-ins for real services. A real one would pass the idempotency key on to the outside world.
async function reserveStock(input: { sku: string; qty: number }, idempotencyKey: string): Promise<Reservation> {
  const runPart = idempotencyKey.split(":")[0]?.slice(-6) ?? "x";
  return { id: `res-${runPart}`, ...input, idempotencyKey };
}
const makeInvoice = async (r: Reservation) => ({ invoiceNo: `INV-${r.id}`, total: r.qty * 20 });
const makeLabel = async (r: Reservation) => ({ labelId: `LBL-${r.id}`, carrier: "post" });

export const ship = workflow("ship", async (ctx, input: { label: { labelId: string } }) => {
  const pickup = await ctx.step("book-pickup", () => ({ pickupAt: "tomorrow 9:00", label: input.label.labelId }));
  return { shipped: true, ...pickup };
});

export const order = workflow("order", async (ctx, input: { sku: string; qty: number }) => {
  const reservation = await ctx.step("reserve", ({ idempotencyKey }) => reserveStock(input, idempotencyKey));
  await ctx.sleep("cool-off", "2s");
  const decision = await ctx.approval("manager", { summary: `${input.qty} x ${input.sku}` });
  if (decision.action !== "approve") return { status: "rejected" };
  const [invoice, label] = await Promise.all([
    ctx.step("invoice", () => makeInvoice(reservation)),
    ctx.step("label", () => makeLabel(reservation)),
  ]);
  const payment = await ctx.waitForEvent("payment", { key: `order:${reservation.id}`, timeout: "7d" });
  const shipment = await ctx.child("ship", ship, { label });
  return { invoice, label, payment, shipment };
});

export default order;
