// Fixture workflows that wait for the outside world: an event on a key the input names, and a manager's approval.
import { workflow } from "duro";
import { recorded } from "./effects.js";

/** Prepares, waits for the event sent to `input.key`, then fulfils with its payload. */
export const awaitsEvent = workflow("awaits-event", { version: "1" }, async (ctx, input: { key: string }) => {
  const order = await ctx.step(
    "prepare",
    recorded("prepare#0", () => ({ order: `order-for-${input.key}` })),
  );
  const payment = await ctx.waitForEvent("payment", { key: input.key });
  const receipt = await ctx.step(
    "fulfil",
    recorded("fulfil#0", () => ({ receipt: `${order.order} paid ${JSON.stringify(payment)}` })),
  );
  return { ...order, payment, ...receipt };
});

/** Waits for the "manager" gate, then records the decision in a step. */
export const awaitsApproval = workflow("awaits-approval", { version: "1" }, async (ctx, input: { item: string }) => {
  const decision = await ctx.approval("manager", { summary: `buy ${input.item}` });
  const result = await ctx.step(
    "record",
    recorded("record#0", () => ({ item: input.item, action: decision.action })),
  );
  return result;
});
