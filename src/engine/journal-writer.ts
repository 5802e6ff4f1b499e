// The one writer of a run's journal for one invocation: it buffers events, commits them in batches fenced by the
// lease and the expected seq, keeps the lease alive, and runs what waits for a commit only once it has landed.
import { DuroError, type EventBody, type JournalEvent, type JournalGuard, type TransactionClient } from "../core/index.js";
import type { AppendCommit, AppendResult, Lease } from "../store/index.js";
import type { ExecutorDeps } from "./executor.js";
import { failpoint } from "./failpoints.js";

/** What the writer asks of the invocation it writes for. */
export interface WriterHost {
  /** The invocation ended: nothing is flushed on a timer any more (the ending commits the buffer itself). */
  readonly finished: boolean;
  /** A bug or a storage failure ended the invocation: nothing more is written at all. */
  readonly crashed: boolean;
  /**
   * Runs `fn` once the result ready to be handed to the code has been, and the code has reacted; false if none is
   * ready. A flush yields to such results, so the calls they cause join it.
   */
  afterNextDelivery(fn: () => void): boolean;
  /** The store refused a commit (lost lease, inbox conflict). */
  stop(error: unknown): void;
  crash(error: unknown): void;
  cancel(reason: string): void;
  /** Fails the run (an event that slipped past the call guard). */
  fail(error: unknown): void;
  checkIdle(): void;
}

