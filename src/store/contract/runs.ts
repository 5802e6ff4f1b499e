// The runs index role: creating runs and reading the projection of their journals kept for listing and claiming.
// A run's row changes only in the same transaction as the journal events it projects.

import type { Attribution, EventBody, RunManifest, RunOptions } from "../../core/index.js";

export type RunStatus = "queued" | "running" | "waiting" | "completed" | "failed" | "cancelled";

/**
 * What a waiting run waits for, as the runs index keeps it: a wait's kind, with `sleep` as "timer", `ask` as
 * "question", and "limit" for a run suspended by its budget (an event wait on `limits:<runId>`).
 */
export type WaitingFor = "event" | "approval" | "question" | "timer" | "child" | "limit" | "tool";

export const WAITING_FOR: readonly WaitingFor[] = ["event", "approval", "question", "timer", "child", "limit", "tool"];

export const TERMINAL_STATUSES: ReadonlySet<RunStatus> = new Set(["completed", "failed", "cancelled"]);

/** One row of the runs index: a projection of the journal kept for listing and claiming. */
export interface RunRecord {
  id: string;
  workflow: string;
  version: string;
  tenant: string;
  /** The session the run belongs to (a conversation, a chat thread). */
  session?: string;
  /** Who started the run. */
  actor?: string;
  status: RunStatus;
  parentRunId?: string;
  idempotencyKey?: string;
  /** What an open wait of the run waits for (its newest, when it has several); absent when it has none. */
  waitingFor?: WaitingFor;
  /** epoch ms */
  createdAt: number;
  /** epoch ms */
  updatedAt: number;
  /** When the run becomes claimable (epoch ms): due timer, retry, or lease expiry while running. */
  readyAt?: number;
  /** Seq of the last journaled event. */
  lastSeq: number;
  /** Set by a cancel request until the run's executor journals `run_cancelled`. */
  cancelRequested?: string;
  /** Who asked to cancel, journaled with `run_cancelled`. */
  cancelAttribution?: Attribution;
  leaseOwner?: string;
  /** The queue that admits the run (flow control), with its key and priority. */
  queue?: string;
  concurrencyKey?: string;
  priority?: number;
  /** When the queue admitted the run (epoch ms); until then a queued run is not claimable. */
  admittedAt?: number;
}

export interface NewRun {
  id: string;
  workflow: string;
  version: string;
  input: unknown;
  tenant: string;
  session?: string;
  actor?: string;
  options: RunOptions;
  parentRunId?: string;
  idempotencyKey?: string;
  /** What started the run (code hash, pack, duro version, host), journaled in its run_created. */
  manifest?: RunManifest;
  /** Earliest claim time (epoch ms); default now. */
  readyAt?: number;
  /** Admission goes through this queue's limits; a queue the store does not know yet is created without limits. */
  queue?: string;
  concurrencyKey?: string;
  /** Lower is admitted first. default 0 */
  priority?: number;
  /** Events journaled right after run_created (seq 2, 3, …) in the same transaction, e.g. `pack_verified`. default none */
  followedBy?: EventBody[];
}

export interface CreateResult {
  run: RunRecord;
  /** false when a run with this id or idempotency key already existed and was returned instead. */
  created: boolean;
}

export interface RunFilter {
  status?: RunStatus;
  workflow?: string;
  parentRunId?: string;
  tenant?: string;
  session?: string;
  actor?: string;
  /** Runs with an open wait of this kind (see WaitingFor). */
  waitingFor?: WaitingFor;
  /** Runs of this workflow version (the version journaled in run_created). */
  version?: string;
  /** Runs created at or after this time (epoch ms). */
  since?: number;
  /** Runs created before this time (epoch ms). */
  until?: number;
  /** "created": newest created first; "updated": most recently changed first. default "created" */
  sort?: RunSort;
  /** default 50 */
  limit?: number;
  /** Opaque cursor from a previous page's `nextCursor`. */
  cursor?: string;
}

/** The order of a runs listing: by creation or by last change, newest first either way. */
export type RunSort = "created" | "updated";

export interface RunPage {
  /** Newest first (by the filter's sort). */
  runs: RunRecord[];
  nextCursor?: string;
}

export interface Runs {
  /**
   * Creates a run and journals its `run_created` event as seq 1; idempotent by id and by (tenant, idempotencyKey).
   * With `tx` (the caller's open transaction: a pg client on PostgreSQL, a better-sqlite3 Database on SQLite) the
   * run is written in it, and exists only if the caller commits.
   */
  createRun(run: NewRun, options?: { tx?: unknown }): Promise<CreateResult>;
  /** The run's row in the index, or undefined when there is no run by that id. */
  getRun(runId: string): Promise<RunRecord | undefined>;
  /** Runs matching the filter, newest first (created or updated, by its sort), one page at a time. */
  listRuns(filter?: RunFilter): Promise<RunPage>;
  /**
   * Asks a run to stop; it becomes claimable now so an executor can journal `run_cancelled` (with `attribution`, kept
   * with the request). A second request keeps the first one's reason and attribution.
   */
  requestCancel(runId: string, reason: string, attribution?: Attribution): Promise<RunRecord>;
}
