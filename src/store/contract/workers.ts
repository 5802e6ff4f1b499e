// The workers role: the live registry of workers (who holds which workflow versions) and the unfinished runs per
// version, which together tell whether a deploy leaves some run without code that can finish it.

/** What a worker announces about itself (see Workers.announceWorker). */
export interface WorkerInfo {
  id: string;
  host: string;
  pid: number;
  /** epoch ms */
  startedAt: number;
  /** Per workflow name, every version of its code the worker holds. */
  workflows: Record<string, string[]>;
  /** Whether the worker claims runs only in the versions it holds (version pinning on). */
  pinned: boolean;
  /**
   * With `pinned`: the workflows it still claims in any version (versioned by a hash of their source, while pinning
   * applies to explicit versions only). default none
   */
  anyVersion?: string[];
  /** Runs it executes at once at most. */
  concurrency: number;
  /** Runs it was executing when it announced. */
  active: number;
}

/** An announced worker as stored. */
export interface WorkerRecord extends WorkerInfo {
  anyVersion: string[];
  /** When it last announced itself (epoch ms). */
  seenAt: number;
  /** When its announcement lapses unless renewed (epoch ms): a worker that died silently disappears then. */
  expiresAt: number;
}

/** How many runs of one workflow version are queued, running and waiting. */
export interface UnfinishedCount {
  workflow: string;
  version: string;
  queued: number;
  running: number;
  waiting: number;
}

export interface Workers {
  /**
   * Records that a worker is alive until now + `ttlMs`, with what it holds: one upsert by `info.id`, so announcing
   * again replaces the row and moves `seenAt` and `expiresAt` on.
   */
  announceWorker(info: WorkerInfo, ttlMs: number): Promise<void>;
  /** Announced workers whose announcement has not expired (expiresAt > now), by id; with `includeExpired` all rows. */
  listWorkers(options?: { includeExpired?: boolean }): Promise<WorkerRecord[]>;
  /** Removes a worker's row (its clean shutdown); removing one that is not there does nothing. */
  retireWorker(id: string): Promise<void>;
  /** Unfinished runs (queued, running, waiting) counted per workflow and version, sorted by workflow then version. */
  countUnfinished(): Promise<UnfinishedCount[]>;
}
