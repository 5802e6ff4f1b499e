// The workflows `npm run bench:scale` runs, and that its worker processes load (`duro worker bench/scale-workflows.js`).
// Steps are trivial, so the figures measure the engine and the store. The bench process imports the same file, so both
// sides register the very same definitions; `probed` is a factory so that a measurement can hear its step run.
import { workflow } from "../dist/index.js";

/** `input.steps` sequential steps: the finished runs the database is filled with, and the 10-step run measured. */
export const steps = workflow("scale.steps", async (ctx, input) => {
  for (let i = 0; i < input.steps; i++) await ctx.step("s", () => i);
  return input.steps;
});

/**
 * Waits as `input.kind` says (an event on `input.eventKey`, an approval, a question, or a timer until `input.until`),
 * then runs one step that calls `onResumed`: the runs that wait in the database, and the run a signal resumes.
 */
export function probed(onResumed) {
  return workflow("scale.waiter", async (ctx, input) => {
    if (input.kind === "event") await ctx.waitForEvent("go", { key: input.eventKey });
    else if (input.kind === "approval") await ctx.approval("manager");
    else if (input.kind === "question") await ctx.ask("reason", { prompt: "why?" });
    else await ctx.sleepUntil("later", input.until);
    return ctx.step("after", () => {
      onResumed();
      return 1;
    });
  });
}

export const waiter = probed(() => {});

/** Sleeps until `input.until`, then one step: the timer burst, all due at the same moment. */
export const timer = workflow("scale.timer", async (ctx, input) => {
  await ctx.sleepUntil("due", input.until);
  return ctx.step("fired", () => 1);
});
