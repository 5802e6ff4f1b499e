// Group commit: writes requested in the same tick share one SQLite transaction, each inside its own savepoint,
// so N runs appending at once pay for one commit (one fsync with synchronous=full) instead of N.
// A failing write rolls back only its own savepoint; every promise settles after the shared COMMIT.
// A writer alone (one run, or runs that never write in the same turn) would only wait a turn of the event loop for
// company that does not come: after a run of lone flushes its writes commit at once, until two meet in one turn.
import type Database from "better-sqlite3";

interface Pending {
  work: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/** Flushes in a row that each held one write, after which a lone write commits at once. */
const LONE_FLUSHES = 8;

export class GroupCommit {
  private queue: Pending[] = [];
  /** While an exclusive transaction is open on the connection, queued writes wait for it to end. */
  private held = false;
  private exclusives: Promise<unknown> = Promise.resolve();
  /** Flushes in a row that held one write; reset when two writes meet in one turn. */
  private loneFlushes = 0;
  /** A write committed at once in this turn of the event loop: the next one in the same turn waits for a batch. */
  private committedThisTurn = false;
  private readonly newTurn = (): void => {
    this.committedThisTurn = false;
  };
  /** One write alone: its own IMMEDIATE transaction, no savepoint. */
  private readonly alone: (work: () => unknown) => unknown;
  /** Several writes: one IMMEDIATE transaction, each write in a nested transaction (a SAVEPOINT). */
  private readonly together: (batch: Pending[]) => Outcome[];

  constructor(private readonly db: Database.Database) {
    const nested = db.transaction((work: () => unknown) => work());
    this.alone = nested.immediate;
    this.together = db.transaction((batch: Pending[]) =>
      batch.map((p): Outcome => {
        try {
          return { ok: true, value: nested(p.work) };
        } catch (error) {
          return { ok: false, error };
        }
      }),
    ).immediate;
  }

  /**
   * Queues `work` (which runs inside the transaction and may throw) for the next flush, on the next turn of the event
   * loop; a writer that has been alone for a while commits it at once instead.
   */
  submit<T>(work: () => T): Promise<T> {
    if (this.committedThisTurn) this.loneFlushes = 0;
    else if (this.loneFlushes >= LONE_FLUSHES && this.queue.length === 0 && !this.held) return this.commitNow(work);
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      // setImmediate, not a microtask: executors of different runs each commit from their own macrotask,
      // and only the check phase after all of them sees their writes together.
      if (this.queue.length === 1) setImmediate(() => this.flush());
    });
  }

  private commitNow<T>(work: () => T): Promise<T> {
    this.committedThisTurn = true;
    setImmediate(this.newTurn);
    try {
      return Promise.resolve(this.alone(work) as T);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Runs async `work` in its own IMMEDIATE transaction on the connection, after what is queued now; writes queued
   * meanwhile wait until it commits or rolls back. The write lock is held while `work` awaits, so keep it short.
   */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = async (): Promise<T> => {
      this.flush();
      this.db.exec("BEGIN IMMEDIATE");
      this.held = true;
      try {
        const result = await work();
        this.db.exec("COMMIT");
        return result;
      } catch (error) {
        if (this.db.inTransaction) this.db.exec("ROLLBACK");
        throw error;
      } finally {
        this.held = false;
        this.flush();
      }
    };
    const result = this.exclusives.then(run, run);
    this.exclusives = result.catch(() => undefined);
    return result;
  }

  /** Commits everything queued now. The store calls it before any other operation, so calls keep their order. */
  flush(): void {
    const batch = this.queue;
    if (batch.length === 0 || this.held) return;
    this.queue = [];
    this.loneFlushes = batch.length === 1 ? this.loneFlushes + 1 : 0;
    if (batch.length === 1) {
      const [only] = batch as [Pending];
      try {
        only.resolve(this.alone(only.work));
      } catch (error) {
        only.reject(error);
      }
      return;
    }
    let outcomes: Outcome[];
    try {
      outcomes = this.together(batch);
    } catch (error) {
      // BEGIN or COMMIT failed: nothing of the batch was written.
      for (const p of batch) p.reject(error);
      return;
    }
    for (const [i, p] of batch.entries()) {
      const outcome = outcomes[i] as Outcome;
      if (outcome.ok) p.resolve(outcome.value);
      else p.reject(outcome.error);
    }
  }
}
