// The PostgreSQL Store on pg: a bounded pool per store, everything in one PostgreSQL schema. Every write that
// checks a fence does it in the transaction that writes, after locking the run's row (SELECT … FOR UPDATE), so a
// stale writer can never slip a row in between; claims take disjoint runs with FOR UPDATE SKIP LOCKED. Times come
// from the store's clock, never from the server's now(), so every backend reads the same fake clock in tests.
import { createHash } from "node:crypto";
import type pg from "pg";
import { DuroError, type EventBody, type JournalEvent, type WaitSpec } from "../../core/index.js";
import { inboxConflict, runNotFound, runTerminal, storeClosed } from "../errors.js";
import { decodeEvent, type EncodedEvent, encodeEvent, runCreatedEvent, toJson } from "../event-codec.js";
import { checkFence, checkLease, type FenceView, leaseProblem } from "../fence.js";
import { decodeCursor, encodeCursor, pageLimit } from "../paging.js";
import type {
  AppendCommit,
  AppendResult,
  ClaimRequest,
  CreateResult,
  Delivery,
  InboxMessage,
  Lease,
  NewRun,
  OpenWait,
  RunFilter,
  RunPage,
  RunRecord,
  RunStatus,
  Store,
  StoreOptions,
} from "../store.js";
import { nextReadyAt, terminalStatusOf } from "../transitions.js";
import { postgresError } from "./errors.js";
import { checkSchemaName, createListener, createPool, DEFAULT_SCHEMA, migrate, parsePostgresUrl, rollback } from "./open.js";
import { LISTEN_READY, listRunsQuery, postgresQueries, type Queries, READY_CHANNEL, type StatementName } from "./queries.js";
import { quoteSchema } from "./schema.js";

export interface PostgresStoreOptions extends StoreOptions {
  /** The PostgreSQL schema holding duro's tables, created on first use; a plain lower-case identifier. default "duro" (or the URL's ?schema=) */
  schema?: string;
  /** Connections this store's pool may open. default 10 */
  poolSize?: number;
  /** How long to wait for a connection before failing with `db_unavailable`. default 10_000 */
  connectTimeoutMs?: number;
}

/**
 * Opens the duro store in a PostgreSQL database. Nothing connects yet: the first operation connects and brings the
 * schema up to date, so an unreachable server surfaces there, as `db_unavailable`.
 */
export function openPostgresStore(url: string, options: PostgresStoreOptions = {}): PostgresStore {
  const { connectionString, schema } = parsePostgresUrl(url);
  return new PostgresStore(connectionString, { ...options, schema: options.schema ?? schema ?? DEFAULT_SCHEMA });
}

interface RunRow {
  pk: number;
  id: string;
  workflow: string;
  version: string;
  tenant: string;
  status: RunStatus;
  parent_run_id: string | null;
  idempotency_key: string | null;
  created_at: number;
  updated_at: number;
  ready_at: number | null;
  last_seq: number | null;
  cancel_requested: string | null;
  lease_owner: string | null;
  lease_epoch: number;
}

/** The row lockRun returns: what the fence and the status transitions look at. */
type LockedRun = Pick<RunRow, "pk" | "id" | "status" | "ready_at" | "cancel_requested" | "lease_owner" | "lease_epoch">;

interface LeaseRow {
  pk: number;
  id: string;
  workflow: string;
  lease_epoch: number;
  ready_at: number;
}

interface MessageRow {
  id: number;
  event_key: string;
  tenant: string;
  payload: string;
  created_at: number;
}

interface WaitRow {
  run_id: string;
  key: string;
  spec: string;
}

type Queryable = pg.Pool | pg.PoolClient;

export class PostgresStore implements Store {
  private readonly clock: () => number;
  private readonly pool: pg.Pool;
  private readonly schema: string;
  private readonly quotedSchema: string;
  private readonly q: Queries;
  private readonly connectTimeoutMs: number;
  /** Connections held by subscribe(), ended by close(). */
  private readonly listeners = new Set<pg.Client>();
  /** The migration, started by the first operation; cleared when it fails so that the next operation tries again. */
  private migration: Promise<void> | undefined;
  private closed = false;

