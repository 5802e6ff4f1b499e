// The workflows the PostgreSQL benchmarks' worker processes load (`node bin/duro.js worker bench/worker-workflows.js`).
// The bench process imports the same file, so both sides register the very same definitions.
import { workflow } from "../dist/index.js";

export { sequential } from "./workloads.js";

/** Epoch ms with a fraction: performance.timeOrigin + performance.now() is comparable across processes of one machine. */
const stamp = () => performance.timeOrigin + performance.now();

/**
 * Waits for an event on `input.eventKey`, then runs two steps that return when they were called. The first, `probe`,
 * is the step the signal resumes; the second is only called once the probe's step_completed is committed (together
 * with the second's step_started), so its time is when the resumed step was done and journaled.
 */
export const signalled = workflow("bench.signalled", async (ctx, input) => {
  await ctx.waitForEvent("go", { key: input.eventKey });
  const called = await ctx.step("probe", stamp);
  const journaled = await ctx.step("after", stamp);
  return { called, journaled };
});
