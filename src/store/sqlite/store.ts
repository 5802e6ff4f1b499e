// The SQLite Store on better-sqlite3: one file in WAL mode; every write is one IMMEDIATE transaction that checks
// its fence inside; statements are prepared once. Several processes may share the file.

import { createHash } from "node:crypto";
import type Database from "better-sqlite3";
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
import { type ChainRow, chainFromStart, chainHash } from "../chain.js";
import {
  callerWork,
  closableClient,
  inboxConflict,
  invalidTransaction,
  runNotFound,
  runTerminal,
  storeClosed,
  unwrapCallerError,
} from "../errors.js";
import { creationEvents, decodeEvent, encodeEvent, toJson } from "../event-codec.js";
import { checkFence, checkLease, type FenceView, leaseProblem } from "../fence.js";
import { type HeldLeaseRow, heldLimit, holderColumn, toHeldLease } from "../holders.js";
import { decodeCursor, listSort, listTime, pageLimit, pageOfRows } from "../paging.js";
import {
  type ApiKeyRow,
  attributionColumn,
  type LeaseRow,
  type MessageRow,
  newRunRecord,
  type ScheduleRow,
  type RunRow as SharedRunRow,
  scheduleParams,
  toApiKey,
  toMessage,
  toRecord,
  toSchedule,
} from "../rows.js";
import {
  type ApiKeyRecord,
  type AppendCommit,
  type AppendResult,
  type ArtifactFilter,
  type ArtifactInfo,
  type ArtifactPutOptions,
  type ClaimRequest,
  type ClaimRunOptions,
  type CreateResult,
  type Delivery,
  type HeldLease,
  type HeldLeaseFilter,
  type InboxMessage,
  type Lease,
  type NewRun,
  type OpenWait,
  type PruneRequest,
  type QueueInfo,
  type RunFilter,
  type RunPage,
  type RunRecord,
  type RunSort,
  type RunStatus,
  type ScheduleFire,
  type ScheduleFireResult,
  type ScheduleRecord,
  type ScheduleSpec,
  type Store,
  type StoreOptions,
  TERMINAL_STATUSES,
  type UnfinishedCount,
  type WorkerInfo,
  type WorkerRecord,
  type WorkflowVersions,
} from "../store.js";
import { nextReadyAt, terminalStatusOf } from "../transitions.js";
import { claimsVersion, type UnfinishedRow, unfinishedCounts, versionsParam } from "../versions.js";
import { toWorkerRecord, type WorkerRow, workerColumns } from "../workers.js";
import { Checkpointer } from "./checkpointer.js";
import { GroupCommit } from "./group-commit.js";
import { openDatabase } from "./open.js";
import * as sql from "./queries.js";
import { type LeaseTerms, SqliteQueues } from "./queues.js";

export interface SqliteStoreOptions extends StoreOptions {
  /** How hard a commit is pushed to disk: "normal" may lose the last commits on power loss, never corrupts. default "normal" */
  synchronous?: "normal" | "full";
  /**
   * Who copies the WAL back into the database file: a background thread ("background"), or SQLite inside
   * whichever COMMIT crosses its threshold ("inline"). default "background" (":memory:" always "inline")
   */
  checkpoint?: "background" | "inline";
}

/** Opens (creating if needed) the duro database at `path`; its directory must exist. */
export function openSqliteStore(path: string, options: SqliteStoreOptions = {}): SqliteStore {
  const background = (options.checkpoint ?? "background") === "background" && path !== ":memory:";
  const db = openDatabase(path, { synchronous: options.synchronous ?? "normal", busyTimeoutMs: 5_000 });
  if (!background) return new SqliteStore(db, options);
  db.pragma("wal_autocheckpoint = 0");
  const inlineAgain = () => {
    if (db.open) db.pragma("wal_autocheckpoint = 1000");
  };
  return new SqliteStore(db, options, new Checkpointer(path, inlineAgain));
}

/** SQLite always computes last_seq from the journal. */
interface RunRow extends SharedRunRow {
  last_seq: number;
}

/** The run as an append sees it (SELECT_APPEND_HEAD). */
type AppendHeadRow = Pick<RunRow, "pk" | "id" | "status" | "ready_at" | "lease_owner" | "lease_epoch" | "cancel_requested" | "last_seq"> & {
  last_hash: Buffer | null;
};

/** A run waiting for its queue to admit it. */
function isPending(run: RunRow): boolean {
  return run.queue !== null && run.admitted_at === null && run.status === "queued";
}

type ListParams = Record<"status" | "workflow" | "parentRunId" | "tenant" | "session" | "actor" | "waitingFor" | "version", string | null> &
  Record<"since" | "until" | "cursor" | "cursorUpdatedAt", number | null> & { limit: number };

