// Fixture workflows for crash tests. Every step records its side effect (see effects.ts) and returns a value
// derived only from the input, so the run's output is known in advance however often it was interrupted.
import { workflow } from "duro";
import { recorded } from "./effects.js";

export interface CrashableInput {
  sku: string;
  qty: number;
}

/** Two sequential steps, two parallel ones, a short durable sleep, two more sequential steps. */
export const crashable = workflow("crashable", { version: "1" }, async (ctx, input: CrashableInput) => {
  const reservation = await ctx.step(
    "reserve",
    recorded("reserve#0", () => ({ id: `res-${input.sku}`, qty: input.qty })),
  );
  const charge = await ctx.step(
    "charge",
    recorded("charge#0", () => ({ chargeId: `ch-${reservation.id}`, amount: reservation.qty * 20 })),
  );
  // Different durations, so that a crash around one parallel step finds the other still running.
  const [invoice, label] = await Promise.all([
    ctx.step(
      "invoice",
      recorded("invoice#0", () => ({ invoiceNo: `INV-${reservation.id}`, total: charge.amount }), 30),
    ),
    ctx.step(
      "label",
      recorded("label#0", () => ({ labelId: `LBL-${reservation.id}` }), 120),
    ),
  ]);
  await ctx.sleep("cool-off", "300ms");
  const shipment = await ctx.step(
    "ship",
    recorded("ship#0", () => ({ trackingNo: `TRK-${label.labelId}` })),
  );
  const notice = await ctx.step(
    "notify",
    recorded("notify#0", () => `sent ${invoice.invoiceNo} and ${shipment.trackingNo}`),
  );
  return {
    reservation: reservation.id,
    charged: charge.amount,
    invoice: invoice.invoiceNo,
    total: invoice.total,
    label: label.labelId,
    shipment: shipment.trackingNo,
    notice,
  };
});

export interface ManyInput {
  steps: number;
}

/** `steps` short sequential steps of the same name (keys tick#0, tick#1, …); the output is the sum of their results. */
export const many = workflow("many", { version: "1" }, async (ctx, input: ManyInput) => {
  let sum = 0;
  for (let i = 0; i < input.steps; i++) {
    sum += await ctx.step(
      "tick",
      recorded(`tick#${i}`, () => i * i, 15),
    );
  }
  return { steps: input.steps, sum };
});

export default crashable;
