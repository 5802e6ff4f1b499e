// A step function with an observable side effect: it appends one JSON line {key, attempt, idempotencyKey, pid}
// to the file named by DURO_TEST_EFFECTS the moment it starts, then takes `delayMs` to finish, so a test can
// count how often each step's function ran, in which process, and kill the process while one is in flight.
import { appendFileSync } from "node:fs";
import type { StepContext } from "duro";

/** Wraps `compute` into a step function that records its effect (synchronously, before any await). */
export function recorded<T>(key: string, compute: () => T, delayMs = 50): (step: StepContext) => Promise<T> {
  return async (step) => {
    const file = process.env.DURO_TEST_EFFECTS;
    if (!file) throw new Error("DURO_TEST_EFFECTS is not set; the test must name the side-effect log");
    const line = { key, attempt: step.attempt, idempotencyKey: step.idempotencyKey, pid: process.pid };
    appendFileSync(file, `${JSON.stringify(line)}\n`);
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    return compute();
  };
}