function prepareAll(db: Database.Database) {
  return {
    selectRun: db.prepare<[string], RunRow>(sql.SELECT_RUN),
    selectRunByIdempotencyKey: db.prepare<[string, string], RunRow>(sql.SELECT_RUN_BY_IDEMPOTENCY_KEY),
    selectHead: db.prepare<[string], { last_seq: number }>(sql.SELECT_HEAD),
    insertRun: db.prepare<[Record<string, string | number | null>]>(sql.INSERT_RUN),
    insertEvent: db.prepare<[number, number, string, number, string, Buffer]>(sql.INSERT_EVENT),
    appendHead: db.prepare<[string], AppendHeadRow>(sql.SELECT_APPEND_HEAD),
    readChain: db.prepare<[string], Omit<ChainRow, "hash"> & { hash: Buffer | null }>(sql.READ_CHAIN),
    readChainSince: db.prepare<[], { value: string }>(sql.READ_CHAIN_SINCE),
    pruneCandidates: db.prepare<[{ status: string; before: number; runIds: string | null; limit: number }], { pk: number; id: string }>(
      sql.PRUNE_CANDIDATES,
    ),
    pruneDeletes: [sql.PRUNE_JOURNAL, sql.PRUNE_WAITS, sql.PRUNE_INBOX, sql.PRUNE_UNREFERENCE, sql.PRUNE_ARTIFACT_REFS, sql.PRUNE_RUN].map(
      (text) => db.prepare<[number]>(text),
    ),
    collectArtifacts: db.prepare<[{ before: number; limit: number }], { sha256: string }>(sql.COLLECT_ARTIFACTS),
    expireInbox: db.prepare<[{ before: number; limit: number }], { id: number }>(sql.EXPIRE_INBOX),
    acquireMaintenanceLease: db.prepare<[{ name: string; owner: string; expiresAt: number; now: number }], { value: string }>(
      sql.ACQUIRE_MAINTENANCE_LEASE,
    ),
    putArtifactRef: db.prepare<[Buffer, string]>(sql.PUT_ARTIFACT_REF),
    readJournal: db.prepare<[string, number], { seq: number; type: string; at: number; data: string }>(sql.READ_JOURNAL),
    endRun: db.prepare<[string, number, number]>(sql.END_RUN),
    stopRun: db.prepare<[string, number | null, number, number]>(sql.STOP_RUN),
    upsertWait: db.prepare<[number, string, number, string, string | null, string]>(sql.UPSERT_WAIT),
    deleteWait: db.prepare<[number, string]>(sql.DELETE_WAIT),
    deleteRunWaits: db.prepare<[number]>(sql.DELETE_RUN_WAITS),
    hasPendingMessage: db.prepare<[number], { pending: number }>(sql.HAS_PENDING_MESSAGE),
    openWaitsOfRun: db.prepare<[string], { run_id: string; key: string; spec: string }>(sql.OPEN_WAITS_OF_RUN),
    openWaitsOnKey: db.prepare<[string], { run_id: string; key: string; spec: string }>(sql.OPEN_WAITS_ON_KEY),
    insertMessage: db.prepare<[string, string, string, number, string | null]>(sql.INSERT_MESSAGE),
    consumeMessage: db.prepare<[number, number, number]>(sql.CONSUME_MESSAGE),
    wakeWaiters: db.prepare<[{ now: number; eventKey: string; tenant: string }], { pk: number; id: string }>(sql.WAKE_WAITERS),
    peekInbox: db.prepare<[{ eventKey: string; tenant: string | null }], MessageRow>(sql.PEEK_INBOX),
    listInbox: db.prepare<[{ tenant: string | null; limit: number }], MessageRow>(sql.LIST_INBOX),
    selectDue: db.prepare<[{ now: number; workflows: string; versions: string; limit: number }], { pk: number }>(sql.SELECT_DUE),
    claimDueRun: db.prepare<[LeaseTerms & { pk: number }], LeaseRow>(sql.CLAIM_DUE_RUN),
    claimRun: db.prepare<[LeaseTerms & { id: string }], LeaseRow>(sql.CLAIM_RUN),
    heldLeases: db.prepare<
      [{ now: number; runId: string | null; hostId: string | null; workflows: string | null; limit: number }],
      HeldLeaseRow
    >(sql.HELD_LEASES),
    breakLease: db.prepare<[{ id: string; workerId: string; epoch: number; now: number }]>(sql.BREAK_LEASE),
    heartbeat: db.prepare<
      [{ expiresAt: number; id: string; workerId: string; epoch: number; now: number }],
      { cancel_requested: string | null }
    >(sql.HEARTBEAT),
    nextReadyAt: db.prepare<[{ workflows: string; versions: string }], { ready_at: number }>(sql.NEXT_READY_AT),
    requestCancel: db.prepare<[{ reason: string; attribution: string | null; now: number; pk: number }], RunRow>(sql.REQUEST_CANCEL),
    putArtifact: db.prepare<
      [{ sha256: string; bytes: Buffer; putAt: number | null; refs: number; name: string | null; tags: string; now: number }]
    >(sql.PUT_ARTIFACT),
    listArtifacts: db.prepare<
      [{ sha256: string | null; runId: string | null; tag: string | null; name: string | null; tenant: string | null; limit: number }],
      Omit<ArtifactRow, "tags" | "runs"> & { tags: string; runs: string }
    >(sql.LIST_ARTIFACTS),
    getArtifact: db.prepare<[string], { bytes: Buffer }>(sql.GET_ARTIFACT),
    insertApiKey: db.prepare<[Record<string, string | number | null>]>(sql.INSERT_API_KEY),
    selectApiKeyByHash: db.prepare<[string], ApiKeyRow>(sql.SELECT_API_KEY_BY_HASH),
    listApiKeys: db.prepare<[{ tenant: string | null }], ApiKeyRow>(sql.LIST_API_KEYS),
    revokeApiKey: db.prepare<[{ id: string; now: number }], ApiKeyRow>(sql.REVOKE_API_KEY),
    insertSecret: db.prepare<[string, string]>(sql.INSERT_SECRET),
    selectSecret: db.prepare<[string], { value: string }>(sql.SELECT_SECRET),
    useToken: db.prepare<[string, number, number]>(sql.USE_TOKEN),
    announceWorker: db.prepare<[Omit<ReturnType<typeof workerColumns>, "lapsedBefore">]>(sql.ANNOUNCE_WORKER),
    deleteLapsedWorkers: db.prepare<[{ lapsedBefore: number }]>(sql.DELETE_LAPSED_WORKERS),
    listWorkers: db.prepare<[{ all: number; now: number }], WorkerRow>(sql.LIST_WORKERS),
    countUnfinished: db.prepare<[], UnfinishedRow>(sql.COUNT_UNFINISHED),
    retireWorker: db.prepare<[string]>(sql.RETIRE_WORKER),
  };
}

