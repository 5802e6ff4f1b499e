// Queue admission on PostgreSQL. Workers on many machines claim at once, so each queue's admissions are serialized
// by a transaction-scoped advisory lock (lockQueue): the counts read after taking it include every admission that
// committed before, and nobody else admits to that queue until this transaction commits. Queues are locked in name
// order, so two claimers can never wait for each other in a cycle.
import type pg from "pg";
import { ADMISSION_LOOKAHEAD, planAdmission, type QueueConfig } from "../../core/index.js";
import { type QueueRow, queueColumns, queueWindowOpensAt, toQueueConfig } from "../queues.js";
import type { LeaseRow } from "../rows.js";
import type { QueueInfo } from "../store.js";
import type { StatementName } from "./queries.js";

type Rows = <R extends pg.QueryResultRow>(on: pg.Pool | pg.PoolClient, statement: StatementName, values: unknown[]) => Promise<R[]>;

export interface LeaseTerms {
  workerId: string;
  leaseMs: number;
  /** The lease_holder column (holders.ts). */
  holder: string | null;
}

export class PostgresQueues {
  constructor(
    private readonly schema: string,
    private readonly clock: () => number,
    private readonly rows: Rows,
  ) {}

  async configure(pool: pg.Pool, queues: QueueConfig[], now: number): Promise<void> {
    for (const config of queues) {
      const c = queueColumns(config);
      await this.rows(pool, "upsertQueue", [c.name, c.concurrency, c.keyConcurrency, c.rateLimit, c.ratePeriodMs, now]);
    }
  }

  async list(pool: pg.Pool, now: number): Promise<QueueInfo[]> {
    const rows = await this.rows<QueueRow & { pending: number; active: number; started: number }>(pool, "listQueues", [now]);
    return rows.map((row) => ({
      ...toQueueConfig(row),
      pending: Number(row.pending),
      active: Number(row.active),
      startedInWindow: Number(row.started),
    }));
  }

  /**
   * The queues that have a run of these workflows (in `versions`: JSON, see versions.ts) waiting for admission now;
   * read before opening a transaction.
   */
  async withPending(pool: pg.Pool, workflows: string[], now: number, versions = "{}"): Promise<QueueConfig[]> {
    return (await this.rows<QueueRow>(pool, "queuesWithPending", [now, workflows, versions])).map(toQueueConfig);
  }

  /** The queue a run waits in, as configured now (a queue the table lacks has no limits). */
  async config(pool: pg.Pool, name: string): Promise<QueueConfig> {
    const [row] = await this.rows<QueueRow>(pool, "selectQueue", [name]);
    return row ? toQueueConfig(row) : { name };
  }

  /**
   * Inside the caller's transaction: admits and leases up to `room` pending runs of `queues` (in name order), or only
   * `onlyRunId` when given.
   */
  async admit(
    client: pg.PoolClient,
    queues: QueueConfig[],
    workflows: string[],
    room: number,
    lease: LeaseTerms,
    onlyRunId?: string,
    versions = "{}",
  ): Promise<LeaseRow[]> {
    await client.query("SET LOCAL synchronous_commit = off");
    const admitted: LeaseRow[] = [];
    for (const config of [...queues].sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const left = room - admitted.length;
      if (left <= 0) break;
      await this.rows(client, "lockQueue", [this.schema, config.name]);
      const period = config.rateLimit?.periodMs ?? 0;
      const [load] = await this.rows<{ active: number; admitted: number[]; by_key: Record<string, number> }>(client, "queueLoad", [
        config.name,
        this.clock() - period,
        config.keyConcurrency !== undefined,
      ]);
      // Read after counting: a completion that freed a slot committed before the count, so its journal time is
      // earlier than this admission's (admitted_at never predates the end of the run whose slot it takes).
      const now = this.clock();
      const candidates = await this.rows<{ pk: number; concurrency_key: string | null }>(client, "pendingCandidates", [
        config.name,
        now,
        workflows,
        left + ADMISSION_LOOKAHEAD,
        onlyRunId ?? null,
        versions,
      ]);
      if (!load || candidates.length === 0) continue;
      const plan = planAdmission(
        config,
        {
          active: Number(load.active),
          startedInWindow: config.rateLimit ? load.admitted.filter((at) => Number(at) > now - period).length : 0,
          activeByKey: new Map(Object.entries(load.by_key).map(([k, n]) => [k, Number(n)])),
        },
        candidates.map((c) => ({ pk: Number(c.pk), concurrencyKey: c.concurrency_key })),
        left,
      );
      if (plan.length === 0) continue;
      const pks = plan.map((c) => c.pk);
      admitted.push(...(await this.rows<LeaseRow>(client, "admitRuns", [pks, now, lease.workerId, now + lease.leaseMs, lease.holder])));
    }
    return admitted;
  }

  /** The earliest time a pending run becomes admissible by time alone: a later start or a rate window opening. */
  async nextAdmissibleAt(pool: pg.Pool, workflows: string[], now: number, versions = "{}"): Promise<number | undefined> {
    const [row] = await this.rows<{ at: number | null }>(pool, "nextAdmitAt", [now, workflows, versions]);
    let next = row?.at ?? undefined;
    for (const config of await this.withPending(pool, workflows, now, versions)) {
      if (!config.rateLimit) continue;
      const [load] = await this.rows<{ admitted: number[] }>(pool, "queueLoad", [config.name, now - config.rateLimit.periodMs, false]);
      const opens = queueWindowOpensAt(config, (load?.admitted ?? []).map(Number), now);
      if (opens !== undefined && (next === undefined || opens < next)) next = opens;
    }
    return next;
  }
}
