// Queue admission on SQLite. Every method runs inside the store's IMMEDIATE write transaction (or a read), so
// the counts a claim reads cannot change before it admits: one writer at a time is SQLite's own guarantee.
import type Database from "better-sqlite3";
import { ADMISSION_LOOKAHEAD, planAdmission, type QueueConfig } from "../../core/index.js";
import { type QueueRow, queueColumns, queueWindowOpensAt, toQueueConfig } from "../queues.js";
import type { LeaseRow } from "../rows.js";
import type { QueueInfo } from "../store.js";
import * as sql from "./queries.js";

export interface LeaseTerms {
  workerId: string;
  expiresAt: number;
  now: number;
  /** The lease_holder column (holders.ts). */
  holder: string | null;
}

export class SqliteQueues {
  private readonly q;

  constructor(db: Database.Database) {
    this.q = {
      upsert: db.prepare(sql.UPSERT_QUEUE),
      ensure: db.prepare<[string, number]>(sql.ENSURE_QUEUE),
      all: db.prepare<[], QueueRow>(sql.SELECT_QUEUES),
      one: db.prepare<[string], QueueRow>(sql.SELECT_QUEUE),
      candidates: db.prepare<
        [{ queue: string; now: number; workflows: string; versions: string; limit: number }],
        { pk: number; concurrency_key: string | null }
      >(sql.PENDING_CANDIDATES),
      countPending: db.prepare<[string], { n: number }>(sql.COUNT_PENDING),
      countActive: db.prepare<[string], { n: number }>(sql.COUNT_ACTIVE),
      activeByKey: db.prepare<[string], { key: string; n: number }>(sql.ACTIVE_BY_KEY),
      admittedSince: db.prepare<[string, number], { admitted_at: number }>(sql.ADMITTED_SINCE),
      nextAdmitAt: db.prepare<[{ now: number; workflows: string; versions: string }], { at: number | null }>(sql.NEXT_ADMIT_AT),
      rateLimited: db.prepare<[{ now: number; workflows: string; versions: string }], QueueRow>(sql.RATE_LIMITED_WITH_PENDING),
      admit: db.prepare<[LeaseTerms & { pk: number }], LeaseRow>(sql.ADMIT_RUN),
    };
  }

  configure(queues: QueueConfig[], now: number): void {
    for (const config of queues) this.q.upsert.run({ ...queueColumns(config), now });
  }

  /** A queue named by a new run exists from then on (without limits until configured). */
  ensure(name: string, now: number): void {
    this.q.ensure.run(name, now);
  }

  list(now: number): QueueInfo[] {
    return this.q.all.all().map((row) => {
      const config = toQueueConfig(row);
      return {
        ...config,
        pending: this.q.countPending.get(row.name)?.n ?? 0,
        active: this.q.countActive.get(row.name)?.n ?? 0,
        startedInWindow: this.startedInWindow(config, now).length,
      };
    });
  }

  /**
   * Admits and leases up to `room` pending runs of these workflows (JSON array; in `versions`, JSON as in
   * versions.ts), queue by queue, within each queue's limits.
   */
  admitPending(workflows: string, room: number, lease: LeaseTerms, versions = "{}"): LeaseRow[] {
    const admitted: LeaseRow[] = [];
    for (const row of this.q.all.all()) {
      const left = room - admitted.length;
      if (left <= 0) break;
      const candidates = this.q.candidates.all({ queue: row.name, now: lease.now, workflows, versions, limit: left + ADMISSION_LOOKAHEAD });
      if (candidates.length === 0) continue;
      admitted.push(...this.admit(toQueueConfig(row), candidates, left, lease));
    }
    return admitted;
  }

  /** Admits and leases one given pending run if its queue's limits allow it now. */
  admitOne(run: { pk: number; queue: string; concurrency_key: string | null }, lease: LeaseTerms): LeaseRow | undefined {
    const row = this.q.one.get(run.queue);
    const config = row ? toQueueConfig(row) : { name: run.queue };
    return this.admit(config, [run], 1, lease)[0];
  }

  /** The earliest time a pending run becomes admissible by time alone: a later start or a rate window opening. */
  nextAdmissibleAt(workflows: string, now: number, versions = "{}"): number | undefined {
    let next = this.q.nextAdmitAt.get({ now, workflows, versions })?.at ?? undefined;
    for (const row of this.q.rateLimited.all({ now, workflows, versions })) {
      const config = toQueueConfig(row);
      const opens = queueWindowOpensAt(config, this.startedInWindow(config, now), now);
      if (opens !== undefined && (next === undefined || opens < next)) next = opens;
    }
    return next;
  }

  private admit(config: QueueConfig, candidates: Array<{ pk: number; concurrency_key: string | null }>, room: number, lease: LeaseTerms) {
    const load = {
      active: this.q.countActive.get(config.name)?.n ?? 0,
      startedInWindow: this.startedInWindow(config, lease.now).length,
      activeByKey: new Map(
        config.keyConcurrency === undefined ? [] : this.q.activeByKey.all(config.name).map((r) => [r.key, r.n] as const),
      ),
    };
    const plan = planAdmission(
      config,
      load,
      candidates.map((c) => ({ pk: c.pk, concurrencyKey: c.concurrency_key })),
      room,
    );
    return plan.map(({ pk }) => this.q.admit.get({ ...lease, pk }) as LeaseRow);
  }

  private startedInWindow(config: QueueConfig, now: number): number[] {
    if (!config.rateLimit) return [];
    return this.q.admittedSince.all(config.name, now - config.rateLimit.periodMs).map((r) => r.admitted_at);
  }
}