type Statements = ReturnType<typeof prepareAll>;

/** Hashes are stored as their 32 bytes, not 64 hex characters: a trivial step's row is about a fifth smaller. */
function hashBytes(hex: string): Buffer {
  return Buffer.from(hex, "hex");
}

/** The client a ctx.transaction function gets: statements on the store's connection, inside its open transaction. */
function sqliteClient(db: Database.Database): TransactionClient & { close(): void } {
  return closableClient("sqlite", db, (text, params) => {
    const statement = db.prepare(text);
    if (statement.reader) return statement.all(...params);
    statement.run(...params);
    return [];
  });
}

function prepareSchedules(db: Database.Database) {
  return {
    upsert: db.prepare<[ReturnType<typeof scheduleParams> & { now: number }], ScheduleRow>(sql.UPSERT_SCHEDULE),
    list: db.prepare<[], ScheduleRow>(sql.LIST_SCHEDULES),
    fire: db.prepare<[Record<string, string | number | null>]>(sql.FIRE_SCHEDULE),
    pause: db.prepare<[{ name: string; paused: number; nextFireAt: number | null; now: number }], ScheduleRow>(sql.PAUSE_SCHEDULE),
  };
}

export class SqliteStore implements Store {
  private readonly clock: () => number;
  private readonly q: Statements;
  private readonly callerConnections = new WeakMap<Database.Database, { q: Statements; queues: SqliteQueues }>();
  private readonly schedules: ReturnType<typeof prepareSchedules>;
  private readonly listStatements = new Map<string, Database.Statement<[ListParams], RunRow>>();
  /**
   * Every write goes through group commit: writes called in the same tick share one IMMEDIATE transaction.
   * IMMEDIATE takes the write lock before the first read, so another process can never slip in between a
   * fence check and the write it guards.
   */
  private readonly writes: GroupCommit;
  private readonly queues: SqliteQueues;

  constructor(
    private readonly db: Database.Database,
    options: StoreOptions = {},
    private readonly checkpointer?: Checkpointer,
  ) {
    this.clock = options.clock ?? Date.now;
    this.q = prepareAll(db);
    this.schedules = prepareSchedules(db);
    this.writes = new GroupCommit(db);
    this.queues = new SqliteQueues(db);
  }

  async createRun(run: NewRun, options: { tx?: unknown } = {}): Promise<CreateResult> {
    if (options.tx === undefined) return this.write((now) => this.createNow(run, now));
    const tx = this.callerStatements(options.tx);
    return this.createNow(run, this.clock(), tx.q, tx.queues);
  }

  async transact(
    runId: string,
    events: EventBody[],
    commit: AppendCommit,
    work: (tx: TransactionClient) => Promise<EventBody[]>,
  ): Promise<AppendResult> {
    if (!this.db.open) throw storeClosed();
    try {
      return await this.writes.exclusive(async () => {
        const client = sqliteClient(this.db);
        try {
          const more = await callerWork(() => work(client));
          return this.appendNow(runId, [...events, ...more], commit, this.clock());
        } finally {
          client.close();
        }
      });
    } catch (error) {
      throw unwrapCallerError(error, storageError);
    }
  }