export class JournalWriter {
  /** The seq of the last event this invocation knows of: the next commit's fence. */
  private expectedSeq = 0;
  private buffer: EventBody[] = [];
  private consumed: number[] = [];
  private afterFlush: Array<() => void> = [];
  private journaledSteps: string[] = [];
  private flushScheduled = false;
  private flushing: Promise<void> = Promise.resolve();
  /** Commits on their way to the store. */
  private committing = 0;
  /** Work that must finish before the next commit (a child's run record): the commit carries its events. */
  private readonly preparing = new Set<Promise<void>>();
  private heartbeat: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly deps: ExecutorDeps,
    private lease: Lease,
    private readonly host: WriterHost,
  ) {}

  /** The journal was read up to `lastSeq`: the next commit appends after it. */
  readUpTo(lastSeq: number): void {
    this.expectedSeq = lastSeq;
  }

  private get runId(): string {
    return this.lease.runId;
  }

  /** Nothing is buffered, scheduled or on its way: the writer holds the run up in no way. */
  get quiet(): boolean {
    return this.committing === 0 && !this.flushScheduled && this.buffer.length === 0 && this.consumed.length === 0;
  }

  get supportsTransactions(): boolean {
    return this.deps.store.transact !== undefined;
  }

  /** Buffers an event for the next commit, after the journal guard. */
  push(event: EventBody): void {
    const guard = this.deps.journalGuard;
    if (guard && (event.type === "step_failed" || event.type === "run_failed")) {
      event = {
        ...event,
        error: guard.error(event.error, event.type === "run_failed" ? "error of the run" : `error of step "${event.key}"`),
      };
    } else if (guard && !this.guardEvent(guard, event)) {
      return;
    }
    this.buffer.push(event);
    this.scheduleFlush();
  }

  /** Takes a buffered event back out (a child whose run could not be created); false if it was committed already. */
  withdraw(event: EventBody): boolean {
    const at = this.buffer.indexOf(event);
    if (at < 0) return false;
    this.buffer.splice(at, 1);
    return true;
  }

  /** Marks an inbox message consumed by the next commit (the store refuses it if someone else took it). */
  consume(messageId: number): void {
    this.consumed.push(messageId);
  }

  /** Runs `fn` once the next commit has landed (a step's function, an inline child). */
  afterCommit(fn: () => void): void {
    this.afterFlush.push(fn);
  }

  /** Fires the `after_step_journaled` failpoint for `key` once the next commit has landed. */
  stepJournaled(key: string): void {
    this.journaledSteps.push(key);
  }

  /**
   * Holds the next commit until `work` is done; a failure of `work` ends the invocation (nothing more is written and
   * the lease lapses), since the events it guards are already in the buffer. Returns `work` guarded, to be tracked.
   */
  prepare(work: Promise<void>): Promise<void> {
    const guarded: Promise<void> = work
      .catch((error) => this.host.crash(error))
      .finally(() => {
        this.preparing.delete(guarded);
      });
    this.preparing.add(guarded);
    return guarded;
  }

  /** Resolves once the commits already chained have landed. */
  settled(): Promise<void> {
    return this.flushing;
  }

  /** Commits the buffer after the commits already chained; the chain's later commits wait for it. */
  flushInOrder(): Promise<void> {
    this.flushing = this.flushing.then(() => this.flush());
    return this.flushing;
  }

  /**
   * Chains `link` (a transaction's commit) after the commits before it; the chain's later commits wait for it. A
   * failure of `link` is a crash; `after` runs however it ends.
   */
  inOrder(link: () => Promise<void>, after: () => void): void {
    this.flushing = this.flushing
      .then(link)
      .catch((error) => this.host.crash(error))
      .finally(after);
  }

  /**
   * The commit of a transaction: `work` runs inside the store transaction that appends the events it returns, fenced
   * like any commit. The caller has flushed the buffer first, so the transaction's events take the next seqs.
   */
  async transact(key: string, work: (tx: TransactionClient) => Promise<EventBody[]>): Promise<AppendResult> {
    const { transact } = this.deps.store;
    if (!transact)
      throw new DuroError("internal_error", "a transaction was committed on a store without transactions", { category: "internal" });
    const expectedSeq = this.expectedSeq;
    let result: AppendResult;
    this.committing++;
    try {
      result = await transact.call(this.deps.store, this.runId, [], { lease: this.lease, expectedSeq }, work);
    } finally {
      this.committing--;
    }
    this.expectedSeq = result.lastSeq;
    this.observe([{ type: "step_completed", key }], expectedSeq + 1);
    return result;
  }

  /**
   * Commits the buffer with `extra` (an ending's status, release and deliveries). A refused commit stops the
   * invocation; after a crash nothing is written.
   */
  async flush(extra: Partial<AppendCommit> = {}): Promise<void> {
    while (this.preparing.size > 0) await Promise.all(this.preparing);
    if (this.host.crashed) return;
    const events = this.buffer;
    const consume = this.consumed;
    const after = this.afterFlush;
    const journaled = this.journaledSteps;
    if (events.length === 0 && consume.length === 0 && Object.keys(extra).length === 0) {
      this.afterFlush = [];
      for (const fn of after) fn();
      return;
    }
    this.buffer = [];
    this.consumed = [];
    this.afterFlush = [];
    this.journaledSteps = [];
    const commit: AppendCommit = { lease: this.lease, expectedSeq: this.expectedSeq, ...extra };
    if (consume.length > 0) commit.consume = consume;
    let result: AppendResult;
    // Work that starts once this commit lands (a step's function, an inline child) is not in flight yet:
    // the run must not be judged idle while the commit is on its way.
    this.committing++;
    try {
      result = await this.deps.store.append(this.runId, events, commit);
    } catch (error) {
      return this.host.stop(error);
    } finally {
      this.committing--;
    }
    const firstSeq = this.expectedSeq + 1;
    this.expectedSeq = result.lastSeq;
    this.observe(events, firstSeq);
    for (const key of journaled) failpoint("after_step_journaled", key);
    if (result.cancelRequested !== undefined && !this.host.finished) this.host.cancel(result.cancelRequested);
    for (const fn of after) fn();
    this.host.checkIdle();
  }

  /** Gives the lease back without a commit; `status` says how the run is left. */
  release(options?: { status: "queued" }): Promise<void> {
    return this.deps.store.release(this.lease, options);
  }

  /** Extends the lease every third of its length, and hears of cancel requests there. */
  startHeartbeat(): void {
    this.heartbeat = setInterval(
      () => {
        this.deps.store.heartbeat(this.lease, this.deps.leaseMs).then(
          ({ expiresAt, cancelRequested }) => {
            this.lease = { ...this.lease, expiresAt };
            if (cancelRequested !== undefined) this.host.cancel(cancelRequested);
          },
          (error) => {
            if (!this.host.finished) this.host.stop(error);
          },
        );
      },
      Math.max(50, Math.floor(this.deps.leaseMs / 3)),
    );
    this.heartbeat.unref();
  }

  stopHeartbeat(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }

  /**
   * The last line before the journal: every string of an event is checked (results, outputs and payloads were
   * checked where they entered, and are not walked twice). What slips past the call guard fails the run and is
   * not journaled; a cancellation reason that holds a secret is journaled without it.
   */
  private guardEvent(guard: JournalGuard, event: EventBody): boolean {
    const { result: _r, output: _o, payload: _p, ...rest } = event as EventBody & { result?: unknown; output?: unknown; payload?: unknown };
    try {
      guard.check(rest, `${event.type} event`);
      return true;
    } catch (error) {
      if (event.type === "run_cancelled") {
        this.buffer.push({ ...event, reason: "the cancellation reason held a secret and was not journaled" });
        this.scheduleFlush();
      } else if (!this.host.finished) {
        this.host.fail(error);
      }
      return false;
    }
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || this.host.finished) return;
    this.flushScheduled = true;
    setImmediate(this.scheduledFlush);
  }

  /** The flush scheduleFlush arranged; made once, since nearly every step schedules one. */
  private readonly scheduledFlush = (): void => {
    // An ending (finish, suspend, yield) commits the buffer itself, with its own terms; do not race it.
    if (this.host.finished) {
      this.flushScheduled = false;
      return;
    }
    // Results not yet handed to the code go first, so what the code asks for next joins this commit.
    if (this.host.afterNextDelivery(this.scheduledFlush)) return;
    this.flushScheduled = false;
    this.flushing = this.flushing.then(() => this.flush()).catch((error) => this.host.crash(error));
  };

  private observe(events: EventBody[], firstSeq: number): void {
    if (!this.deps.onEvents || events.length === 0) return;
    const at = new Date(this.deps.clock()).toISOString();
    this.deps.onEvents(
      this.runId,
      events.map((e, i) => ({ ...e, seq: firstSeq + i, at }) as JournalEvent),
    );
  }
}
