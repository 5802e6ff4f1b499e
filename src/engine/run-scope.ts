// What the parts of one invocation (steps, waits, children) share: the run, its journal writer, the hand-back of
// results, the timers, and the lifecycle calls that end the invocation. The Invocation is the one implementation.
import type { RunState, WorkflowDefinition } from "../core/index.js";
import type { Deliveries } from "./deliveries.js";
import type { ExecutorDeps } from "./executor.js";
import type { JournalValue } from "./journal-values.js";
import type { JournalWriter } from "./journal-writer.js";
import type { StepAbort } from "./step-abort.js";
import type { Timers } from "./timers.js";

/** The count of work under way: a run with work in flight is not idle, and is not suspended. */
export interface ActivityCount {
  inFlight: number;
  /** Suspends the run if it is blocked (nothing in flight, nothing to commit); see Invocation.checkIdle. */
  checkIdle(): void;
}

export interface RunScope extends ActivityCount {
  readonly deps: ExecutorDeps;
  readonly runId: string;
  readonly state: RunState;
  readonly def: WorkflowDefinition;
  readonly journal: JournalWriter;
  readonly deliveries: Deliveries;
  readonly timers: Timers;
  /** Abort the running steps when the invocation ends. */
  readonly controllers: Set<StepAbort>;
  /** The invocation ended (finished, suspended, stopped or crashed): nothing new starts, nothing is delivered. */
  readonly finished: boolean;
  /** Set by interrupt(): start nothing new, commit what finished, give the lease back. */
  readonly draining: boolean;
  /** Counts background work until it settles; its failure ends the invocation or fails the run (see Invocation.track). */
  track(promise: Promise<unknown>): void;
  /** The store refused a commit (lost lease, inbox conflict): nothing more is written. */
  stop(error: unknown): void;
  /** A bug or a storage failure: nothing more is written; the lease lapses and the run resumes elsewhere. */
  crash(error: unknown): void;
  /** Ends the run cancelled (a cancel request heard from the store). */
  cancel(reason: string): void;
  /** The JSON form a value is journaled in (inline, or as an artifact when allowed) and the value the code gets back. */
  journalValue(value: unknown, what: string, allowArtifact?: boolean): Promise<JournalValue>;
}
