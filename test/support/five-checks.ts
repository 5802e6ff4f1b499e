// Checks on runs of the `five` fixture workflow (kept out of the fixture, which worker processes load).
import type { Engine, JournalEvent } from "duro";
import { expect } from "vitest";
import { STEPS } from "./workflows/five.js";

/** Every run `ids[n]` (started with input { n }) completed with n + 5, its journal gapless with each step once. */
export async function expectFiveCompleted(engine: Engine, ids: string[]): Promise<void> {
  for (const [index, id] of ids.entries()) {
    const run = await engine.get(id);
    expect(run.status, id).toBe("completed");
    expect(run.output).toBe(index + STEPS.length);
    const events: JournalEvent[] = await engine.events(id);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.flatMap((e) => (e.type === "step_completed" ? [e.key] : []))).toEqual(STEPS.map((s) => `${s}#0`));
  }
}
