// The PostgreSQL Store on pg: a bounded pool per store, everything in one PostgreSQL schema. Every write that
// checks a fence does it in the transaction that writes, after locking the run's row (SELECT … FOR UPDATE), so a
// stale writer can never slip a row in between; claims take disjoint runs with FOR UPDATE SKIP LOCKED. Appends and
// releases are one call of a server-side function, batched across runs (batch.ts): one round trip and one commit
// per turn of the event loop. Times come from the store's clock, never from the server's now(), so every backend
// reads the same fake clock in tests.

import { createHash } from "node:crypto";
import type pg from "pg";
import {
  type Attribution,
  DuroError,
  type EventBody,
  type JournalEvent,
  type QueueConfig,
  type TransactionClient,
  type WaitSpec,
} from "../../core/index.js";
import { type ArtifactRow, artifactInfo, artifactLimit, artifactName, artifactTags } from "../artifacts.js";
import { type ChainRow, chainFromStart } from "../chain.js";
import {
  CallerError,
  callerWork,
  closableClient,
  inboxConflict,
  invalidTransaction,
  runNotFound,
  runTerminal,
  storeClosed,
} from "../errors.js";
import { creationEvents, decodeEvent, type EncodedEvent, encodeEvent, toJson } from "../event-codec.js";
import { checkFence, checkLease, type FenceView } from "../fence.js";
import { type HeldLeaseRow, heldLimit, holderColumn, toHeldLease } from "../holders.js";
import { decodeCursor, listSort, listTime, pageLimit, pageOfRows } from "../paging.js";
import {
  type ApiKeyRow,
  attributionColumn,
  type LeaseRow,
  type MessageRow,
  newRunRecord,
  type ScheduleRow,
  scheduleParams,
  toApiKey,
  toMessage,
  toRecord,
  toSchedule,
} from "../rows.js";
import type {
  ApiKeyRecord,
  AppendCommit,
  AppendResult,
  ArtifactFilter,
  ArtifactInfo,
  ArtifactPutOptions,
  ClaimRequest,
  ClaimRunOptions,
  CreateResult,
  Delivery,
  HeldLease,
  HeldLeaseFilter,
  InboxMessage,
  Lease,
  NewRun,
  OpenWait,
  PruneRequest,
  QueueInfo,
  RunFilter,
  RunPage,
  RunRecord,
  RunStatus,
  ScheduleFire,
  ScheduleFireResult,
  ScheduleRecord,
  ScheduleSpec,
  Store,
  StoreOptions,
  UnfinishedCount,
  WorkerInfo,
  WorkerRecord,
  WorkflowVersions,
} from "../store.js";
import { terminalStatusOf } from "../transitions.js";
import { type UnfinishedRow, unfinishedCounts, versionsParam } from "../versions.js";
import { toWorkerRecord, type WorkerRow, workerColumns } from "../workers.js";
import { AppendBatcher, type AppendOutcome, type AppendRequest, type AppendRow, batchParams, waitChanges } from "./batch.js";
import { postgresError } from "./errors.js";
import { createListener, createPool, DEFAULT_SCHEMA, migrate, rollback } from "./open.js";
import { LISTEN_READY, listRunsQuery, postgresQueries, type Queries, READY_CHANNEL, type StatementName } from "./queries.js";
import { PostgresQueues } from "./queues.js";
import { type CombinedRow, type JournalRow, ReadBatcher, type RunRow } from "./reads.js";
import { quoteSchema } from "./schema.js";
import { checkSchemaName, parsePostgresUrl } from "./url.js";

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

interface WaitRow {
  run_id: string;
  key: string;
  spec: string;
}

type Queryable = pg.Pool | pg.PoolClient;

/** Heartbeats tried before a lease that looks current but does not take the update is reported as a bug. */
const HEARTBEAT_ATTEMPTS = 3;

