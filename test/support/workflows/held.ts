// A run whose first step records its effect and then holds until the test creates the file DURO_TEST_RELEASE names,
// so that a test can act while that step is in flight in a live process, or SIGKILL the process in the middle of it.
import { existsSync } from "node:fs";
import { workflow } from "duro";
import { recorded } from "./effects.js";

/** The longest a step holds without being released, so that a forgotten release cannot hang a test. */
const HOLD_LIMIT_MS = 120_000;

export default workflow("held", { version: "1" }, async (ctx) => {
  const held = await ctx.step("hold", async (step) => {
    await recorded("hold#0", () => undefined, 0)(step);
    await released();
    return "held";
  });
  const after = await ctx.step(
    "after",
    recorded("after#0", () => "after", 0),
  );
  return `${held} ${after}`;
});

async function released(): Promise<void> {
  const file = process.env.DURO_TEST_RELEASE;
  if (!file) throw new Error("DURO_TEST_RELEASE is not set; the test must name the file that releases the step");
  const deadline = Date.now() + HOLD_LIMIT_MS;
  while (!existsSync(file)) {
    if (Date.now() > deadline) throw new Error(`hold#0 was not released within ${HOLD_LIMIT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
