// The queues role: flow-control limits that admit queued runs, shared by every worker on the store.
// The last writer of a queue's limits wins; claims read them in the transaction that admits.

import type { QueueConfig } from "../../core/index.js";

/** A queue's limits and what it holds now. */
export interface QueueInfo extends QueueConfig {
  /** Runs waiting for admission. */
  pending: number;
  /** Admitted runs not yet finished. */
  active: number;
  /** Admissions inside the rate-limit window (0 without a rate limit). */
  startedInWindow: number;
}

export interface Queues {
  /** Creates or updates queues' limits (the last writer wins; workers read them at every claim). */
  configureQueues(queues: QueueConfig[]): Promise<void>;
  /** Every known queue with its limits and counts, by name. */
  listQueues(): Promise<QueueInfo[]>;
}