  /** Use openPostgresStore; `connectionString` must not carry duro's `schema` parameter. */
  constructor(
    private readonly url: string,
    options: PostgresStoreOptions = {},
  ) {
    this.clock = options.clock ?? Date.now;
    this.schema = checkSchemaName(options.schema ?? DEFAULT_SCHEMA);
    this.quotedSchema = quoteSchema(this.schema);
    this.q = postgresQueries(this.quotedSchema);
    this.connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
    this.pool = createPool(url, { poolSize: options.poolSize ?? 10, connectTimeoutMs: this.connectTimeoutMs });
  }

  /** Connects and brings the schema up to date now instead of at the first operation; fails like it would. */
  async ready(): Promise<void> {
    await this.use(async () => undefined);
  }

  async createRun(run: NewRun): Promise<CreateResult> {
    const created = encodeEvent(runCreatedEvent(run));
    return this.use(async () => {
      const now = this.clock();
      const readyAt = run.readyAt ?? now;
      const inserted = await this.rows(this.pool, "insertRun", [
        run.id,
        run.workflow,
        run.version,
        run.tenant,
        run.parentRunId ?? null,
        run.idempotencyKey ?? null,
        now,
        readyAt,
        created.data,
        this.schema,
      ]);
      if (inserted.length === 0) return { run: toRecord(await this.existingRun(run)), created: false };
      const record: RunRecord = {
        id: run.id,
        workflow: run.workflow,
        version: run.version,
        tenant: run.tenant,
        status: "queued",
        createdAt: now,
        updatedAt: now,
        readyAt,
        lastSeq: 1,
      };
      if (run.parentRunId !== undefined) record.parentRunId = run.parentRunId;
      if (run.idempotencyKey !== undefined) record.idempotencyKey = run.idempotencyKey;
      return { run: record, created: true };
    });
  }

  async getRun(runId: string): Promise<RunRecord | undefined> {
    return this.use(async () => {
      const [row] = await this.rows<RunRow>(this.pool, "selectRun", [runId]);
      return row && toRecord(row);
    });
  }

  async listRuns(filter: RunFilter = {}): Promise<RunPage> {
    const limit = pageLimit(filter.limit);
    const cursor = decodeCursor(filter.cursor);
    return this.use(async () => {
      const query = listRunsQuery(this.quotedSchema, {
        status: filter.status,
        workflow: filter.workflow,
        parentRunId: filter.parentRunId,
        tenant: filter.tenant,
        cursor,
        // One row past the page tells whether there is a next page.
        limit: limit + 1,
      });
      const { rows } = await this.pool.query<RunRow>(query);
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return rows.length > limit && last ? { runs: page.map(toRecord), nextCursor: encodeCursor(last.pk) } : { runs: page.map(toRecord) };
    });
  }

  async append(runId: string, events: EventBody[], commit: AppendCommit): Promise<AppendResult> {
    // Encoded before the transaction: a value JSON cannot hold fails without touching the database.
    const encoded = events.map(encodeEvent);
    const deliveries = (commit.deliver ?? []).map((d) => ({ ...d, payload: toJson(d.payload, "a delivery payload") }));
    return this.transaction(async (client) => {
      const run = await this.lockRun(client, runId);
      // Read after the lock, so the lease is judged as of this commit, not as of when the transaction started waiting.
      const now = this.clock();
      const [head] = await this.rows<{ last_seq: number }>(client, "lastSeq", [run.pk]);
      checkFence(fenceView(run, head?.last_seq ?? 0), commit.lease, commit.expectedSeq, now);

      await this.consume(client, run, commit.consume ?? [], now);
      const terminal = await this.writeEvents(client, run.pk, events, encoded, commit.expectedSeq, now);
      if (await this.afterEvents(client, run, terminal, commit, deliveries, now)) await this.notifyReady(client);
      const lastSeq = commit.expectedSeq + encoded.length;
      return terminal || run.cancel_requested === null ? { lastSeq } : { lastSeq, cancelRequested: run.cancel_requested };
    });
  }