  async getRun(runId: string): Promise<RunRecord | undefined> {
    return this.query(() => {
      const row = this.q.selectRun.get(runId);
      return row && toRecord(row);
    });
  }

  async listRuns(filter: RunFilter = {}): Promise<RunPage> {
    return this.query(() => {
      const limit = pageLimit(filter.limit);
      const sort = listSort(filter.sort);
      const cursor = decodeCursor(filter.cursor, sort);
      const params: ListParams = {
        status: filter.status ?? null,
        workflow: filter.workflow ?? null,
        parentRunId: filter.parentRunId ?? null,
        tenant: filter.tenant ?? null,
        session: filter.session ?? null,
        actor: filter.actor ?? null,
        waitingFor: filter.waitingFor ?? null,
        version: filter.version ?? null,
        since: listTime(filter.since, "since") ?? null,
        until: listTime(filter.until, "until") ?? null,
        cursor: cursor?.pk ?? null,
        cursorUpdatedAt: cursor?.updatedAt ?? null,
        // One row past the page tells whether there is a next page.
        limit: limit + 1,
      };
      return pageOfRows(this.listStatement(params, sort).all(params), limit, sort, toRecord);
    });
  }

  async append(runId: string, events: EventBody[], commit: AppendCommit): Promise<AppendResult> {
    return this.write((now) => this.appendNow(runId, events, commit, now));
  }

  async pruneRuns(request: PruneRequest): Promise<string[]> {
    return this.write(() => {
      const runs = this.q.pruneCandidates.all(pruneParams(request));
      for (const { pk } of runs) for (const statement of this.q.pruneDeletes) statement.run(pk);
      return runs.map((r) => r.id);
    });
  }

  async findPrunable(request: PruneRequest): Promise<string[]> {
    return this.query(() => this.q.pruneCandidates.all(pruneParams(request)).map((r) => r.id));
  }

  async collectArtifacts(request: { before: number; limit: number }): Promise<string[]> {
    // One short write transaction per batch, like every other write: appends of running runs queue behind it briefly.
    return this.write(() =>
      this.q.collectArtifacts.all({ before: request.before, limit: Math.max(request.limit, 0) }).map((r) => r.sha256),
    );
  }

  async expireInbox(request: { before: number; limit: number }): Promise<number[]> {
    return this.write(() =>
      this.q.expireInbox
        .all({ before: request.before, limit: Math.max(request.limit, 0) })
        .map((r) => r.id)
        .sort((a, b) => a - b),
    );
  }

  async acquireMaintenanceLease(request: { name: string; owner: string; ttlMs: number }): Promise<boolean> {
    return this.write(
      (now) =>
        this.q.acquireMaintenanceLease.get({ name: request.name, owner: request.owner, expiresAt: now + request.ttlMs, now }) !== undefined,
    );
  }

  async journalChain(runId: string): Promise<ChainRow[]> {
    return this.query(() =>
      this.q.readChain.all(runId).map((row) => ({ ...row, hash: row.hash === null ? null : row.hash.toString("hex") })),
    );
  }

  async chainSince(): Promise<number> {
    return this.query(() => Number(this.q.readChainSince.get()?.value ?? 0));
  }

  async read(runId: string, fromSeq = 1): Promise<JournalEvent[]> {
    return this.query(() => this.q.readJournal.all(runId, fromSeq).map((r) => decodeEvent(r.type, r.seq, r.at, r.data)));
  }

  async head(runId: string): Promise<number> {
    return this.query(() => this.q.selectHead.get(runId)?.last_seq ?? 0);
  }

  async claim(request: ClaimRequest): Promise<Lease[]> {
    if (request.limit < 1 || request.workflows.length === 0) return this.query(() => []);
    return this.write((now) => this.claimNow(request, now).map((row) => toLease(row, request.workerId)));
  }

  async claimRun(runId: string, workerId: string, leaseMs: number, options: ClaimRunOptions = {}): Promise<Lease | undefined> {
    return this.write((now) => {
      const run = this.q.selectRun.get(runId);
      if (run && !claimsVersion(options.versions, run.workflow, run.version)) return undefined;
      const terms = { workerId, expiresAt: now + leaseMs, now, holder: holderColumn(options.holder) };
      const row =
        run && isPending(run)
          ? this.queues.admitOne({ pk: run.pk, queue: run.queue as string, concurrency_key: run.concurrency_key }, terms)
          : this.q.claimRun.get({ ...terms, id: runId });
      return row && toLease(row, workerId);
    });
  }

