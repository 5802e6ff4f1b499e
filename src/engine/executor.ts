// The executor's entry: one invocation of one run (invocation.ts) replays the journal through the workflow code,
// then executes what is new until the run ends or blocks on something that is not due soon. Every append is fenced
// by the lease (journal-writer.ts); a step's result is committed together with whatever the code asks for next, so
// a trivial step costs one commit.
import type { ContextExtension, ErrorInfo, JournalEvent, JournalGuard, SecretReader, WorkflowDefinition } from "../core/index.js";
import type { Lease, Store } from "../store/index.js";
import { Invocation } from "./invocation.js";

export interface ExecutorDeps {
  store: Store;
  clock: () => number;
  random: () => number;
  uuid: () => string;
  leaseMs: number;
  /** Timers and retries due within this are awaited in-process; later ones suspend the run. */
  inlineWaitMs: number;
  /** Results whose JSON is longer go to the artifact store; the journal keeps the sha256. */
  artifactThreshold: number;
  /** The code for runs of `name`: at `version` (a run's own), or the newest when no version is given. */
  workflow(name: string, version?: string): WorkflowDefinition | undefined;
  /** Executes a just-started child in this process if its code is here; resolves when that invocation ends. */
  runChildInline(childRunId: string): Promise<void>;
  cancelRun(runId: string, reason: string): Promise<void>;
  /** Resolves once the engine may claim (its queues' limits are in the store); workers await it before claiming. */
  ready?(): Promise<void>;
  /** Sees every committed batch of events (live progress, tests). */
  onEvents?: (runId: string, events: JournalEvent[]) => void;
  /** What `ctx.secrets` reads. */
  secrets: SecretReader;
  /** Refuses secrets in journaled values and errors; none when absent. */
  journalGuard?: JournalGuard;
  /** The pre-deploy check (deploy-check.ts): replay the journal, and end with replay_frontier instead of running anything live. */
  replayOnly?: boolean;
  /** Applied, in order, to each context this executor builds (EngineOptions.extensions). */
  extensions?: readonly ContextExtension[];
}

export type InvocationStatus = "completed" | "failed" | "cancelled" | "waiting" | "lease_lost" | "conflict" | "interrupted";

export interface InvocationOutcome {
  runId: string;
  status: InvocationStatus;
  /** For `waiting`: when a timer or retry is due (epoch ms), if any. */
  wakeAt?: number;
  output?: unknown;
  error?: ErrorInfo;
}

/** A started invocation: its outcome, and a way to stop it early. */
export interface RunningInvocation {
  outcome: Promise<InvocationOutcome>;
  /** Let running steps finish and commit, start nothing new, release the lease. */
  interrupt(): void;
  /** Stop now; running steps are abandoned and run again elsewhere. */
  abandon(): Promise<void>;
}

/** Executes the run under `lease` until it ends, suspends, or loses its lease. */
export function executeRun(deps: ExecutorDeps, lease: Lease): RunningInvocation {
  const invocation = new Invocation(deps, lease);
  return { outcome: invocation.run(), interrupt: () => invocation.interrupt(), abandon: () => invocation.abandon() };
}

export { Invocation };