  async read(runId: string, fromSeq = 1): Promise<JournalEvent[]> {
    return this.use(async () => {
      const rows = await this.rows<{ seq: number; type: string; at: number; data: string }>(this.pool, "readJournal", [runId, fromSeq]);
      return rows.map((r) => decodeEvent(r.type, r.seq, r.at, r.data));
    });
  }

  async head(runId: string): Promise<number> {
    return this.use(async () => {
      const [row] = await this.rows<{ last_seq: number | null }>(this.pool, "selectHead", [runId]);
      return row?.last_seq ?? 0;
    });
  }

  async claim(request: ClaimRequest): Promise<Lease[]> {
    return this.use(async () => {
      if (request.limit < 1 || request.workflows.length === 0) return [];
      const now = this.clock();
      const rows = await this.rows<LeaseRow & { due_at: number }>(this.pool, "claimDue", [
        now,
        request.workflows,
        request.limit,
        request.workerId,
        now + request.leaseMs,
      ]);
      rows.sort((a, b) => a.due_at - b.due_at || a.pk - b.pk);
      return rows.map((row) => toLease(row, request.workerId));
    });
  }

  async claimRun(runId: string, workerId: string, leaseMs: number): Promise<Lease | undefined> {
    return this.use(async () => {
      const now = this.clock();
      const [row] = await this.rows<LeaseRow>(this.pool, "claimRun", [runId, now, workerId, now + leaseMs]);
      return row && toLease(row, workerId);
    });
  }

  async heartbeat(lease: Lease, leaseMs: number): Promise<{ expiresAt: number; cancelRequested?: string }> {
    return this.use(async () => {
      const now = this.clock();
      const expiresAt = now + leaseMs;
      const [row] = await this.rows<{ cancel_requested: string | null }>(this.pool, "heartbeat", [
        lease.runId,
        lease.workerId,
        lease.epoch,
        now,
        expiresAt,
      ]);
      if (row) return row.cancel_requested === null ? { expiresAt } : { expiresAt, cancelRequested: row.cancel_requested };
      // Not extended: find out why, for the error.
      const [run] = await this.rows<RunRow>(this.pool, "selectRun", [lease.runId]);
      if (!run) throw runNotFound(lease.runId);
      checkLease(fenceView(run, run.last_seq ?? 0), lease, now);
      throw new DuroError("internal_error", `heartbeat of run ${lease.runId} failed although its lease looks current`, {
        category: "internal",
      });
    });
  }

  async release(lease: Lease, options: { status?: "waiting" | "queued"; readyAt?: number } = {}): Promise<void> {
    const status = options.status ?? "queued";
    await this.transaction(async (client) => {
      const [run] = await this.rows<LockedRun>(client, "lockRun", [lease.runId]);
      const now = this.clock();
      // Releasing a lease that is already gone is a no-op: the run belongs to someone else (or to nobody) now.
      if (!run || leaseProblem(fenceView(run, 0), lease, now)) return;
      if (status === "waiting") await this.lockEventKeys(client, run.pk, []);
      if (await this.stopRunning(client, run, status, options.readyAt, now)) await this.notifyReady(client);
    });
  }

  async nextReadyAt(workflows: string[]): Promise<number | undefined> {
    return this.use(async () => {
      const [row] = await this.rows<{ ready_at: number }>(this.pool, "nextReadyAt", [workflows]);
      return row?.ready_at;
    });
  }

  async requestCancel(runId: string, reason: string): Promise<RunRecord> {
    return this.transaction(async (client) => {
      const [row] = await this.rows<RunRow>(client, "requestCancel", [runId, reason, this.clock()]);
      if (row) {
        // A waiting or queued run is now ready, so that an executor can journal run_cancelled.
        if (row.status === "waiting" || row.status === "queued") await this.notifyReady(client);
        return toRecord(row);
      }
      const [run] = await this.rows<RunRow>(client, "selectRun", [runId]);
      throw run ? runTerminal(runId, run.status) : runNotFound(runId);
    });
  }