  async heldLeases(filter: HeldLeaseFilter = {}): Promise<HeldLease[]> {
    return this.query(() =>
      this.q.heldLeases
        .all({
          now: this.clock(),
          runId: filter.runId ?? null,
          hostId: filter.hostId ?? null,
          workflows: filter.workflows === undefined ? null : JSON.stringify(filter.workflows),
          limit: heldLimit(filter),
        })
        .map(toHeldLease),
    );
  }

  async breakLease(lease: Pick<HeldLease, "runId" | "workerId" | "epoch">): Promise<boolean> {
    return this.write((now) => this.q.breakLease.run({ id: lease.runId, workerId: lease.workerId, epoch: lease.epoch, now }).changes === 1);
  }

  async heartbeat(lease: Lease, leaseMs: number): Promise<{ expiresAt: number; cancelRequested?: string }> {
    return this.write((now) => this.heartbeatNow(lease, leaseMs, now));
  }

  async release(lease: Lease, options: { status?: "waiting" | "queued"; readyAt?: number } = {}): Promise<void> {
    return this.write((now) => this.releaseNow(lease, options.status ?? "queued", options.readyAt, now));
  }

  async nextReadyAt(workflows: string[], versions?: WorkflowVersions): Promise<number | undefined> {
    return this.query(() => {
      const list = JSON.stringify(workflows);
      const held = versionsParam(versions);
      const due = this.q.nextReadyAt.get({ workflows: list, versions: held })?.ready_at;
      const admissible = this.queues.nextAdmissibleAt(list, this.clock(), held);
      return due === undefined || (admissible !== undefined && admissible < due) ? admissible : due;
    });
  }

  async configureQueues(queues: QueueConfig[]): Promise<void> {
    return this.write((now) => this.queues.configure(queues, now));
  }

  async listQueues(): Promise<QueueInfo[]> {
    return this.query(() => this.queues.list(this.clock()));
  }

  async requestCancel(runId: string, reason: string, attribution?: Attribution): Promise<RunRecord> {
    return this.write((now) => this.cancelNow(runId, reason, attributionColumn(attribution), now));
  }

  async deliver(delivery: Delivery): Promise<{ id: number; wokeRunIds: string[] }> {
    return this.write((now) => this.insertAndWake(delivery, now));
  }

  async peekInbox(eventKey: string, tenant?: string): Promise<InboxMessage | undefined> {
    return this.query(() => {
      const row = this.q.peekInbox.get({ eventKey, tenant: tenant ?? null });
      return row && toMessage(row);
    });
  }

  async listInbox(options: { tenant?: string; limit?: number } = {}): Promise<InboxMessage[]> {
    return this.query(() => this.q.listInbox.all({ tenant: options.tenant ?? null, limit: options.limit ?? 100 }).map(toMessage));
  }

  async openWaits(query: { runId: string } | { eventKey: string }): Promise<OpenWait[]> {
    return this.query(() => {
      const rows = "runId" in query ? this.q.openWaitsOfRun.all(query.runId) : this.q.openWaitsOnKey.all(query.eventKey);
      return rows.map((r) => ({ ...(JSON.parse(r.spec) as WaitSpec), runId: r.run_id, key: r.key }));
    });
  }

  async putArtifact(bytes: Uint8Array, options: ArtifactPutOptions = {}): Promise<string> {
    const sha256 = createHash("sha256").update(bytes).digest("hex");
    const copy = Buffer.from(bytes); // the caller may reuse its buffer before the write runs
    const { runId } = options;
    const name = artifactName(options.name);
    const tags = JSON.stringify(artifactTags(options.tags));
    return this.write((now) => {
      const refs = runId === undefined ? 0 : this.q.putArtifactRef.run(hashBytes(sha256), runId).changes;
      this.q.putArtifact.run({ sha256, bytes: copy, putAt: runId === undefined ? null : now, refs, name, tags, now });
      return sha256;
    });
  }

  async listArtifacts(filter: ArtifactFilter = {}): Promise<ArtifactInfo[]> {
    return this.query(() =>
      this.q.listArtifacts
        .all({
          sha256: filter.sha256 ?? null,
          runId: filter.runId ?? null,
          tag: filter.tag ?? null,
          name: filter.name ?? null,
          tenant: filter.tenant ?? null,
          limit: artifactLimit(filter.limit),
        })
        .map((row) => artifactInfo({ ...row, tags: JSON.parse(row.tags) as string[], runs: JSON.parse(row.runs) as string[] })),
    );
  }

  async getArtifact(sha256: string): Promise<Uint8Array | undefined> {
    return this.query(() => {
      const row = this.q.getArtifact.get(sha256);
      return row && new Uint8Array(row.bytes.buffer, row.bytes.byteOffset, row.bytes.byteLength);
    });
  }

