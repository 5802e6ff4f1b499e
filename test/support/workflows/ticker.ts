// A schedule firing every second into a one-step workflow, for the multi-worker schedule test. catchUp "all", so
// that a fire found late (a loaded machine) still starts its run and any gap is a lost fire, not a policy.
import { schedule, workflow } from "duro";

export const tick = workflow("tick", { version: "1" }, async (ctx, input: { from: string }) =>
  ctx.step("tock", () => `${input.from} ${ctx.runId}`),
);

export const everySecond = schedule("every-second", { cron: "* * * * * *", catchUp: "all" }, tick, { from: "ticker" });