  async deliver(delivery: Delivery): Promise<{ id: number; wokeRunIds: string[] }> {
    const payload = toJson(delivery.payload, "a delivery payload");
    return this.transaction(async (client) => {
      await this.lockEventKeys(client, null, [delivery.eventKey]);
      const result = await this.insertAndWake(client, { ...delivery, payload }, this.clock());
      if (result.wokeRunIds.length > 0) await this.notifyReady(client);
      return result;
    });
  }

  async peekInbox(eventKey: string): Promise<InboxMessage | undefined> {
    return this.use(async () => {
      const [row] = await this.rows<MessageRow>(this.pool, "peekInbox", [eventKey]);
      return row && toMessage(row);
    });
  }

  async listInbox(options: { tenant?: string; limit?: number } = {}): Promise<InboxMessage[]> {
    return this.use(async () => {
      const rows = await this.rows<MessageRow>(this.pool, "listInbox", [options.tenant ?? null, options.limit ?? 100]);
      return rows.map(toMessage);
    });
  }

  async openWaits(query: { runId: string } | { eventKey: string }): Promise<OpenWait[]> {
    return this.use(async () => {
      const rows =
        "runId" in query
          ? await this.rows<WaitRow>(this.pool, "openWaitsOfRun", [query.runId])
          : await this.rows<WaitRow>(this.pool, "openWaitsOnKey", [query.eventKey]);
      return rows.map((r) => ({ ...(JSON.parse(r.spec) as WaitSpec), runId: r.run_id, key: r.key }));
    });
  }

  async putArtifact(bytes: Uint8Array): Promise<string> {
    const sha256 = createHash("sha256").update(bytes).digest("hex");
    const copy = Buffer.from(bytes); // the caller may reuse its buffer before the write runs
    return this.use(async () => {
      await this.rows(this.pool, "putArtifact", [sha256, copy]);
      return sha256;
    });
  }

  async getArtifact(sha256: string): Promise<Uint8Array | undefined> {
    return this.use(async () => {
      const [row] = await this.rows<{ bytes: Buffer }>(this.pool, "getArtifact", [sha256]);
      return row && new Uint8Array(row.bytes.buffer, row.bytes.byteOffset, row.bytes.byteLength);
    });
  }

  /**
   * Calls `onReady` whenever a handle on this schema (in any process) makes a run claimable now: a run created, a
   * delivery that woke a waiter, a lease given back, a cancel request. A hint to stop sleeping, not a queue: it carries
   * nothing, may come for runs another worker takes, and stops silently if the connection drops, so workers keep
   * polling `nextReadyAt` as well. Resolves once listening; the function it returns stops listening.
   */
  async subscribe(onReady: () => void): Promise<() => Promise<void>> {
    return this.use(async () => {
      const listener = createListener(this.url, this.connectTimeoutMs);
      listener.on("notification", ({ channel, payload }) => {
        if (channel === READY_CHANNEL && payload === this.schema) onReady();
      });
      this.listeners.add(listener);
      const stop = async () => {
        if (this.listeners.delete(listener)) await listener.end();
      };
      try {
        await listener.connect();
        await listener.query(LISTEN_READY);
      } catch (error) {
        await stop().catch(() => undefined); // the connection failed already; the error that matters is the one thrown
        throw error;
      }
      return stop;
    });
  }

  /** Ends the pool and any listeners; operations in flight finish first. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.listeners].map((l) => l.end()));
    this.listeners.clear();
    await this.pool.end();
  }

  // --- plumbing ---

  /** Runs an operation once the schema is up to date; pg's errors become DuroErrors that never show the password. */
  private async use<T>(work: () => Promise<T>): Promise<T> {
    if (this.closed) throw storeClosed();
    try {
      this.migration ??= migrate(this.pool, this.schema).catch((error: unknown) => {
        this.migration = undefined;
        throw error;
      });
      await this.migration;
      return await work();
    } catch (error) {
      throw this.closed ? storeClosed() : postgresError(error, this.url);
    }
  }

