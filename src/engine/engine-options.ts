// What an engine is made with and how it executes runs: the options of `createEngine`, each with its default.
import type { AnyWorkflowDefinition, ContextExtension, JournalEvent, JournalGuard, QueueDefinition, SecretReader } from "../core/index.js";
import type { LeaseHolder, Store } from "../store/index.js";
import type { RetentionOptions } from "./retention.js";
import type { ScheduleDefinition } from "./schedule.js";
import type { LeaseNotice } from "./takeover.js";

export interface EngineOptions {
  store: Store;
  /** Workflows this engine can start and execute; more with `register`. */
  workflows?: AnyWorkflowDefinition[];
  /** Queues' limits, written to the store before this engine starts or claims runs (with those workflows define). */
  queues?: QueueDefinition[];
  /** Tenant of runs started here. default "default" */
  tenant?: string;
  /** How long a claim lasts without a heartbeat; a dead worker's runs are taken over after this. default 30_000 */
  leaseMs?: number;
  /** Timers and retries due within this many ms are awaited in-process instead of suspending. default 1_000 */
  inlineWaitMs?: number;
  /** Step results whose JSON is longer than this go to the artifact store. default 65_536 */
  artifactThreshold?: number;
  /** Identifies this process in leases. default `<hostname-less random id>` */
  workerId?: string;
  /**
   * Who this process is, recorded with every lease it takes, so that a process on the same machine can take its runs
   * over at once should it die (engine/holder.ts). default: this process (`thisProcess()`)
   */
  holder?: LeaseHolder;
  /** The engine's clock (epoch ms); tests pass a fake one. default Date.now */
  clock?: () => number;
  /** Sees every committed batch of events (live progress). */
  onEvents?: (runId: string, events: JournalEvent[]) => void;
  /** Schedules this engine's workers fire (their workflows are registered too); see `schedule()`. */
  schedules?: ScheduleDefinition<any>[];
  /** What `ctx.secrets.get` reads. default: the process environment */
  secrets?: SecretReader;
  /** Refuses secrets in what is journaled (inputs, results, errors, event payloads); see docs/dev-loop.md. default none */
  journalGuard?: JournalGuard;
  /**
   * Version pinning (docs/deploys.md): claim and execute only runs whose version this engine has code for, so old runs
   * finish on old code. true (default) pins the workflows that name their `version`; "all" also pins those versioned
   * by a hash of their source (any edit, or another build tool, then makes a new version that old runs never get);
   * false claims a registered workflow's runs in any version and executes them with their own version when
   * registered, else the newest, relying on replay's divergence check (`duro check` first).
   */
  versionPinning?: boolean | "all";
  /** Ended runs' retention, applied periodically by this engine's workers (one worker at a time); see docs/deploys.md. default none */
  retention?: RetentionOptions;
  /** Applied, in order, to every context this engine builds. default none here; createEngine (src/index.ts) adds agentToolkit first */
  extensions?: ContextExtension[];
}

export interface SettleOptions extends ExecuteOptions {
  /** Keep executing through timers due within this many ms. default: the engine's inlineWaitMs */
  maxWaitMs?: number;
}

export interface ExecuteOptions {
  /**
   * Hears about a run found leased by another process: taken over at once (its holder was provably gone), or, with
   * runUntilSettled, waited for until the lease ends (`waiting`) or left to its holder (`left`).
   */
  onLease?: (notice: LeaseNotice) => void;
}