export class PostgresStore implements Store {
  private readonly clock: () => number;
  private readonly pool: pg.Pool;
  private readonly schema: string;
  private readonly quotedSchema: string;
  private readonly q: Queries;
  private readonly queues: PostgresQueues;
  private readonly connectTimeoutMs: number;
  /** Connections held by subscribe(), ended by close(). */
  private readonly listeners = new Set<pg.Client>();
  /** Appends and releases of any runs, sent together (batch.ts). */
  private readonly batcher: AppendBatcher;
  /** getRun and read calls of the same turn of the event loop, sent together (reads.ts). */
  private readonly reads: ReadBatcher;
  /** The migration, started by the first operation; cleared when it fails so that the next operation tries again. */
  private migration: Promise<void> | undefined;
  private closed = false;
  private closing: Promise<void> | undefined;
  /** Operations started and not yet settled; close() waits for them. */
  private readonly operations = new Set<Promise<unknown>>();

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
    this.queues = new PostgresQueues(this.schema, this.clock, (on, statement, values) => this.rows(on, statement, values));
    this.batcher = new AppendBatcher(this.schema, this.clock, (statement, params) => this.rows<AppendRow>(this.pool, statement, params));
    this.reads = new ReadBatcher({
      selectRun: (runId) => this.rows<RunRow>(this.pool, "selectRun", [runId]),
      readJournal: (runId, fromSeq) => this.rows<JournalRow>(this.pool, "readJournal", [runId, fromSeq]),
      readMany: (runIds, journalIds, fromSeqs) => this.rows<CombinedRow>(this.pool, "readMany", [runIds, journalIds, fromSeqs]),
    });
  }

  /** Connects and brings the schema up to date now instead of at the first operation; fails like it would. */
  async ready(): Promise<void> {
    await this.use(async () => undefined);
  }

  async createRun(run: NewRun, options: { tx?: unknown } = {}): Promise<CreateResult> {
    const events = creationEvents(run);
    const on = options.tx === undefined ? this.pool : callerClient(options.tx);
    return this.use(() => this.insertRun(on, run, events));
  }

  async getRun(runId: string): Promise<RunRecord | undefined> {
    return this.use(async () => {
      const row = await this.reads.getRun(runId);
      return row && toRecord(row);
    });
  }

  async listRuns(filter: RunFilter = {}): Promise<RunPage> {
    const limit = pageLimit(filter.limit);
    const sort = listSort(filter.sort);
    const cursor = decodeCursor(filter.cursor, sort);
    const since = listTime(filter.since, "since");
    const until = listTime(filter.until, "until");
    const query = listRunsQuery(this.quotedSchema, {
      status: filter.status,
      workflow: filter.workflow,
      parentRunId: filter.parentRunId,
      tenant: filter.tenant,
      session: filter.session,
      actor: filter.actor,
      waitingFor: filter.waitingFor,
      version: filter.version,
      since,
      until,
      cursor,
      sort,
      // One row past the page tells whether there is a next page.
      limit: limit + 1,
    });
    const rows = await this.use(async () => {
      if (query.settings === undefined) return (await this.pool.query<RunRow>(query)).rows;
      // One simple query: the settings' results, then the SELECT's.
      const results = (await this.pool.query<RunRow>(`${query.settings}; ${query.text}`)) as unknown as Array<pg.QueryResult<RunRow>>;
      return results.at(-1)?.rows ?? [];
    });
    return pageOfRows(rows, limit, sort, toRecord);
  }

  async append(runId: string, events: EventBody[], commit: AppendCommit): Promise<AppendResult> {
    // Encoded before anything is sent: a value JSON cannot hold fails without touching the database.
    const request = appendRequest(runId, events, commit);
    const { row, now } = await this.write(request);
    return appendOutcome(request, commit, row, now);
  }

  async transact(
    runId: string,
    events: EventBody[],
    commit: AppendCommit,
    work: (tx: TransactionClient) => Promise<EventBody[]>,
  ): Promise<AppendResult> {
    try {
      return await this.transaction(async (client) => {
        const caller = transactionClient(client);
        let more: EventBody[];
        try {
          more = await callerWork(() => work(caller));
        } finally {
          caller.close();
        }
        const request = appendRequest(runId, [...events, ...more], commit);
        const now = this.clock();
        const [row] = await this.rows<AppendRow>(client, "appendBatch", batchParams(this.schema, [request], now));
        // A refused fence throws here, and the caller's statements roll back with the transaction.
        return appendOutcome(request, commit, row as AppendRow, now);
      });
    } catch (error) {
      throw error instanceof CallerError ? error.error : error;
    }
  }

  async read(runId: string, fromSeq = 1): Promise<JournalEvent[]> {
    return this.use(async () => {
      const rows = await this.reads.read(runId, fromSeq);
      return rows.map((r) => decodeEvent(r.type, r.seq, r.at, r.data));
    });
  }

  async pruneRuns(request: PruneRequest): Promise<string[]> {
    return this.use(async () => {
      const rows = await this.rows<{ pk: number; id: string; updated_at: number }>(this.pool, "pruneRuns", [
        request.status,
        request.before,
        Math.max(request.limit, 0),
        request.runIds ?? null,
      ]);
      return rows.sort((a, b) => a.updated_at - b.updated_at || a.pk - b.pk).map((r) => r.id);
    });
  }

  async findPrunable(request: PruneRequest): Promise<string[]> {
    return this.use(async () => {
      const values = [request.status, request.before, Math.max(request.limit, 0), request.runIds ?? null];
      return (await this.rows<{ id: string }>(this.pool, "findPrunable", values)).map((r) => r.id);
    });
  }

  async collectArtifacts(request: { before: number; limit: number }): Promise<string[]> {
    return this.use(async () => {
      const rows = await this.rows<{ sha256: string }>(this.pool, "collectArtifacts", [request.before, Math.max(request.limit, 0)]);
      return rows.map((r) => r.sha256);
    });
  }

  async expireInbox(request: { before: number; limit: number }): Promise<number[]> {
    return this.use(async () => {
      const rows = await this.rows<{ id: string | number }>(this.pool, "expireInbox", [request.before, Math.max(request.limit, 0)]);
      return rows.map((r) => Number(r.id)).sort((a, b) => a - b);
    });
  }

  async acquireMaintenanceLease(request: { name: string; owner: string; ttlMs: number }): Promise<boolean> {
    return this.use(async () => {
      const now = this.clock();
      const rows = await this.rows(this.pool, "acquireMaintenanceLease", [request.name, request.owner, now + request.ttlMs, now]);
      return rows.length === 1;
    });
  }

  async journalChain(runId: string): Promise<ChainRow[]> {
    return this.use(() => this.rows<ChainRow>(this.pool, "readChain", [runId]));
  }

  async chainSince(): Promise<number> {
    return this.use(async () => {
      const [row] = await this.rows<{ value: string }>(this.pool, "readChainSince", []);
      return Number(row?.value ?? 0);
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
      const versions = versionsParam(request.versions);
      // Which queues hold pending runs is asked alongside the claim, on a second connection, rather than after it:
      // a claim then costs one round trip, not two, and the answer is only a hint (admit re-counts under the lock).
      const [rows, queues] = await Promise.all([
        this.rows<LeaseRow & { due_at: number }>(this.pool, "claimDue", [
          now,
          request.workflows,
          request.limit,
          request.workerId,
          now + request.leaseMs,
          versions,
          holderColumn(request.holder),
        ]),
        this.queues.withPending(this.pool, request.workflows, now, versions),
      ]);
      rows.sort((a, b) => a.due_at - b.due_at || a.pk - b.pk);
      const leases = rows.map((row) => toLease(row, request.workerId));
      if (leases.length < request.limit) {
        const terms = { workerId: request.workerId, leaseMs: request.leaseMs, holder: holderColumn(request.holder) };
        if (queues.length > 0) {
          const room = request.limit - leases.length;
          const admitted = await this.transaction((client) =>
            this.queues.admit(client, queues, request.workflows, room, terms, undefined, versions),
          );
          leases.push(...admitted.map((row) => toLease(row, request.workerId)));
        }
      }
      return leases;
    });
  }

  async claimRun(runId: string, workerId: string, leaseMs: number, options: ClaimRunOptions = {}): Promise<Lease | undefined> {
    return this.use(async () => {
      const now = this.clock();
      const versions = versionsParam(options.versions);
      const holder = holderColumn(options.holder);
      const [row] = await this.rows<LeaseRow>(this.pool, "claimRun", [runId, now, workerId, now + leaseMs, versions, holder]);
      if (row) return toLease(row, workerId);
      // Not claimable as it is; perhaps it waits for its queue to admit it.
      const [run] = await this.rows<RunRow>(this.pool, "selectRun", [runId]);
      if (!run || run.queue === null || run.admitted_at !== null || run.status !== "queued") return undefined;
      const config = await this.queues.config(this.pool, run.queue);
      const terms = { workerId, leaseMs, holder };
      const [admitted] = await this.transaction((client) => this.queues.admit(client, [config], [run.workflow], 1, terms, runId, versions));
      return admitted && toLease(admitted, workerId);
    });
  }

  async heldLeases(filter: HeldLeaseFilter = {}): Promise<HeldLease[]> {
    return this.use(async () => {
      const rows = await this.rows<HeldLeaseRow>(this.pool, "heldLeases", [
        this.clock(),
        filter.runId ?? null,
        filter.hostId ?? null,
        filter.workflows ?? null,
        heldLimit(filter),
      ]);
      return rows.map(toHeldLease);
    });
  }

  async breakLease(lease: Pick<HeldLease, "runId" | "workerId" | "epoch">): Promise<boolean> {
    return this.use(async () => {
      const now = this.clock();
      const rows = await this.rows(this.pool, "breakLease", [lease.runId, lease.workerId, lease.epoch, now]);
      // The run is claimable from now on: idle workers may take it at once.
      if (rows.length === 1) await this.rows(this.pool, "notifyReady", [this.schema]);
      return rows.length === 1;
    });
  }

  async heartbeat(lease: Lease, leaseMs: number): Promise<{ expiresAt: number; cancelRequested?: string }> {
    return this.use(async () => {
      // The update and the read that explains its failure are two statements: a commit of the run between them can
      // make a lease that the update did not match look current. That is a reason to try again, not to give up the
      // run (the simulation saw it with four workers on one database).
      for (let attempt = 1; ; attempt++) {
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
        if (attempt === HEARTBEAT_ATTEMPTS) {
          throw new DuroError(
            "internal_error",
            `heartbeat of run ${lease.runId} failed ${attempt} times although its lease looks current`,
            {
              category: "internal",
            },
          );
        }
      }
    });
  }

  async release(lease: Lease, options: { status?: "waiting" | "queued"; readyAt?: number } = {}): Promise<void> {
    await this.write({
      runId: lease.runId,
      lease,
      expectedSeq: undefined,
      events: [],
      waits: [],
      terminal: undefined,
      stop: options.status ?? "queued",
      readyAt: options.readyAt,
      consume: [],
      deliver: [],
    });
    // Whatever the outcome: releasing a lease that is already gone (or of a run that is not there) is a no-op, the
    // run belongs to someone else or to nobody now.
  }

  async nextReadyAt(workflows: string[], versions?: WorkflowVersions): Promise<number | undefined> {
    return this.use(async () => {
      const now = this.clock();
      const held = versionsParam(versions);
      const [[row], admissible] = await Promise.all([
        this.rows<{ ready_at: number | null }>(this.pool, "nextReadyAt", [workflows, held]),
        this.queues.nextAdmissibleAt(this.pool, workflows, now, held),
      ]);
      const due = row?.ready_at ?? undefined;
      return due === undefined || (admissible !== undefined && admissible < due) ? admissible : due;
    });
  }

  async configureQueues(queues: QueueConfig[]): Promise<void> {
    return this.use(() => this.queues.configure(this.pool, queues, this.clock()));
  }

  async listQueues(): Promise<QueueInfo[]> {
    return this.use(() => this.queues.list(this.pool, this.clock()));
  }

  async requestCancel(runId: string, reason: string, attribution?: Attribution): Promise<RunRecord> {
    return this.transaction(async (client) => {
      const [row] = await this.rows<RunRow>(client, "requestCancel", [runId, reason, this.clock(), attributionColumn(attribution)]);
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
    return this.use(async () => {
      const [row] = await this.rows<{ message_id: number; woke_run_ids: string[] }>(this.pool, "deliver", [
        this.schema,
        this.clock(),
        delivery.eventKey,
        delivery.tenant ?? "default",
        payload,
        attributionColumn(delivery.attribution),
      ]);
      if (!row) throw new DuroError("internal_error", `the delivery to "${delivery.eventKey}" returned nothing`, { category: "internal" });
      return { id: row.message_id, wokeRunIds: row.woke_run_ids };
    });
  }

  async peekInbox(eventKey: string, tenant?: string): Promise<InboxMessage | undefined> {
    return this.use(async () => {
      const [row] = await this.rows<MessageRow>(this.pool, "peekInbox", [eventKey, tenant ?? null]);
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

  async putArtifact(bytes: Uint8Array, options: ArtifactPutOptions = {}): Promise<string> {
    const sha256 = createHash("sha256").update(bytes).digest("hex");
    const copy = Buffer.from(bytes); // the caller may reuse its buffer before the write runs
    const runId = options.runId ?? null;
    return this.use(async () => {
      const now = this.clock();
      const tags = artifactTags(options.tags);
      await this.rows(this.pool, "putArtifact", [sha256, copy, runId === null ? null : now, runId, artifactName(options.name), tags, now]);
      return sha256;
    });
  }

  async listArtifacts(filter: ArtifactFilter = {}): Promise<ArtifactInfo[]> {
    return this.use(async () => {
      const params = [filter.sha256, filter.runId, filter.tag, filter.name, filter.tenant].map((v) => v ?? null);
      const rows = await this.rows<ArtifactRow>(this.pool, "listArtifacts", [...params, artifactLimit(filter.limit)]);
      return rows.map(artifactInfo);
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

  async upsertSchedule(spec: ScheduleSpec): Promise<ScheduleRecord> {
    const p = scheduleParams(spec);
    return this.use(async () => {
      const values = [p.name, p.cron, p.timezone, p.workflow, p.input, p.catchUp, p.maxCatchUp, p.nextFireAt, this.clock()];
      const [row] = await this.rows<ScheduleRow>(this.pool, "upsertSchedule", values);
      return toSchedule(row as ScheduleRow);
    });
  }

  async listSchedules(): Promise<ScheduleRecord[]> {
    return this.use(async () => (await this.rows<ScheduleRow>(this.pool, "listSchedules", [])).map(toSchedule));
  }

  async fireSchedule(fire: ScheduleFire): Promise<ScheduleFireResult> {
    // Encoded before anything is sent: a value JSON cannot hold fails without touching the database.
    const events = fire.runs.map(creationEvents);
    return this.transaction(async (client) => {
      const now = this.clock();
      const values = [fire.name, fire.expectedNextFireAt, fire.nextFireAt, fire.lastFiredAt ?? null, fire.runs.at(-1)?.id ?? null, now];
      const moved = await this.rows(client, "fireSchedule", values);
      if (moved.length === 0) return { fired: false, runs: [] };
      const runs: CreateResult[] = [];
      for (const [i, run] of fire.runs.entries()) runs.push(await this.insertRun(client, run, events[i] as EncodedEvent[]));
      return { fired: true, runs };
    });
  }

  async setSchedulePaused(name: string, paused: boolean, nextFireAt?: number): Promise<ScheduleRecord | undefined> {
    return this.use(async () => {
      const [row] = await this.rows<ScheduleRow>(this.pool, "pauseSchedule", [name, paused, nextFireAt ?? null, this.clock()]);
      return row && toSchedule(row);
    });
  }

  /** Ends the pool and any listeners; operations in flight (and those queued for the next batch) finish first. */
  async close(): Promise<void> {
    this.closing ??= this.shutDown();
    await this.closing;
  }

  private async shutDown(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.operations]);
    await Promise.all([...this.listeners].map((l) => l.end()));
    this.listeners.clear();
    await this.pool.end();
  }

  async createApiKey(key: ApiKeyRecord): Promise<void> {
    await this.use(() => this.rows(this.pool, "insertApiKey", [key.id, key.tenant, key.role, key.hash, key.name ?? null, key.createdAt]));
  }

  async findApiKey(hash: string): Promise<ApiKeyRecord | undefined> {
    return this.use(async () => {
      const [row] = await this.rows<ApiKeyRow>(this.pool, "selectApiKeyByHash", [hash]);
      return row && toApiKey(row);
    });
  }

  async listApiKeys(filter: { tenant?: string } = {}): Promise<ApiKeyRecord[]> {
    return this.use(async () => (await this.rows<ApiKeyRow>(this.pool, "listApiKeys", [filter.tenant ?? null])).map(toApiKey));
  }

  async revokeApiKey(id: string): Promise<ApiKeyRecord | undefined> {
    return this.use(async () => {
      const [row] = await this.rows<ApiKeyRow>(this.pool, "revokeApiKey", [id, this.clock()]);
      return row && toApiKey(row);
    });
  }

  async secret(name: string, candidate: string): Promise<string> {
    return this.use(async () => {
      // A concurrent first insert may be invisible to this statement's snapshot; the second try sees it committed.
      const row =
        (await this.rows<{ value: string }>(this.pool, "secret", [name, candidate]))[0] ??
        (await this.rows<{ value: string }>(this.pool, "secret", [name, candidate]))[0];
      if (!row) throw new DuroError("internal_error", `the secret "${name}" was neither stored nor found`, { category: "internal" });
      return row.value;
    });
  }

  async useToken(id: string, expiresAt: number): Promise<boolean> {
    return this.use(async () => (await this.rows(this.pool, "useToken", [id, expiresAt, this.clock()])).length === 1);
  }

  async announceWorker(info: WorkerInfo, ttlMs: number): Promise<void> {
    await this.use(async () => {
      const c = workerColumns(info, this.clock(), ttlMs);
      const values = [
        c.id,
        c.host,
        c.pid,
        c.startedAt,
        c.workflows,
        info.pinned,
        c.anyVersion,
        c.concurrency,
        c.active,
        c.seenAt,
        c.expiresAt,
        c.lapsedBefore,
      ];
      await this.rows(this.pool, "announceWorker", values);
    });
  }

  async listWorkers(options: { includeExpired?: boolean } = {}): Promise<WorkerRecord[]> {
    return this.use(async () =>
      (await this.rows<WorkerRow>(this.pool, "listWorkers", [options.includeExpired === true, this.clock()])).map(toWorkerRecord),
    );
  }

  async retireWorker(id: string): Promise<void> {
    await this.use(() => this.rows(this.pool, "retireWorker", [id]));
  }

  async countUnfinished(): Promise<UnfinishedCount[]> {
    return this.use(async () => unfinishedCounts(await this.rows<UnfinishedRow>(this.pool, "countUnfinished", [])));
  }

  // --- plumbing ---

  /** Runs an operation once the schema is up to date; pg's errors become DuroErrors that never show the password. */
  private async use<T>(work: () => Promise<T>): Promise<T> {
    if (this.closed) throw storeClosed();
    // Tracked so that close() lets it finish: it may not have reached the pool yet (it waits for the migration, or
    // for the next batch), and the pool must not end under it.
    const operation = this.perform(work);
    this.operations.add(operation);
    try {
      return await operation;
    } finally {
      this.operations.delete(operation);
    }
  }

  private async perform<T>(work: () => Promise<T>): Promise<T> {
    try {
      this.migration ??= migrate(this.pool, this.schema).catch((error: unknown) => {
        this.migration = undefined;
        throw error;
      });
      await this.migration;
      return await work();
    } catch (error) {
      if (error instanceof CallerError) throw error;
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

  /** An append or release, sent with whatever else is submitted in the same turn of the event loop (batch.ts). */
  private write(request: AppendRequest): Promise<AppendOutcome> {
    return this.use(() => this.batcher.submit(request));
  }

  private async notifyReady(client: pg.PoolClient): Promise<void> {
    await this.rows(client, "notifyReady", [this.schema]);
  }

  /**
   * Inserts a run and the first events of its journal (run_created and what follows it, chained here as append_batch
   * does), or returns the run with its id or idempotency key.
   */
  private async insertRun(on: Queryable, run: NewRun, events: EncodedEvent[]): Promise<CreateResult> {
    const now = this.clock();
    const hashes = chainFromStart(events, now);
    const journal = JSON.stringify(events.map((e, i) => [e.type, e.data, hashes[i]]));
    // A run in a queue is not claimable until the queue admits it.
    const readyAt = run.queue === undefined ? (run.readyAt ?? now) : undefined;
    const inserted = await this.rows(on, "insertRun", [
      run.id,
      run.workflow,
      run.version,
      run.tenant,
      run.parentRunId ?? null,
      run.idempotencyKey ?? null,
      now,
      readyAt ?? null,
      journal,
      this.schema,
      run.queue ?? null,
      run.concurrencyKey ?? null,
      run.priority ?? 0,
      run.readyAt ?? now,
      run.session ?? null,
      run.actor ?? null,
    ]);
    if (inserted.length === 0) return { run: toRecord(await this.existingRun(on, run)), created: false };
    return { run: newRunRecord(run, now, readyAt), created: true };
  }

  private async existingRun(on: Queryable, run: NewRun): Promise<RunRow> {
    const [byId] = await this.rows<RunRow>(on, "selectRun", [run.id]);
    if (byId) return byId;
    if (run.idempotencyKey !== undefined) {
      const [byKey] = await this.rows<RunRow>(on, "selectRunByIdempotencyKey", [run.tenant, run.idempotencyKey]);
      if (byKey) return byKey;
    }
    throw new DuroError("internal_error", `run ${run.id} was neither created nor found`, {
      category: "internal",
      details: { runId: run.id },
    });
  }
}

/** An append as append_batch takes it; events are encoded here, so a value JSON cannot hold fails before any I/O. */
function appendRequest(runId: string, events: EventBody[], commit: AppendCommit): AppendRequest {
  const terminal = events.reduce<RunStatus | undefined>((found, e) => terminalStatusOf(e.type) ?? found, undefined);
  return {
    runId,
    lease: commit.lease,
    expectedSeq: commit.expectedSeq,
    events: events.map(encodeEvent),
    waits: waitChanges(events),
    terminal,
    stop: terminal ? undefined : commit.status === "waiting" ? "waiting" : commit.release ? "queued" : undefined,
    readyAt: commit.readyAt,
    consume: commit.consume ?? [],
    deliver: (commit.deliver ?? []).map((d) => ({
      eventKey: d.eventKey,
      tenant: d.tenant ?? "default",
      payload: toJson(d.payload, "a delivery payload"),
    })),
  };
}

/** What append_batch's row for `request` means: the new head, or the error it refused with. */
function appendOutcome(request: AppendRequest, commit: AppendCommit, row: AppendRow, now: number): AppendResult {
  switch (row.outcome) {
    case "ok": {
      const lastSeq = commit.expectedSeq + request.events.length;
      return request.terminal || row.cancel === null ? { lastSeq } : { lastSeq, cancelRequested: row.cancel };
    }
    case "run_not_found":
      throw runNotFound(request.runId);
    case "inbox_conflict":
      throw inboxConflict(request.runId, row.conflict_id as number);
    case "lease_lost":
      checkFence(refusedFence(request.runId, row), commit.lease, commit.expectedSeq, now);
      throw fenceDisagrees(request.runId, row);
  }
}

/** The caller's open transaction for a run created in it: a pg client (Client or PoolClient). */
function callerClient(tx: unknown): pg.PoolClient {
  // A pool would run the insert outside any transaction of the caller's: refuse it (pools count their clients).
  if (typeof (tx as { query?: unknown })?.query !== "function" || "totalCount" in (tx as object))
    throw invalidTransaction("a pg client (from pool.connect() or new pg.Client()) after BEGIN, not a pool");
  return tx as pg.PoolClient;
}

/** The client a ctx.transaction function gets: statements on the connection of the store's own transaction. */
function transactionClient(client: pg.PoolClient): TransactionClient & { close(): void } {
  return closableClient("postgres", client, async (text, params) => (await client.query(text, params)).rows);
}

/** The run as append_batch saw it when it refused a write. */
function refusedFence(runId: string, row: AppendRow): FenceView {
  return {
    id: runId,
    status: row.run_status as RunStatus,
    leaseOwner: row.run_owner ?? undefined,
    leaseEpoch: row.run_epoch as number,
    readyAt: row.run_ready_at ?? undefined,
    lastSeq: row.head as number,
  };
}

/** append_batch refused a write that fence.ts would allow: the two copies of the fence rule disagree. */
function fenceDisagrees(runId: string, row: AppendRow): DuroError {
  return new DuroError("internal_error", `the database refused an append to run ${runId} whose lease and seq look current`, {
    category: "internal",
    details: { runId, status: row.run_status, epoch: row.run_epoch, lastSeq: row.head },
  });
}

function fenceView(row: RunRow, lastSeq: number): FenceView {
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