  async createApiKey(key: ApiKeyRecord): Promise<void> {
    await this.write(() => {
      this.q.insertApiKey.run({
        id: key.id,
        tenant: key.tenant,
        role: key.role,
        hash: key.hash,
        name: key.name ?? null,
        createdAt: key.createdAt,
      });
    });
  }

  async findApiKey(hash: string): Promise<ApiKeyRecord | undefined> {
    return this.query(() => {
      const row = this.q.selectApiKeyByHash.get(hash);
      return row && toApiKey(row);
    });
  }

  async listApiKeys(filter: { tenant?: string } = {}): Promise<ApiKeyRecord[]> {
    return this.query(() => this.q.listApiKeys.all({ tenant: filter.tenant ?? null }).map(toApiKey));
  }

  async revokeApiKey(id: string): Promise<ApiKeyRecord | undefined> {
    return this.write((now) => {
      const row = this.q.revokeApiKey.get({ id, now });
      return row && toApiKey(row);
    });
  }

  async secret(name: string, candidate: string): Promise<string> {
    return this.write(() => {
      this.q.insertSecret.run(name, candidate);
      return (this.q.selectSecret.get(name) as { value: string }).value;
    });
  }

  async useToken(id: string, expiresAt: number): Promise<boolean> {
    return this.write((now) => this.q.useToken.run(id, expiresAt, now).changes === 1);
  }

  async announceWorker(info: WorkerInfo, ttlMs: number): Promise<void> {
    await this.write((now) => {
      const { lapsedBefore, ...columns } = workerColumns(info, now, ttlMs);
      this.q.deleteLapsedWorkers.run({ lapsedBefore });
      this.q.announceWorker.run(columns);
    });
  }

  async listWorkers(options: { includeExpired?: boolean } = {}): Promise<WorkerRecord[]> {
    const now = this.clock();
    return this.query(() => this.q.listWorkers.all({ all: options.includeExpired ? 1 : 0, now }).map(toWorkerRecord));
  }

  async retireWorker(id: string): Promise<void> {
    await this.write(() => void this.q.retireWorker.run(id));
  }

  async countUnfinished(): Promise<UnfinishedCount[]> {
    return this.query(() => unfinishedCounts(this.q.countUnfinished.all()));
  }

  async close(): Promise<void> {
    if (!this.db.open) return;
    this.writes.flush();
    this.db.close();
    // The checkpointer's connection closes last, so it checkpoints the WAL into the file and removes it.
    await this.checkpointer?.stop();
  }

  async upsertSchedule(spec: ScheduleSpec): Promise<ScheduleRecord> {
    const params = scheduleParams(spec);
    return this.write((now) => toSchedule(this.schedules.upsert.get({ ...params, now }) as ScheduleRow));
  }

  async listSchedules(): Promise<ScheduleRecord[]> {
    return this.query(() => this.schedules.list.all().map(toSchedule));
  }

  async fireSchedule(fire: ScheduleFire): Promise<ScheduleFireResult> {
    return this.write((now) => {
      const { changes } = this.schedules.fire.run({
        name: fire.name,
        expectedNextFireAt: fire.expectedNextFireAt,
        nextFireAt: fire.nextFireAt,
        lastFiredAt: fire.lastFiredAt ?? null,
        lastRunId: fire.runs.at(-1)?.id ?? null,
        now,
      });
      if (changes === 0) return { fired: false, runs: [] };
      return { fired: true, runs: fire.runs.map((run) => this.createNow(run, now)) };
    });
  }

  async setSchedulePaused(name: string, paused: boolean, nextFireAt?: number): Promise<ScheduleRecord | undefined> {
    return this.write((now) => {
      const row = this.schedules.pause.get({ name, paused: paused ? 1 : 0, nextFireAt: nextFireAt ?? null, now });
      return row && toSchedule(row);
    });
  }

  /** Queues a write for this tick's group commit; `now` is read when it runs, so fences judge leases at commit time. */
  private async write<T>(work: (now: number) => T): Promise<T> {
    if (!this.db.open) throw storeClosed();
    try {
      const result = await this.writes.submit(() => work(this.clock()));
      this.checkpointer?.committed();
      return result;
    } catch (error) {
      throw storageError(error);
    }
  }

  /** Runs a read after committing queued writes, so operations take effect in the order they were called. */
  private async query<T>(work: () => T): Promise<T> {
    if (!this.db.open) throw storeClosed();
    try {
      this.writes.flush();
      return work();
    } catch (error) {
      throw storageError(error);
    }
  }

  // --- transactions (run inside db.transaction; they may read their own writes) ---

  /** Statements prepared on the caller's connection, for a run created in the caller's transaction. */
  private callerStatements(tx: unknown): { q: Statements; queues: SqliteQueues } {
    const db = tx as Database.Database;
    if (typeof db?.prepare !== "function" || typeof db.inTransaction !== "boolean" || !db.inTransaction || db.name !== this.db.name)
      throw invalidTransaction(`a better-sqlite3 Database on this store's file (${this.db.name})`);
    let prepared = this.callerConnections.get(db);
    if (!prepared) {
      prepared = { q: prepareAll(db), queues: new SqliteQueues(db) };
      this.callerConnections.set(db, prepared);
    }
    return prepared;
  }

