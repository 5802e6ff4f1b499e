// The runs index role: creating runs and reading the projection of their journals kept for listing and claiming.
// A run's row changes only in the same transaction as the journal events it projects.

import type { RunManifest, RunOptions } from "../../core/index.js";

export type RunStatus = "queued" | "running" | "waiting" | "completed" | "failed" | "cancelled";

export const TERMINAL_STATUSES: ReadonlySet<RunStatus> = new Set(["completed", "failed", "cancelled"]);

/** One row of the runs index: a projection of the journal kept for listing and claiming. */
export interface RunRecord {
  id: string;
  workflow: string;
  version: string;
  tenant: string;
  status: RunStatus;
  parentRunId?: string;
  idempotencyKey?: string;
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
  /** default 50 */
  limit?: number;
  /** Opaque cursor from a previous page's `nextCursor`. */
  cursor?: string;
}

export interface RunPage {
  /** Newest first. */
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
  /** Runs matching the filter, newest first, one page at a time. */
  listRuns(filter?: RunFilter): Promise<RunPage>;
  /** Asks a run to stop; it becomes claimable now so an executor can journal `run_cancelled`. */
  requestCancel(runId: string, reason: string): Promise<RunRecord>;
}
