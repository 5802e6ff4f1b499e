// The Store contract: the journal, the runs index, leases and claims, the inbox, timers and artifacts.
// Every backend implements exactly this and passes the shared suite in conformance.ts.

import type { EventBody, JournalEvent, QueueConfig, RunOptions, TransactionClient, WaitSpec } from "../core/index.js";
import type { ChainRow } from "./chain.js";

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

export interface Delivery {
  eventKey: string;
  payload: unknown;
  tenant?: string;
}

export interface InboxMessage {
  id: number;
  eventKey: string;
  payload: unknown;
  tenant: string;
  /** epoch ms */
  createdAt: number;
}

/** An open wait from the index of waits (maintained from `wait_started` / `wait_resolved` events). */
export interface OpenWait extends WaitSpec {
  runId: string;
  key: string;
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
 * expires (see `Store.breakLease`). Without `hostId` or `startTime` nobody can tell, and the lease runs its course.
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

/** A queue's limits and what it holds now. */
export interface QueueInfo extends QueueConfig {
  /** Runs waiting for admission. */
  pending: number;
  /** Admitted runs not yet finished. */
  active: number;
  /** Admissions inside the rate-limit window (0 without a rate limit). */
  startedInWindow: number;
}

/** Options every backend accepts. */
export interface StoreOptions {
  /** The store's clock (epoch ms) for leases, `at` and readiness; tests pass a fake one. default Date.now */
  clock?: () => number;
}

export interface Store {
  /**
   * Creates a run and journals its `run_created` event as seq 1; idempotent by id and by (tenant, idempotencyKey).
   * With `tx` (the caller's open transaction: a pg client on PostgreSQL, a better-sqlite3 Database on SQLite) the
   * run is written in it, and exists only if the caller commits.
   */
  createRun(run: NewRun, options?: { tx?: unknown }): Promise<CreateResult>;
  getRun(runId: string): Promise<RunRecord | undefined>;
  listRuns(filter?: RunFilter): Promise<RunPage>;

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

  /** Asks a run to stop; it becomes claimable now so an executor can journal `run_cancelled`. */
  requestCancel(runId: string, reason: string): Promise<RunRecord>;

  /** Creates or updates queues' limits (the last writer wins; workers read them at every claim). */
  configureQueues(queues: QueueConfig[]): Promise<void>;
  /** Every known queue with its limits and counts, by name. */
  listQueues(): Promise<QueueInfo[]>;

  /** Adds a message to the inbox and wakes the runs of its tenant (default "default") waiting on its key. */
  deliver(delivery: Delivery): Promise<{ id: number; wokeRunIds: string[] }>;
  /** The oldest unconsumed message for a key; only that tenant's messages when `tenant` is given (a run only takes its tenant's). */
  peekInbox(eventKey: string, tenant?: string): Promise<InboxMessage | undefined>;
  /** Unconsumed messages, oldest first (those nobody is waiting for yet). */
  listInbox(options?: { tenant?: string; limit?: number }): Promise<InboxMessage[]>;
  /** Open waits of a run, or of every run waiting on an event key. */
  openWaits(query: { runId: string } | { eventKey: string }): Promise<OpenWait[]>;

  /**
   * Stores bytes under their sha256 (hex) and returns it; storing the same bytes twice keeps one copy. With `runId`
   * the run is recorded as referencing them, and they are kept while it exists; stored without a run (or before
   * schema support for references) they are kept for good. See `collectArtifacts`.
   */
  putArtifact(bytes: Uint8Array, options?: ArtifactPutOptions): Promise<string>;
  getArtifact(sha256: string): Promise<Uint8Array | undefined>;

  /**
   * Optional: calls `onReady` soon after some run may have become claimable (PostgreSQL LISTEN/NOTIFY), so
   * idle workers claim at once instead of at their next poll. A hint only: workers keep polling.
   * Resolves with a function that stops listening.
   */
  subscribe?(onReady: () => void): Promise<() => Promise<void>>;

  close(): Promise<void>;

  /**
   * Creates a schedule, or updates its definition. `nextFireAt` is used for a new schedule, and for an existing one
   * only when its cron or time zone changed; otherwise its next fire, pause and history are kept.
   */
  upsertSchedule(spec: ScheduleSpec): Promise<ScheduleRecord>;
  /** Every schedule, by name. */
  listSchedules(): Promise<ScheduleRecord[]>;
  /**
   * Fires a due schedule exactly once across all handles: only if it is not paused and its next fire is still
   * `expectedNextFireAt`, moves it to `nextFireAt` and creates `runs` (idempotently, by id) in the same transaction.
   */
  fireSchedule(fire: ScheduleFire): Promise<ScheduleFireResult>;
  /** Pauses or resumes a schedule (resuming sets its next fire to `nextFireAt`); undefined when there is none by that name. */
  setSchedulePaused(name: string, paused: boolean, nextFireAt?: number): Promise<ScheduleRecord | undefined>;

  // --- access to the HTTP API: API keys, server secrets, single-use tokens ---

