// The work role: leases on runs. Claiming, heartbeats, release and takeover decide who may append to a run;
// at most one worker holds a run's lease at a time, and every claim raises its epoch.

/** A lease on one run: only its holder may append, until `expiresAt`. */
export interface Lease {
  runId: string;
  workflow: string;
  workerId: string;
  /** Increases with every claim of the run; an append must carry the current one. */
  epoch: number;
  /** epoch ms */
  expiresAt: number;
}

export interface ClaimRequest {
  workerId: string;
  limit: number;
  leaseMs: number;
  /** Only runs of these workflows (the ones this worker has code for). */
  workflows: string[];
  /**
   * Version pinning: per workflow name, the versions this worker has code for. A workflow listed here is claimed
   * only in these versions (also when a queue admits it); one not listed is claimed in any version. default: none pinned
   */
  versions?: WorkflowVersions;
  /** Who takes the leases, kept with each of them (see LeaseHolder). default: unknown, never taken over before expiry */
  holder?: LeaseHolder;
}

/**
 * The process that holds a lease, recorded with it by the claim. On the same machine (equal `hostId`) another
 * process can tell from `pid` and `startTime` that the holder is gone, and take its runs over before the lease
 * expires (see `Work.breakLease`). Without `hostId` or `startTime` nobody can tell, and the lease runs its course.
 */
export interface LeaseHolder {
  /** The machine's name, for people. */
  host: string;
  /**
   * Names the process table `pid` belongs to: equal on two processes only when they see the same pids (on Linux the
   * hostname, boot id and pid namespace). Absent where it cannot be known.
   */
  hostId?: string;
  pid: number;
  /** When the process started, as its OS tells it (Linux: /proc/<pid>/stat field 22), so that a reused pid is told apart. */
  startTime?: string;
}

/** A lease some worker holds now (unexpired), with who holds it. */
export interface HeldLease {
  runId: string;
  workflow: string;
  workerId: string;
  epoch: number;
  /** epoch ms */
  expiresAt: number;
  /** Absent when the claimer did not say who it is. */
  holder?: LeaseHolder;
}

/** Which held leases to list; the filters combine. */
export interface HeldLeaseFilter {
  /** Only this run's lease. */
  runId?: string;
  /** Only leases whose holder has this `hostId`. */
  hostId?: string;
  /** Only runs of these workflows. */
  workflows?: string[];
  /** default 100 */
  limit?: number;
}

/** Per workflow name, the versions of its code a worker holds (see ClaimRequest.versions). */
export type WorkflowVersions = Readonly<Record<string, readonly string[]>>;

export interface ClaimRunOptions {
  /** Claim the run only if its version is one of these for its workflow (as ClaimRequest.versions); default: any version */
  versions?: WorkflowVersions;
  /** As ClaimRequest.holder. */
  holder?: LeaseHolder;
}

export interface Work {
  /**
   * Leases up to `limit` runnable runs: queued, due (timer or retry), woken by a delivery, or whose lease expired;
   * then admits runs waiting in queues, as far as each queue's limits allow across all workers.
   */
  claim(request: ClaimRequest): Promise<Lease[]>;
  /** Leases one given run if it is not terminal, not leased by someone else and (in a queue) admitted or admissible now. */
  claimRun(runId: string, workerId: string, leaseMs: number, options?: ClaimRunOptions): Promise<Lease | undefined>;
  /** Extends a lease; throws `lease_lost` if it is no longer held. */
  heartbeat(lease: Lease, leaseMs: number): Promise<{ expiresAt: number; cancelRequested?: string }>;
  /** Unexpired leases of running runs, with their holders, by run id (at most `limit`). */
  heldLeases(filter?: HeldLeaseFilter): Promise<HeldLease[]>;
  /**
   * Ends a lease now, for a caller that knows its holder is gone: only if the run is still `running` under exactly
   * this lease (same worker and epoch, unexpired). The run is then claimable at once like one whose lease expired,
   * and the old holder, were it somehow alive, gets `lease_lost` at its next append or heartbeat. false when the lease
   * had already changed (claimed again, released, expired, or the run ended): nothing is changed then.
   */
  breakLease(lease: Pick<HeldLease, "runId" | "workerId" | "epoch">): Promise<boolean>;
  /** Gives a lease up without appending; the run becomes claimable at `readyAt` (default now) unless it is waiting. */
  release(lease: Lease, options?: { status?: "waiting" | "queued"; readyAt?: number }): Promise<void>;
  /**
   * Earliest time a run of these workflows (in `versions`, when given: see ClaimRequest.versions) becomes claimable
   * (due, or admissible when a rate window opens), or undefined.
   */
  nextReadyAt(workflows: string[], versions?: WorkflowVersions): Promise<number | undefined>;
  /**
   * Optional: calls `onReady` soon after some run may have become claimable (PostgreSQL LISTEN/NOTIFY), so
   * idle workers claim at once instead of at their next poll. A hint only: workers keep polling.
   * Resolves with a function that stops listening.
   */
  subscribe?(onReady: () => void): Promise<() => Promise<void>>;
}