  private createNow(run: NewRun, now: number, q: Statements = this.q, queues: SqliteQueues = this.queues): CreateResult {
    const existing =
      q.selectRun.get(run.id) ??
      (run.idempotencyKey === undefined ? undefined : q.selectRunByIdempotencyKey.get(run.tenant, run.idempotencyKey));
    if (existing) return { run: toRecord(existing), created: false };

    const events = creationEvents(run);
    // A run in a queue is not claimable until the queue admits it.
    const readyAt = run.queue === undefined ? (run.readyAt ?? now) : undefined;
    if (run.queue !== undefined) queues.ensure(run.queue, now);
    const { lastInsertRowid } = q.insertRun.run({
      id: run.id,
      workflow: run.workflow,
      version: run.version,
      tenant: run.tenant,
      session: run.session ?? null,
      actor: run.actor ?? null,
      parentRunId: run.parentRunId ?? null,
      idempotencyKey: run.idempotencyKey ?? null,
      now,
      readyAt: readyAt ?? null,
      queue: run.queue ?? null,
      concurrencyKey: run.concurrencyKey ?? null,
      priority: run.priority ?? 0,
      admitAt: run.readyAt ?? now,
    });
    const hashes = chainFromStart(events, now);
    for (const [i, event] of events.entries())
      q.insertEvent.run(Number(lastInsertRowid), i + 1, event.type, now, event.data, hashBytes(hashes[i] as string));
    return { run: newRunRecord(run, now, readyAt), created: true };
  }

  private appendNow(runId: string, events: EventBody[], commit: AppendCommit, now: number): AppendResult {
    const run = this.q.appendHead.get(runId);
    if (!run) throw runNotFound(runId);
    checkFence(fenceView(run), commit.lease, commit.expectedSeq, now);

    for (const id of commit.consume ?? []) {
      if (this.q.consumeMessage.run(run.pk, now, id).changes === 0) throw inboxConflict(runId, id);
    }
    let seq = commit.expectedSeq;
    let terminal: RunStatus | undefined;
    // The fence above proved seq is the journal's last event, so its hash is the one to chain from.
    let previous = run.last_hash?.toString("hex") ?? "";
    for (const event of events) {
      seq += 1;
      const { type, data } = encodeEvent(event);
      previous = chainHash(previous, seq, type, now, data);
      this.q.insertEvent.run(run.pk, seq, type, now, data, hashBytes(previous));
      if (event.type === "wait_started") {
        const { type: _type, key, ...spec } = event;
        this.q.upsertWait.run(run.pk, key, seq, spec.kind, spec.eventKey ?? null, toJson(spec, "a wait"));
      } else if (event.type === "wait_resolved") {
        this.q.deleteWait.run(run.pk, event.key);
      }
      terminal = terminalStatusOf(event.type) ?? terminal;
    }

    if (terminal) {
      this.q.endRun.run(terminal, now, run.pk);
      this.q.deleteRunWaits.run(run.pk);
    } else if (commit.status === "waiting" || commit.release) {
      this.stopRunning(run, commit.status === "waiting" ? "waiting" : "queued", commit.readyAt, now);
    }
    for (const delivery of commit.deliver ?? []) this.insertAndWake(delivery, now);
    return terminal || run.cancel_requested === null ? { lastSeq: seq } : { lastSeq: seq, cancelRequested: run.cancel_requested };
  }

  private heartbeatNow(lease: Lease, leaseMs: number, now: number): { expiresAt: number; cancelRequested?: string } {
    const expiresAt = now + leaseMs;
    const row = this.q.heartbeat.get({ expiresAt, id: lease.runId, workerId: lease.workerId, epoch: lease.epoch, now });
    if (row === undefined) {
      // Not extended: find out why, for the error.
      const run = this.q.selectRun.get(lease.runId);
      if (!run) throw runNotFound(lease.runId);
      checkLease(fenceView(run), lease, now);
      throw new DuroError("internal_error", `heartbeat of run ${lease.runId} failed although its lease looks current`, {
        category: "internal",
      });
    }
    return row.cancel_requested === null ? { expiresAt } : { expiresAt, cancelRequested: row.cancel_requested };
  }

  private claimNow(request: ClaimRequest, now: number): LeaseRow[] {
    const workflows = JSON.stringify(request.workflows);
    const versions = versionsParam(request.versions);
    const due = this.q.selectDue.all({ now, workflows, versions, limit: request.limit });
    const lease = { workerId: request.workerId, expiresAt: now + request.leaseMs, now, holder: holderColumn(request.holder) };
    const claimed = due.map(({ pk }) => this.q.claimDueRun.get({ ...lease, pk }) as LeaseRow);
    if (claimed.length < request.limit)
      claimed.push(...this.queues.admitPending(workflows, request.limit - claimed.length, lease, versions));
    return claimed;
  }

