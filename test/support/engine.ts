// An engine over a store with a fake clock: timers never fire by themselves (inlineWaitMs 0), tests move
// time with `clock.advance` and drive runs with `settle`. Engine tests run on every store kind in STORES.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createEngine, type Engine, type EngineOptions, type WorkflowDefinition } from "duro";
import { afterEach } from "vitest";
import { MemoryStore, type Store } from "../../src/store/index.js";
import { openPostgresStore } from "../../src/store/postgres/index.js";
import { openSqliteStore } from "../../src/store/sqlite/index.js";
import { FakeClock } from "../../src/testing/store-conformance/index.js";
import { freshSchema, PG_URL } from "./postgres.js";

export type StoreKind = "memory" | "sqlite" | "postgres";
export const STORES: StoreKind[] = ["memory", "sqlite", "postgres"];

export interface Harness {
  engine: Engine;
  store: Store;
  clock: FakeClock;
  /** Executes the run until it ends or waits; returns its details. */
  settle(runId: string): ReturnType<Engine["get"]>;
}

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function makeStore(kind: StoreKind, clock: FakeClock): Store {
  if (kind === "memory") return new MemoryStore({ clock: () => clock.now() });
  if (kind === "postgres") {
    const store = openPostgresStore(PG_URL, { schema: freshSchema(), clock: () => clock.now(), poolSize: 4 });
    cleanups.push(() => void store.close());
    return store;
  }
  const dir = mkdtempSync(join(tmpdir(), "duro-engine-"));
  const store = openSqliteStore(join(dir, "duro.db"), { clock: () => clock.now() });
  cleanups.push(() => {
    void store.close().finally(() => rmSync(dir, { recursive: true, force: true }));
  });
  return store;
}

export function harness(kind: StoreKind, workflows: WorkflowDefinition<any, any>[], options: Partial<EngineOptions> = {}): Harness {
  const clock = new FakeClock();
  const store = makeStore(kind, clock);
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
