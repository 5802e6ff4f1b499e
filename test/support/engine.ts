// An engine over an in-memory store with a fake clock: timers never fire by themselves (inlineWaitMs 0),
// tests move time with `clock.advance` and drive runs with `settle`.
import { type Engine, type EngineOptions, type WorkflowDefinition, createEngine } from "duro";
import { MemoryStore } from "../../src/store/index.js";
import { FakeClock } from "../../src/store/conformance.js";

export interface Harness {
  engine: Engine;
  store: MemoryStore;
  clock: FakeClock;
  /** Executes the run until it ends or waits; returns its details. */
  settle(runId: string): ReturnType<Engine["get"]>;
}

export function harness(workflows: WorkflowDefinition<any, any>[], options: Partial<EngineOptions> = {}): Harness {
  const clock = new FakeClock();
  const store = new MemoryStore({ clock: () => clock.now() });
  const engine = createEngine({ store, workflows, clock: () => clock.now(), inlineWaitMs: 0, leaseMs: 10_000, ...options });
  return {
    engine,
    store,
    clock,
    settle: async (runId) => {
      await engine.runUntilSettled(runId, { maxWaitMs: 0 });
      return engine.get(runId);
    },
  };
}
