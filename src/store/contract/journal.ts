// The journal role: each run's append-only, gap-free list of events, and its hash chain.
// Appends are fenced by the writer's lease and expected seq, checked in the same transaction as the write.

import type { EventBody, JournalEvent, TransactionClient } from "../../core/index.js";
import type { ChainRow } from "../chain.js";
import type { Delivery } from "./inbox.js";
import type { Lease } from "./work.js";

/** What the writer believes and wants, checked and applied in the same transaction as the events. */
export interface AppendCommit {
  lease: Lease;
  /** The seq of the last event the writer has seen; the new events get expectedSeq + 1, … */
  expectedSeq: number;
  /**
   * The run's status after these events. `waiting` with `readyAt` (a due timer) or without (woken by a delivery).
   * Omitted: stays `running`. Terminal statuses are set from terminal events by the store itself.
   */
  status?: "running" | "waiting";
  /**
   * For `waiting`: when to wake (epoch ms). The store wakes the run now instead when one of its open waits
   * already has an unconsumed inbox message or a cancel was requested, so a delivery racing a suspend is never lost.
   */
  readyAt?: number;
  /** Give up the lease with this commit (suspend or finish). */
  release?: boolean;
  /** Inbox messages consumed by `wait_resolved` events in this commit; fails with `inbox_conflict` if one was taken. */
  consume?: number[];
  /** Messages to deliver in the same transaction (a child's result to its parent). */
  deliver?: Delivery[];
}

export interface AppendResult {
  lastSeq: number;
  /** Set when someone asked to cancel the run: the executor must stop and journal `run_cancelled`. */
  cancelRequested?: string;
}

export interface Journal {
  /** Appends events as seq expectedSeq+1…; throws `lease_lost` (LeaseLostError) unless the lease is current and unexpired. */
  append(runId: string, events: EventBody[], commit: AppendCommit): Promise<AppendResult>;
  /**
   * Optional (SQL backends): runs `work` in one database transaction, then appends `events` and the events `work`
   * returned in that same transaction, fenced like `append`. Either all of it commits or none of it does.
   */
  transact?(
    runId: string,
    events: EventBody[],
    commit: AppendCommit,
    work: (tx: TransactionClient) => Promise<EventBody[]>,
  ): Promise<AppendResult>;
  /** Events with seq >= fromSeq (default 1), in order. */
  read(runId: string, fromSeq?: number): Promise<JournalEvent[]>;
  /** Seq of the last event; 0 when the run does not exist. */
  head(runId: string): Promise<number>;
  /** The run's journal rows as stored, with their chain hashes (see chain.ts), in seq order; [] for an unknown run. */
  journalChain(runId: string): Promise<ChainRow[]>;
  /**
   * When this store's journal chain began (epoch ms): a run created after it has a hash on every event, so a missing
   * hash there is tampering, not an event that predates the chain. 0 when every run is chained.
   */
  chainSince(): Promise<number>;
}