  /** Runs `work` in one transaction on one connection (READ COMMITTED; the locks it takes make it safe). */
  private async transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return this.use(async () => {
      const client = await this.pool.connect();
      let broken: Error | undefined;
      try {
        await client.query("BEGIN");
        const result = await work(client);
        await client.query("COMMIT");
        return result;
      } catch (error) {
        broken = await rollback(client);
        throw error;
      } finally {
        client.release(broken);
      }
    });
  }

  private async rows<R extends pg.QueryResultRow = pg.QueryResultRow>(
    on: Queryable,
    statement: StatementName,
    values: unknown[],
  ): Promise<R[]> {
    return (await on.query<R>({ ...this.q[statement], values })).rows;
  }

  // --- transaction steps (each runs inside `transaction` on its client) ---

  private async notifyReady(client: pg.PoolClient): Promise<void> {
    await this.rows(client, "notifyReady", [this.schema]);
  }

  private async lockRun(client: pg.PoolClient, runId: string): Promise<LockedRun> {
    const [run] = await this.rows<LockedRun>(client, "lockRun", [runId]);
    if (!run) throw runNotFound(runId);
    return run;
  }

  private async existingRun(run: NewRun): Promise<RunRow> {
    const [byId] = await this.rows<RunRow>(this.pool, "selectRun", [run.id]);
    if (byId) return byId;
    if (run.idempotencyKey !== undefined) {
      const [byKey] = await this.rows<RunRow>(this.pool, "selectRunByIdempotencyKey", [run.tenant, run.idempotencyKey]);
      if (byKey) return byKey;
    }
    throw new DuroError("internal_error", `run ${run.id} was neither created nor found`, {
      category: "internal",
      details: { runId: run.id },
    });
  }

  /** Journals the events as seq expectedSeq + 1, … in one insert and keeps the waits index in step; returns the terminal status they end the run with. */
  private async writeEvents(
    client: pg.PoolClient,
    runPk: number,
    events: EventBody[],
    encoded: EncodedEvent[],
    expectedSeq: number,
    now: number,
  ): Promise<RunStatus | undefined> {
    if (encoded.length > 0) {
      await this.rows(client, "insertEvents", [runPk, expectedSeq, now, encoded.map((e) => e.type), encoded.map((e) => e.data)]);
    }
    let terminal: RunStatus | undefined;
    for (const [i, event] of events.entries()) {
      await this.indexWait(client, runPk, event, expectedSeq + i + 1);
      terminal = terminalStatusOf(event.type) ?? terminal;
    }
    return terminal;
  }

  /** The run's status after an append (ended, suspended, released or still running) and its deliveries; returns whether some run became ready now. */
  private async afterEvents(
    client: pg.PoolClient,
    run: LockedRun,
    terminal: RunStatus | undefined,
    commit: AppendCommit,
    deliveries: Array<Delivery & { payload: string }>,
    now: number,
  ): Promise<boolean> {
    const suspending = !terminal && commit.status === "waiting";
    if (suspending || deliveries.length > 0) {
      await this.lockEventKeys(
        client,
        suspending ? run.pk : null,
        deliveries.map((d) => d.eventKey),
      );
    }
    let readyNow = false;
    if (terminal) {
      await this.rows(client, "endRun", [terminal, now, run.pk]);
      await this.rows(client, "deleteRunWaits", [run.pk]);
    } else if (commit.status === "waiting" || commit.release) {
      readyNow = await this.stopRunning(client, run, commit.status === "waiting" ? "waiting" : "queued", commit.readyAt, now);
    }
    for (const delivery of deliveries) {
      const { wokeRunIds } = await this.insertAndWake(client, delivery, now);
      readyNow ||= wokeRunIds.length > 0;
    }
    return readyNow;
  }

  /** Marks the messages consumed by this run; throws `inbox_conflict` (rolling everything back) if one was taken. */
  private async consume(client: pg.PoolClient, run: LockedRun, ids: number[], now: number): Promise<void> {
    if (ids.length === 0) return;
    const taken = new Set((await this.rows<{ id: number }>(client, "consumeMessages", [run.pk, now, ids])).map((r) => r.id));
    const seen = new Set<number>();
    for (const id of ids) {
      // A message listed twice is taken once: the second mention conflicts, as it does on every backend.
      if (!taken.has(id) || seen.has(id)) throw inboxConflict(run.id, id);
      seen.add(id);
    }
  }

  /** Keeps the waits index in step with wait_started / wait_resolved. */
  private async indexWait(client: pg.PoolClient, runPk: number, event: EventBody, seq: number): Promise<void> {
    if (event.type === "wait_started") {
      const { type: _type, key, ...spec } = event;
      await this.rows(client, "upsertWait", [runPk, key, seq, spec.kind, spec.eventKey ?? null, toJson(spec, "a wait")]);
    } else if (event.type === "wait_resolved") {
      await this.rows(client, "deleteWait", [runPk, event.key]);
    }
  }

  /** Serializes this transaction with deliveries to the same event keys (see lockEventKeys in queries.ts). */
  private async lockEventKeys(client: pg.PoolClient, runPk: number | null, keys: string[]): Promise<void> {
    await this.rows(client, "lockEventKeys", [this.schema, runPk, keys]);
  }

  /**
   * Leaves `running` without ending: the lease is dropped and the readiness rule decides when it runs next.
   * For `waiting`, the caller holds the event-key locks of the run's waits, so the pending check sees every message
   * a delivery committed before, and a delivery after sees this run as waiting. Returns whether the run is ready now.
   */
  private async stopRunning(
    client: pg.PoolClient,
    run: LockedRun,
    status: "waiting" | "queued",
    requested: number | undefined,
    now: number,
  ): Promise<boolean> {
    const wakeNow = run.cancel_requested !== null || (status === "waiting" && (await this.hasPendingMessage(client, run.pk)));
    const readyAt = nextReadyAt(status, requested, wakeNow, now);
    await this.rows(client, "stopRun", [status, readyAt ?? null, now, run.pk]);
    return readyAt !== undefined && readyAt <= now;
  }

  private async hasPendingMessage(client: pg.PoolClient, runPk: number): Promise<boolean> {
    const [row] = await this.rows<{ pending: boolean }>(client, "hasPendingMessage", [runPk]);
    return row?.pending === true;
  }

  private async insertAndWake(
    client: pg.PoolClient,
    delivery: Delivery & { payload: string },
    now: number,
  ): Promise<{ id: number; wokeRunIds: string[] }> {
    const [message] = await this.rows<{ id: number }>(client, "insertMessage", [
      delivery.eventKey,
      delivery.tenant ?? "default",
      delivery.payload,
      now,
    ]);
    const woken = await this.rows<{ pk: number; id: string }>(client, "wakeWaiters", [now, delivery.eventKey]);
    return { id: (message as { id: number }).id, wokeRunIds: woken.sort((a, b) => a.pk - b.pk).map((r) => r.id) };
  }
}

