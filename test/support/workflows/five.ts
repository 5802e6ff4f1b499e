// Five short steps whose side effects are logged, for multi-worker chaos tests; `five-keyed` runs the same steps
// through a queue that admits at most two runs per customer at a time.
import { queue, type WorkflowContext, workflow } from "duro";
import { recorded } from "./effects.js";

export const STEPS = ["a", "b", "c", "d", "e"];
export const PER_CUSTOMER = 2;

async function fiveSteps(ctx: WorkflowContext, input: { n: number }): Promise<number> {
  let total = input.n;
  for (const name of STEPS) {
    total = await ctx.step(
      name,
      recorded(`${name}#0`, () => total + 1, 20),
    );
  }
  return total;
}

export const fiveKeyed = workflow(
  "five-keyed",
  {
    version: "1",
    queue: queue("per-customer", { keyConcurrency: PER_CUSTOMER }),
    concurrencyKey: (input: { customer: string }) => input.customer,
  },
  (ctx, input: { n: number; customer: string }) => fiveSteps(ctx, input),
);

export default workflow("five", { version: "1" }, fiveSteps);
