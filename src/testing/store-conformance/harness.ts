// What every role's conformance suite shares: a fresh store on a fake clock before each test (closed after it),
// a second handle on the same storage where the backend can open one, and small helpers to set runs up.
import { afterEach, beforeEach } from "vitest";
import { type EventBody, internalError } from "../../core/index.js";
import type { AppendCommit, Lease, NewRun, Store } from "../../store/index.js";

/** A clock tests move by hand; stores take it as `clock: () => clock.now()`. */
export class FakeClock {
  private current: number;

  /** default 2025-01-01T00:00:00Z */
  constructor(start = Date.UTC(2025, 0, 1)) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  advance(ms: number): void {
    this.current += ms;
  }
}

/** Makes the store under test, on the clock the suite moves; called before each test. */
export type MakeStore = (clock: FakeClock) => Promise<Store>;

export interface ConformanceOptions {
  /**
   * Opens a second handle on the storage the last `makeStore` call created (another connection or pool).
   * Persistent backends pass it to run the tests about restarts and claimers on separate connections.
   */
  reopen?: (clock: FakeClock) => Promise<Store>;
}

/** The lease the helpers claim runs with. */
export const LEASE_MS = 30_000;

/** The current test's store and clock, and the helpers the role suites set their runs up with. */
export interface Harness {
  /** The store under test (a new one for every test). */
  readonly store: Store;
  /** The clock the current store reads. */
  readonly clock: FakeClock;
  readonly options: ConformanceOptions;
  /** Another handle on the current store's storage (closed after the test); throws where the backend has none. */
  reopen(): Promise<Store>;
  /** A run of workflow "order" version "1" in tenant "default", with `extra` over it. */
  newRun(id: string, extra?: Partial<NewRun>): NewRun;
  /** Creates a run and leases it to `w1`. */
  startRun(id: string, extra?: Partial<NewRun>): Promise<Lease>;
  /** Creates a run, leases it and suspends it on `waits` (no timer), giving the lease up; returns its last seq. */
  waitingRun(id: string, ...waits: Array<{ key: string; eventKey: string }>): Promise<number>;
  /** An append commit under `lease` after `expectedSeq`, with `extra` over it. */
  commit(lease: Lease, expectedSeq: number, extra?: Partial<AppendCommit>): AppendCommit;
  /** A step that starts and completes under `key`. */
  step(key: string): EventBody[];
}

/** Registers the before/after hooks of one backend's suite (call it inside its describe) and returns the harness. */
export function conformanceHarness(makeStore: MakeStore, options: ConformanceOptions): Harness {
  let clock: FakeClock;
  let store: Store;
  const opened: Store[] = [];

  beforeEach(async () => {
    clock = new FakeClock();
    store = await makeStore(clock);
    opened.push(store);
  });

  afterEach(async () => {
    for (const s of opened.splice(0)) await s.close();
  });

  async function reopen(): Promise<Store> {
    if (!options.reopen) throw internalError("reopen is not available for this backend: pass options.reopen to storeConformance");
    const other = await options.reopen(clock);
    opened.push(other);
    return other;
  }

  function newRun(id: string, extra: Partial<NewRun> = {}): NewRun {
    return { id, workflow: "order", version: "1", input: { n: 1 }, tenant: "default", options: {}, ...extra };
  }

  async function startRun(id: string, extra: Partial<NewRun> = {}): Promise<Lease> {
    await store.createRun(newRun(id, extra));
    const lease = await store.claimRun(id, "w1", LEASE_MS);
    if (!lease) throw internalError(`could not lease ${id}`);
    return lease;
  }

  async function waitingRun(id: string, ...waits: Array<{ key: string; eventKey: string }>): Promise<number> {
    const lease = await startRun(id);
    const events: EventBody[] = waits.map((w) => ({ type: "wait_started", kind: "event", ...w }));
    const { lastSeq } = await store.append(id, events, { lease, expectedSeq: 1, status: "waiting", release: true });
    return lastSeq;
  }

  function commit(lease: Lease, expectedSeq: number, extra: Partial<AppendCommit> = {}): AppendCommit {
    return { lease, expectedSeq, ...extra };
  }

  const step = (key: string): EventBody[] => [
    { type: "step_started", key, attempt: 1 },
    { type: "step_completed", key, result: { key } },
  ];

  return {
    get store() {
      return store;
    },
    get clock() {
      return clock;
    },
    options,
    reopen,
    newRun,
    startRun,
    waitingRun,
    commit,
    step,
  };
}
