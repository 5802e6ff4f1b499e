// Fixture: a workflow whose input has a zod schema, for input_invalid.
import { workflow } from "duro";
import { z } from "zod";

export const validated = workflow(
  "validated",
  { version: "1", input: z.object({ sku: z.string().min(1), qty: z.number().int().positive() }) },
  async (ctx, input) => {
    const line = await ctx.step("price", () => ({ sku: input.sku, total: input.qty * 20 }));
    return line;
  },
);

export default validated;
