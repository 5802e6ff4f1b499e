// A run whose first step takes a while, for shutdown tests: SIGTERM arrives while `slow#0` runs.
import { workflow } from "duro";
import { recorded } from "./effects.js";

export default workflow("slow", { version: "1" }, async (ctx) => {
  const a = await ctx.step(
    "slow",
    recorded("slow#0", () => "A", 1_500),
  );
  const b = await ctx.step(
    "after",
    recorded("after#0", () => "B", 0),
  );
  return a + b;
});