function fenceView(row: LockedRun, lastSeq: number): FenceView {
  return {
    id: row.id,
    status: row.status,
    leaseOwner: row.lease_owner ?? undefined,
    leaseEpoch: row.lease_epoch,
    readyAt: row.ready_at ?? undefined,
    lastSeq,
  };
}

function toLease(row: LeaseRow, workerId: string): Lease {
  return { runId: row.id, workflow: row.workflow, workerId, epoch: row.lease_epoch, expiresAt: row.ready_at };
}

function toRecord(row: RunRow): RunRecord {
  const record: RunRecord = {
    id: row.id,
    workflow: row.workflow,
    version: row.version,
    tenant: row.tenant,
    status: row.status,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    lastSeq: row.last_seq ?? 0,
  };
  if (row.parent_run_id !== null) record.parentRunId = row.parent_run_id;
  if (row.idempotency_key !== null) record.idempotencyKey = row.idempotency_key;
  if (row.ready_at !== null) record.readyAt = row.ready_at;
  if (row.cancel_requested !== null) record.cancelRequested = row.cancel_requested;
  if (row.lease_owner !== null) record.leaseOwner = row.lease_owner;
  return record;
}

function toMessage(row: MessageRow): InboxMessage {
  return {
    id: row.id,
    eventKey: row.event_key,
    payload: JSON.parse(row.payload) as unknown,
    tenant: row.tenant,
    createdAt: row.created_at,
  };
}
