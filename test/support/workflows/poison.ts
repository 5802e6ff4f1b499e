// A poison step for the poison-step rule: it records that it started (as effects.ts does), then SIGKILLs its own
// process, so every worker that runs it dies. The rule must end the run after the step's maxAttempts starts.
import { appendFileSync } from "node:fs";
import { workflow } from "duro";

export const poison = workflow("poison", { version: "1" }, async (ctx) => {
  await ctx.step(
    "boom",
    (step) => {
      const file = process.env.DURO_TEST_EFFECTS;
      if (!file) throw new Error("DURO_TEST_EFFECTS is not set; the test must name the side-effect log");
      appendFileSync(
        file,
        `${JSON.stringify({ key: "boom#0", attempt: step.attempt, idempotencyKey: step.idempotencyKey, pid: process.pid })}\n`,
      );
      process.kill(process.pid, "SIGKILL");
    },
    { retry: { maxAttempts: 2 } },
  );
  return "unreachable";
});

export default poison;
