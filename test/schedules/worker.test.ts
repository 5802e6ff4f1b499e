// The worker loop fires schedules: with a poll interval far longer than the test, only the next fire time can
// wake it, so runs appearing each second show that the schedule bounds the worker's sleep.
import { createEngine, type InvocationOutcome, MemoryStore, schedule, scheduledRunId } from "duro";
import { expect, it } from "vitest";
import { tick } from "../support/workflows/ticker.js";

it("a worker wakes for each fire time and executes the run it starts", async () => {
  const everySecond = schedule("each-second", { cron: "* * * * * *" }, tick, { from: "worker" });
  const engine = createEngine({ store: new MemoryStore(), schedules: [everySecond] });
  const outcomes: InvocationOutcome[] = [];
  let enough: () => void = () => undefined;
  const twoDone = new Promise<void>((resolve) => {
    enough = resolve;
  });

  const worker = engine.runWorker({
    pollMs: 600_000,
    onOutcome: (outcome) => {
      outcomes.push(outcome);
      if (outcomes.filter((o) => o.status === "completed").length >= 2) enough();
    },
  });
  const bounded = new Promise<never>((_, reject) =>
    setTimeout(() => reject(new Error("no two scheduled runs within 20 s")), 20_000).unref(),
  );
  await Promise.race([twoDone, bounded]);
  await worker.stop();

  const [first, second] = outcomes;
  const [listed] = await engine.schedules.list();
  const fireOf = async (runId: string) => {
    const [created] = await engine.events(runId);
    return created?.type === "run_created" ? Date.parse(created.options.scheduledAt as string) : Number.NaN;
  };
  const firstAt = await fireOf(first?.runId as string);
  expect(first).toMatchObject({ status: "completed", output: `worker ${scheduledRunId("each-second", firstAt)}` });
  expect(await fireOf(second?.runId as string)).toBe(firstAt + 1_000);
  expect(listed?.lastRunId).toBeDefined();
  await engine.close();
});
