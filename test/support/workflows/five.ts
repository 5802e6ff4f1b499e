// Five short steps whose side effects are logged, for multi-worker chaos tests.
import { workflow } from "duro";
import { recorded } from "./effects.js";

export const STEPS = ["a", "b", "c", "d", "e"];

export default workflow("five", async (ctx, input: { n: number }) => {
  let total = input.n;
  for (const name of STEPS) {
    total = await ctx.step(
      name,
      recorded(`${name}#0`, () => total + 1, 20),
    );
  }
  return total;
});