  private releaseNow(lease: Lease, status: "waiting" | "queued", readyAt: number | undefined, now: number): void {
    const run = this.q.selectRun.get(lease.runId);
    // Releasing a lease that is already gone is a no-op: the run belongs to someone else (or to nobody) now.
    if (!run || leaseProblem(fenceView(run), lease, now)) return;
    this.stopRunning(run, status, readyAt, now);
  }

  private cancelNow(runId: string, reason: string, attribution: string | null, now: number): RunRecord {
    const run = this.q.selectRun.get(runId);
    if (!run) throw runNotFound(runId);
    if (TERMINAL_STATUSES.has(run.status)) throw runTerminal(runId, run.status);
    return toRecord(this.q.requestCancel.get({ reason, attribution, now, pk: run.pk }) as RunRow);
  }

  private insertAndWake(delivery: Delivery, now: number): { id: number; wokeRunIds: string[] } {
    const payload = toJson(delivery.payload, "a delivery payload");
    const tenant = delivery.tenant ?? "default";
    const { lastInsertRowid } = this.q.insertMessage.run(delivery.eventKey, tenant, payload, now, attributionColumn(delivery.attribution));
    const woken = this.q.wakeWaiters.all({ now, eventKey: delivery.eventKey, tenant });
    return { id: Number(lastInsertRowid), wokeRunIds: woken.sort((a, b) => a.pk - b.pk).map((r) => r.id) };
  }

  /** Leaves `running` without ending: the lease is dropped and the readiness rule decides when it runs next. */
  private stopRunning(
    run: Pick<RunRow, "pk" | "cancel_requested">,
    status: "waiting" | "queued",
    requested: number | undefined,
    now: number,
  ): void {
    const wakeNow = run.cancel_requested !== null || (status === "waiting" && this.q.hasPendingMessage.get(run.pk)?.pending === 1);
    this.q.stopRun.run(status, nextReadyAt(status, requested, wakeNow, now) ?? null, now, run.pk);
  }

  private listStatement(params: ListParams, sort: RunSort): Database.Statement<[ListParams], RunRow> {
    const shape: sql.ListRunsShape = {
      status: params.status !== null,
      workflow: params.workflow !== null,
      parentRunId: params.parentRunId !== null,
      tenant: params.tenant !== null,
      session: params.session !== null,
      actor: params.actor !== null,
      waitingFor: params.waitingFor !== null,
      version: params.version !== null,
      since: params.since !== null,
      until: params.until !== null,
      cursor: params.cursor !== null,
      sort,
    };
    const key = JSON.stringify(shape);
    let statement = this.listStatements.get(key);
    if (!statement) {
      statement = this.db.prepare<[ListParams], RunRow>(sql.listRunsSql(shape));
      this.listStatements.set(key, statement);
    }
    return statement;
  }
}

function storageError(error: unknown): unknown {
  if (error instanceof DuroError) return error;
  const code = String((error as { code?: unknown }).code ?? "");
  const message = (error as Error).message ?? String(error);
  if (code === "SQLITE_BUSY" || code.startsWith("SQLITE_BUSY_") || code === "SQLITE_LOCKED") {
    return new DuroError("db_busy", `the database stayed locked by another process for too long (${message}); retry`, {
      category: "storage",
      retryable: true,
      details: { sqliteCode: code },
      cause: error,
    });
  }
  if (code === "SQLITE_FULL") {
    return new DuroError("db_full", `the disk holding the database is full (${message}); free space and retry`, {
      category: "storage",
      retryable: true,
      cause: error,
    });
  }
  return new DuroError("storage_error", `the database failed: ${message}`, {
    category: "storage",
    details: code ? { sqliteCode: code } : {},
    cause: error,
  });
}

function pruneParams(request: PruneRequest): { status: string; before: number; runIds: string | null; limit: number } {
  const runIds = request.runIds === undefined ? null : JSON.stringify(request.runIds);
  return { status: request.status, before: request.before, runIds, limit: Math.max(request.limit, 0) };
}

function fenceView(row: Pick<RunRow, "id" | "status" | "lease_owner" | "lease_epoch" | "ready_at" | "last_seq">): FenceView {
  return {
    id: row.id,
    status: row.status,
    leaseOwner: row.lease_owner ?? undefined,
    leaseEpoch: row.lease_epoch,
    readyAt: row.ready_at ?? undefined,
    lastSeq: row.last_seq,
  };
}

function toLease(row: LeaseRow, workerId: string): Lease {
  return { runId: row.id, workflow: row.workflow, workerId, epoch: row.lease_epoch, expiresAt: row.ready_at };
}