  /** Saves a new API key (only the hash of its token). */
  createApiKey(key: ApiKeyRecord): Promise<void>;
  /** The key whose token has this hash, revoked or not. */
  findApiKey(hash: string): Promise<ApiKeyRecord | undefined>;
  /** Keys, oldest first; only one tenant's when given. */
  listApiKeys(filter?: { tenant?: string }): Promise<ApiKeyRecord[]>;
  /** Marks a key revoked (from now on); returns it, or undefined when no key has this id. Revoking twice keeps the first time. */
  revokeApiKey(id: string): Promise<ApiKeyRecord | undefined>;
  /** The secret named `name`: the first caller's `candidate` is kept, and every later call, in any process, gets that one. */
  secret(name: string, candidate: string): Promise<string>;
  /** Records a single-use token as used; false when it was used before. `expiresAt` (epoch ms) lets old entries be purged. */
  useToken(id: string, expiresAt: number): Promise<boolean>;
  /** The run's journal rows as stored, with their chain hashes (see chain.ts), in seq order; [] for an unknown run. */
  journalChain(runId: string): Promise<ChainRow[]>;
  /**
   * When this store's journal chain began (epoch ms): a run created after it has a hash on every event, so a missing
   * hash there is tampering, not an event that predates the chain. 0 when every run is chained.
   */
  chainSince(): Promise<number>;
  /**
   * Retention: deletes up to `limit` runs that ended with `status` and were last updated before `before` (epoch ms),
   * with their journals, waits and the inbox messages they consumed; returns their ids (oldest first). One bounded
   * batch per call, so callers loop until fewer than `limit` come back. Artifacts are kept.
   */
  pruneRuns(request: PruneRequest): Promise<string[]>;
  /** Retention: the ids `pruneRuns` would delete for this request (oldest first), deleting nothing; for archiving first. */
  findPrunable(request: PruneRequest): Promise<string[]>;
  /**
   * Retention: deletes up to `limit` artifacts that no run references any more (their runs were pruned) and that
   * nobody stored again since `before` (epoch ms), and returns their hashes. The grace period (`before` = now minus
   * it) covers a run storing the same bytes while this runs: every put moves an artifact's put time to now, and the
   * delete re-checks it. Artifacts stored without a run are never collected.
   */
  collectArtifacts(request: { before: number; limit: number }): Promise<string[]>;
  /**
   * Retention: deletes up to `limit` inbox messages that nobody consumed and that were delivered before `before`
   * (epoch ms), and returns their ids in ascending order. A message some run of its tenant waits for now (an open wait
   * on its key) is kept: that run takes it at its next claim. One bounded batch per call; which of the due messages a
   * batch takes is the store's choice (each reads them through its index of unconsumed messages).
   */
  expireInbox(request: { before: number; limit: number }): Promise<number[]>;
  /**
   * Takes or renews a named lease for periodic maintenance (retention) so that one worker at a time does it: true
   * when `owner` holds it now until now + `ttlMs`, false when another owner holds an unexpired one.
   */
  acquireMaintenanceLease(request: { name: string; owner: string; ttlMs: number }): Promise<boolean>;

  // --- the live workers registry (who holds which workflow versions) ---

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

/** How many runs of one workflow version are queued, running and waiting. */
export interface UnfinishedCount {
  workflow: string;
  version: string;
  queued: number;
  running: number;
  waiting: number;
}

/** What a worker announces about itself (see Store.announceWorker). */
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

export interface ArtifactPutOptions {
  /** The run that stores (and so references) the artifact. */
  runId?: string;
}

export interface PruneRequest {
  status: "completed" | "failed" | "cancelled";
  before: number;
  limit: number;
  /** Only these runs (still only if they match status and before): to delete exactly the runs just archived. */
  runIds?: string[];
}

/** What to do with fire times missed while no worker ran: run the latest once, all of them (bounded), or none. */
export type CatchUpPolicy = "latest" | "all" | "none";

/** A schedule's definition as the code declares it. */
export interface ScheduleSpec {
  name: string;
  cron: string;
  timezone: string;
  workflow: string;
  input: unknown;
  catchUp: CatchUpPolicy;
  /** `all` starts at most this many missed fires. */
  maxCatchUp: number;
  /** The first fire time after now (epoch ms). */
  nextFireAt: number;
}

export interface ScheduleRecord extends Omit<ScheduleSpec, "nextFireAt"> {
  paused: boolean;
  /** epoch ms */
  nextFireAt: number;
  /** Fire time (epoch ms) of the last run the schedule started. */
  lastFiredAt?: number;
  lastRunId?: string;
  /** epoch ms */
  createdAt: number;
  /** epoch ms */
  updatedAt: number;
}

export interface ScheduleFire {
  name: string;
  /** The next fire time the firer read; nothing happens if it changed since (someone else fired). */
  expectedNextFireAt: number;
  nextFireAt: number;
  /** The runs this fire starts, oldest fire time first (none when the catch-up policy skips them all). */
  runs: NewRun[];
  /** Fire time (epoch ms) of the last of `runs`. */
  lastFiredAt?: number;
}

export interface ScheduleFireResult {
  /** false when the schedule was fired (or paused, or changed) by someone else first. */
  fired: boolean;
  runs: CreateResult[];
}

export type ApiRole = "admin" | "operator" | "viewer";

/** An API key as stored: its token's sha256 (hex), never the token. */
export interface ApiKeyRecord {
  id: string;
  tenant: string;
  role: ApiRole;
  /** sha256 (hex) of the token */
  hash: string;
  name?: string;
  /** epoch ms */
  createdAt: number;
  /** epoch ms */
  revokedAt?: number;
}
