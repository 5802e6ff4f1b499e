// The workflows the benchmarks run. Every step is trivial (it returns a small number), so the figures
// measure the engine and the store, not the work. Factories keep per-measurement hooks out of module state;
// the function source is the same on every call, so a run started with one instance resumes with another.
import { workflow } from "../dist/index.js";

/** `input.steps` sequential steps. */
export const sequential = workflow("bench.sequential", async (ctx, input) => {
  for (let i = 0; i < input.steps; i++) await ctx.step("s", () => i);
  return input.steps;
});

/** Like `sequential`, but each step function writes performance.now() into `stamps[i]` when it is called. */
export function stamped(stamps) {
  return workflow("bench.stamped", async (ctx, input) => {
    for (let i = 0; i < input.steps; i++) {
      await ctx.step("s", () => {
        stamps[i] = performance.now();
        return i;
      });
    }
    return input.steps;
  });
}

/**
 * `input.steps` steps, then forever: wait for an event on `input.eventKey`, then a `probe` step that calls
 * `onNewStep`. Each signal lets one more probe run, so the same journal can be resumed several times.
 */
export function resumable(onNewStep) {
  return workflow("bench.resumable", async (ctx, input) => {
    for (let i = 0; i < input.steps; i++) await ctx.step("s", () => i);
    for (;;) {
      await ctx.waitForEvent("go", { key: input.eventKey });
      await ctx.step("probe", () => {
        onNewStep();
        return 0;
      });
    }
  });
}

/**
 * One step, then a nap of `input.napMs`: when `input.odd`, the nap is inside the step (the run is mid-step), else it
 * is a durable sleep short enough to be awaited in-process (the run waits on a timer without being suspended).
 */
export const napping = workflow("bench.napping", async (ctx, input) => {
  const nap = () => new Promise((resolve) => setTimeout(resolve, input.napMs));
  await ctx.step("first", () => 1);
  if (input.odd) {
    await ctx.step("napping", async () => {
      await nap();
      return 2;
    });
  } else await ctx.sleep("nap", input.napMs);
  return 3;
});
