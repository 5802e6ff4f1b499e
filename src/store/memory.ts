// An in-memory Store: plain maps with the same semantics as the SQLite store (same codec, fence and readiness
// rules, events kept as JSON text). For tests and embedding; nothing survives the process.
import { createHash } from "node:crypto";
import {
  ADMISSION_LOOKAHEAD,
  type AdmissionCandidate,
  type Attribution,
  type EventBody,
  type JournalEvent,
  planAdmission,
  type QueueConfig,
  type WaitSpec,
} from "../core/index.js";
import { artifactInfo, artifactLimit, artifactName, artifactTags } from "./artifacts.js";
import { type ChainRow, chainFromStart, chainHash } from "./chain.js";
import { inboxConflict, runNotFound, runTerminal, storeClosed, transactionUnsupported } from "./errors.js";
import { creationEvents, decodeEvent, type EncodedEvent, encodeEvent, toJson } from "./event-codec.js";
import { checkFence, checkLease, leaseProblem } from "./fence.js";
import { heldLimit } from "./holders.js";
import { decodeCursor, type ListPosition, listSort, listTime, pageLimit, pageOfRows } from "./paging.js";
import { queueWindowOpensAt } from "./queues.js";
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
  type LeaseHolder,
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
  type WaitingFor,
  type WorkerInfo,
  type WorkerRecord,
  type WorkflowVersions,
} from "./store.js";
import { nextReadyAt, terminalStatusOf, waitingForOf, wokenReadyAt } from "./transitions.js";
import { claimsVersion, type UnfinishedRow, unfinishedCounts } from "./versions.js";
import { LAPSED_WORKER_KEPT_MS } from "./workers.js";

interface MemoryRun {
  pk: number;
  id: string;
  workflow: string;
  version: string;
  tenant: string;
  session: string | undefined;
  actor: string | undefined;
  status: RunStatus;
  parentRunId: string | undefined;
  idempotencyKey: string | undefined;
  createdAt: number;
  updatedAt: number;
  readyAt: number | undefined;
  lastSeq: number;
  cancelRequested: string | undefined;
  cancelAttribution: Attribution | undefined;
  leaseOwner: string | undefined;
  leaseEpoch: number;
  leaseHolder: LeaseHolder | undefined;
  queue: string | undefined;
  concurrencyKey: string | undefined;
  priority: number;
  /** Earliest admission time of a run waiting in its queue. */
  admitAt: number;
  admittedAt: number | undefined;
  /** Index i holds seq i + 1. */
  journal: Array<EncodedEvent & { at: number; hash: string }>;
  /** Open waits by key, from `wait_started` / `wait_resolved`. */
  waits: Map<string, { seq: number; kind: string; eventKey: string | undefined; spec: string }>;
}

interface MemoryMessage {
  id: number;
  eventKey: string;
  tenant: string;
  payload: string;
  createdAt: number;
  attribution: Attribution | undefined;
  consumedBy: number | undefined;
}

export class MemoryStore implements Store {
  private readonly clock: () => number;
  private readonly runs = new Map<string, MemoryRun>();
  /** Runs by pk, in creation order; listing walks it backwards. Pruning deletes from it. */
  private readonly runsByPk = new Map<number, MemoryRun>();
  private nextPk = 1;
  /** `${tenant}\0${idempotencyKey}` → run id */
  private readonly idempotency = new Map<string, string>();
  /** Insertion order is id order, so iteration is oldest first. */
  private readonly inbox = new Map<number, MemoryMessage>();
  /** putAt: the last put by a run (epoch ms), undefined once stored without one; refs: pks of the runs that put it. */
  private readonly artifacts = new Map<
    string,
    { bytes: Uint8Array; putAt: number | undefined; refs: Set<number>; name?: string; tags: string[]; createdAt: number }
  >();
  /** Artifact hashes each run stored, so pruning the run drops its references. */
  private readonly refsByRun = new Map<number, Set<string>>();
  private readonly maintenance = new Map<string, { owner: string; expiresAt: number }>();
  private readonly workers = new Map<string, WorkerRecord>();
  private readonly queues = new Map<string, QueueConfig>();
  private nextMessageId = 1;
  /** API keys by token hash, in creation order. */
  private readonly apiKeys = new Map<string, ApiKeyRecord>();
  private readonly secrets = new Map<string, string>();
  private readonly usedTokens = new Set<string>();
  private closed = false;
  /** Schedules by name; input kept as JSON text like the SQL stores. */
  private readonly schedules = new Map<string, ScheduleRecord & { input: string }>();

  constructor(options: StoreOptions = {}) {
    this.clock = options.clock ?? Date.now;
  }

  async createRun(run: NewRun, options: { tx?: unknown } = {}): Promise<CreateResult> {
    this.assertOpen();
    if (options.tx !== undefined) throw transactionUnsupported("engine.start(…, { tx })");
    const existing = this.runs.get(run.id) ?? this.byIdempotencyKey(run.tenant, run.idempotencyKey);
    if (existing) return { run: toRecord(existing), created: false };

    const now = this.clock();
    const events = creationEvents(run);
    const row: MemoryRun = {
      pk: this.nextPk++,
      id: run.id,
      workflow: run.workflow,
      version: run.version,
      tenant: run.tenant,
      session: run.session,
      actor: run.actor,
      status: "queued",
      parentRunId: run.parentRunId,
      idempotencyKey: run.idempotencyKey,
      createdAt: now,
      updatedAt: now,
      // A run in a queue is not claimable until the queue admits it.
      readyAt: run.queue === undefined ? (run.readyAt ?? now) : undefined,
      lastSeq: events.length,
      cancelRequested: undefined,
      cancelAttribution: undefined,
      leaseOwner: undefined,
      leaseEpoch: 0,
      leaseHolder: undefined,
      queue: run.queue,
      concurrencyKey: run.concurrencyKey,
      priority: run.priority ?? 0,
      admitAt: run.readyAt ?? now,
      admittedAt: undefined,
      journal: chainFromStart(events, now).map((hash, i) => ({ ...(events[i] as EncodedEvent), at: now, hash })),
      waits: new Map(),
    };
    this.runs.set(row.id, row);
    this.runsByPk.set(row.pk, row);
    if (run.queue !== undefined && !this.queues.has(run.queue)) this.queues.set(run.queue, { name: run.queue });
    if (run.idempotencyKey !== undefined) this.idempotency.set(idempotencyId(run.tenant, run.idempotencyKey), run.id);
    return { run: toRecord(row), created: true };
  }

  async getRun(runId: string): Promise<RunRecord | undefined> {
    this.assertOpen();
    const run = this.runs.get(runId);
    return run && toRecord(run);
  }

  async listRuns(filter: RunFilter = {}): Promise<RunPage> {
    this.assertOpen();
    const limit = pageLimit(filter.limit);
    const sort = listSort(filter.sort);
    const below = decodeCursor(filter.cursor, sort);
    listTime(filter.since, "since");
    listTime(filter.until, "until");
    const rows: Array<{ pk: number; updated_at: number; run: MemoryRun }> = [];
    for (const [pk, run] of this.runsByPk) {
      if (matches(run, filter) && (below === undefined || isBelow(pk, run, below, sort))) rows.push({ pk, updated_at: run.updatedAt, run });
    }
    rows.sort((a, b) => (sort === "updated" && b.updated_at !== a.updated_at ? b.updated_at - a.updated_at : b.pk - a.pk));
    return pageOfRows(rows.slice(0, limit + 1), limit, sort, (row) => toRecord(row.run));
  }

  async append(runId: string, events: EventBody[], commit: AppendCommit): Promise<AppendResult> {
    this.assertOpen();
    const now = this.clock();
    const run = this.mustGet(runId);
    checkFence(run, commit.lease, commit.expectedSeq, now);

    // Everything that can fail is checked before anything changes: this is the transaction's rollback.
    const encoded = events.map(encodeEvent);
    const deliveries = (commit.deliver ?? []).map((d) => ({ ...d, payload: toJson(d.payload, "a delivery payload") }));
    const consume = commit.consume ?? [];
    const seen = new Set<number>();
    for (const id of consume) {
      const message = this.inbox.get(id);
      if (!message || message.consumedBy !== undefined || seen.has(id)) throw inboxConflict(runId, id);
      seen.add(id);
    }

    for (const id of consume) (this.inbox.get(id) as MemoryMessage).consumedBy = run.pk;
    let terminal: RunStatus | undefined;
    for (const [i, event] of events.entries()) {
      const seq = commit.expectedSeq + i + 1;
      const { type, data } = encoded[i] as EncodedEvent;
      const previous = run.journal[run.journal.length - 1]?.hash ?? "";
      run.journal.push({ type, data, at: now, hash: chainHash(previous, seq, type, now, data) });
      if (event.type === "wait_started") {
        const { type: _type, key, ...spec } = event;
        run.waits.set(key, { seq, kind: spec.kind, eventKey: spec.eventKey, spec: toJson(spec, "a wait") });
      } else if (event.type === "wait_resolved") {
        run.waits.delete(event.key);
      }
      terminal = terminalStatusOf(event.type) ?? terminal;
    }
    run.lastSeq = commit.expectedSeq + encoded.length;
    run.updatedAt = now;

    if (terminal) {
      Object.assign(run, { status: terminal, readyAt: undefined, leaseOwner: undefined, cancelRequested: undefined });
      run.waits.clear();
    } else if (commit.status === "waiting" || commit.release) {
      this.stopRunning(run, commit.status === "waiting" ? "waiting" : "queued", commit.readyAt, now);
    }
    for (const delivery of deliveries) this.insertAndWake(delivery, now);
    return run.cancelRequested === undefined ? { lastSeq: run.lastSeq } : { lastSeq: run.lastSeq, cancelRequested: run.cancelRequested };
  }

  async read(runId: string, fromSeq = 1): Promise<JournalEvent[]> {
    this.assertOpen();
    const run = this.runs.get(runId);
    if (!run) return [];
    const start = Math.max(fromSeq, 1);
    return run.journal.slice(start - 1).map((e, i) => decodeEvent(e.type, start + i, e.at, e.data));
  }

  async chainSince(): Promise<number> {
    this.assertOpen();
    // Every event this store ever held was hashed as it was appended.
    return 0;
  }

  async journalChain(runId: string): Promise<ChainRow[]> {
    this.assertOpen();
    return (this.runs.get(runId)?.journal ?? []).map((e, i) => ({ seq: i + 1, type: e.type, at: e.at, data: e.data, hash: e.hash }));
  }

  async pruneRuns(request: PruneRequest): Promise<string[]> {
    this.assertOpen();
    const pruned = this.prunable(request);
    for (const run of pruned) {
      this.runs.delete(run.id);
      this.runsByPk.delete(run.pk);
      if (run.idempotencyKey !== undefined && this.idempotency.get(idempotencyId(run.tenant, run.idempotencyKey)) === run.id) {
        this.idempotency.delete(idempotencyId(run.tenant, run.idempotencyKey));
      }
      for (const [id, message] of this.inbox) if (message.consumedBy === run.pk) this.inbox.delete(id);
      for (const sha256 of this.refsByRun.get(run.pk) ?? []) this.artifacts.get(sha256)?.refs.delete(run.pk);
      this.refsByRun.delete(run.pk);
    }
    return pruned.map((r) => r.id);
  }

  async findPrunable(request: PruneRequest): Promise<string[]> {
    this.assertOpen();
    return this.prunable(request).map((r) => r.id);
  }

  async collectArtifacts(request: { before: number; limit: number }): Promise<string[]> {
    this.assertOpen();
    const collected: string[] = [];
    for (const [sha256, artifact] of this.artifacts) {
      if (collected.length >= request.limit) break;
      if (artifact.putAt === undefined || artifact.putAt >= request.before || artifact.refs.size > 0) continue;
      this.artifacts.delete(sha256);
      collected.push(sha256);
    }
    return collected;
  }

  async expireInbox(request: { before: number; limit: number }): Promise<number[]> {
    this.assertOpen();
    const expired: number[] = [];
    for (const [id, message] of this.inbox) {
      if (expired.length >= request.limit) break;
      if (message.consumedBy !== undefined || message.createdAt >= request.before || this.isAwaited(message)) continue;
      this.inbox.delete(id);
      expired.push(id);
    }
    return expired;
  }

  /** Whether a run of the message's tenant has an open wait on its key. */
  private isAwaited(message: MemoryMessage): boolean {
    for (const run of this.runsByPk.values()) {
      if (run.tenant !== message.tenant) continue;
      for (const wait of run.waits.values()) if (wait.eventKey === message.eventKey) return true;
    }
    return false;
  }

  async acquireMaintenanceLease(request: { name: string; owner: string; ttlMs: number }): Promise<boolean> {
    this.assertOpen();
    const now = this.clock();
    const held = this.maintenance.get(request.name);
    if (held && held.owner !== request.owner && held.expiresAt > now) return false;
    this.maintenance.set(request.name, { owner: request.owner, expiresAt: now + request.ttlMs });
    return true;
  }

  async announceWorker(info: WorkerInfo, ttlMs: number): Promise<void> {
    this.assertOpen();
    const now = this.clock();
    for (const [id, w] of this.workers) if (w.expiresAt < now - LAPSED_WORKER_KEPT_MS) this.workers.delete(id);
    const record: WorkerRecord = {
      ...structuredClone(info),
      anyVersion: [...(info.anyVersion ?? [])],
      seenAt: now,
      expiresAt: now + ttlMs,
    };
    this.workers.set(info.id, record);
  }

  async countUnfinished(): Promise<UnfinishedCount[]> {
    this.assertOpen();
    const rows = new Map<string, UnfinishedRow>();
    for (const run of this.allRuns()) {
      if (run.status !== "queued" && run.status !== "running" && run.status !== "waiting") continue;
      const key = `${run.workflow}\u0000${run.version}\u0000${run.status}`;
      const row = rows.get(key) ?? { workflow: run.workflow, version: run.version, status: run.status, n: 0 };
      row.n++;
      rows.set(key, row);
    }
    return unfinishedCounts([...rows.values()]);
  }

  async listWorkers(options: { includeExpired?: boolean } = {}): Promise<WorkerRecord[]> {
    this.assertOpen();
    const now = this.clock();
    return [...this.workers.values()]
      .filter((w) => options.includeExpired || w.expiresAt > now)
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .map((w) => structuredClone(w));
  }

  async retireWorker(id: string): Promise<void> {
    this.assertOpen();
    this.workers.delete(id);
  }

  async head(runId: string): Promise<number> {
    this.assertOpen();
    return this.runs.get(runId)?.lastSeq ?? 0;
  }

  async claim(request: ClaimRequest): Promise<Lease[]> {
    this.assertOpen();
    const now = this.clock();
    const workflows = new Set(request.workflows);
    const held = (r: MemoryRun) => workflows.has(r.workflow) && claimsVersion(request.versions, r.workflow, r.version);
    const due = this.allRuns()
      .filter((r) => r.readyAt !== undefined && r.readyAt <= now && held(r))
      .sort((a, b) => (a.readyAt as number) - (b.readyAt as number) || a.pk - b.pk)
      .slice(0, Math.max(request.limit, 0));
    const leases = due.map((run) => this.lease(run, request.workerId, request.leaseMs, now, request.holder));
    for (const config of this.queues.values()) {
      const room = request.limit - leases.length;
      if (room <= 0) break;
      const candidates = this.pendingRuns(config.name, now, held).slice(0, room + ADMISSION_LOOKAHEAD);
      for (const run of this.admit(config, candidates, room, now))
        leases.push(this.lease(run, request.workerId, request.leaseMs, now, request.holder));
    }
    return leases;
  }

  async claimRun(runId: string, workerId: string, leaseMs: number, options: ClaimRunOptions = {}): Promise<Lease | undefined> {
    this.assertOpen();
    const now = this.clock();
    const run = this.runs.get(runId);
    if (!run || TERMINAL_STATUSES.has(run.status)) return undefined;
    if (!claimsVersion(options.versions, run.workflow, run.version)) return undefined;
    if (run.status === "running" && (run.readyAt as number) > now) return undefined;
    if (isPending(run)) {
      const config = this.queues.get(run.queue as string) ?? { name: run.queue as string };
      if (run.admitAt > now || this.admit(config, [run], 1, now).length === 0) return undefined;
    }
    return this.lease(run, workerId, leaseMs, now, options.holder);
  }

  async heldLeases(filter: HeldLeaseFilter = {}): Promise<HeldLease[]> {
    this.assertOpen();
    const now = this.clock();
    const workflows = filter.workflows === undefined ? undefined : new Set(filter.workflows);
    return this.allRuns()
      .filter(
        (run) =>
          run.status === "running" &&
          (run.readyAt as number) > now &&
          (filter.runId === undefined || run.id === filter.runId) &&
          (filter.hostId === undefined || run.leaseHolder?.hostId === filter.hostId) &&
          (workflows === undefined || workflows.has(run.workflow)),
      )
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .slice(0, heldLimit(filter))
      .map((run) => ({
        runId: run.id,
        workflow: run.workflow,
        workerId: run.leaseOwner as string,
        epoch: run.leaseEpoch,
        expiresAt: run.readyAt as number,
        ...(run.leaseHolder === undefined ? {} : { holder: structuredClone(run.leaseHolder) }),
      }));
  }

  async breakLease(lease: Pick<HeldLease, "runId" | "workerId" | "epoch">): Promise<boolean> {
    this.assertOpen();
    const now = this.clock();
    const run = this.runs.get(lease.runId);
    if (!run || leaseProblem(run, { ...lease, workflow: run.workflow, expiresAt: 0 }, now)) return false;
    run.readyAt = now;
    run.updatedAt = now;
    return true;
  }

  async heartbeat(lease: Lease, leaseMs: number): Promise<{ expiresAt: number; cancelRequested?: string }> {
    this.assertOpen();
    const now = this.clock();
    const run = this.mustGet(lease.runId);
    checkLease(run, lease, now);
    run.readyAt = now + leaseMs;
    return run.cancelRequested === undefined
      ? { expiresAt: run.readyAt }
      : { expiresAt: run.readyAt, cancelRequested: run.cancelRequested };
  }

  async release(lease: Lease, options: { status?: "waiting" | "queued"; readyAt?: number } = {}): Promise<void> {
    this.assertOpen();
    const now = this.clock();
    const run = this.runs.get(lease.runId);
    // Releasing a lease that is already gone is a no-op: the run belongs to someone else (or to nobody) now.
    if (!run || leaseProblem(run, lease, now)) return;
    this.stopRunning(run, options.status ?? "queued", options.readyAt, now);
    run.updatedAt = now;
  }

  async nextReadyAt(workflows: string[], versions?: WorkflowVersions): Promise<number | undefined> {
    this.assertOpen();
    const wanted = new Set(workflows);
    let next: number | undefined;
    for (const run of this.runsByPk.values()) {
      if (!wanted.has(run.workflow) || !claimsVersion(versions, run.workflow, run.version)) continue;
      const at = isPending(run) ? this.admissibleAt(run) : run.readyAt;
      if (at !== undefined && (next === undefined || at < next)) next = at;
    }
    return next;
  }

  async requestCancel(runId: string, reason: string, attribution?: Attribution): Promise<RunRecord> {
    this.assertOpen();
    const now = this.clock();
    const run = this.mustGet(runId);
    if (TERMINAL_STATUSES.has(run.status)) throw runTerminal(runId, run.status);
    if (run.cancelRequested === undefined) {
      run.cancelRequested = reason;
      run.cancelAttribution = attribution && Object.keys(attribution).length ? { ...attribution } : undefined;
    }
    if (run.status === "waiting" || run.status === "queued") run.readyAt = wokenReadyAt(run.readyAt, now);
    run.updatedAt = now;
    return toRecord(run);
  }

  async configureQueues(queues: QueueConfig[]): Promise<void> {
    this.assertOpen();
    for (const config of queues) this.queues.set(config.name, { ...config });
  }

  async listQueues(): Promise<QueueInfo[]> {
    this.assertOpen();
    const now = this.clock();
    return [...this.queues.values()]
      .sort((a, b) => (a.name < b.name ? -1 : 1))
      .map((config) => ({
        ...config,
        pending: this.allRuns().filter((r) => r.queue === config.name && isPending(r)).length,
        active: this.activeRuns(config.name).length,
        startedInWindow: config.rateLimit ? this.admittedSince(config.name, now - config.rateLimit.periodMs).length : 0,
      }));
  }

  async deliver(delivery: Delivery): Promise<{ id: number; wokeRunIds: string[] }> {
    this.assertOpen();
    return this.insertAndWake({ ...delivery, payload: toJson(delivery.payload, "a delivery payload") }, this.clock());
  }

  async peekInbox(eventKey: string, tenant?: string): Promise<InboxMessage | undefined> {
    this.assertOpen();
    for (const message of this.inbox.values()) {
      if (tenant !== undefined && message.tenant !== tenant) continue;
      if (message.consumedBy === undefined && message.eventKey === eventKey) return toMessage(message);
    }
    return undefined;
  }

  async listInbox(options: { tenant?: string; limit?: number } = {}): Promise<InboxMessage[]> {
    this.assertOpen();
    const limit = options.limit ?? 100;
    const out: InboxMessage[] = [];
    for (const message of this.inbox.values()) {
      if (out.length >= limit) break;
      if (message.consumedBy !== undefined) continue;
      if (options.tenant !== undefined && message.tenant !== options.tenant) continue;
      out.push(toMessage(message));
    }
    return out;
  }

  async openWaits(query: { runId: string } | { eventKey: string }): Promise<OpenWait[]> {
    this.assertOpen();
    const runs = "runId" in query ? [this.runs.get(query.runId)].filter((r) => r !== undefined) : this.runsByPk.values();
    const eventKey = "eventKey" in query ? query.eventKey : undefined;
    const out: OpenWait[] = [];
    for (const run of runs) {
      const waits = [...run.waits.entries()].sort(([, a], [, b]) => a.seq - b.seq);
      for (const [key, wait] of waits) {
        if (eventKey !== undefined && wait.eventKey !== eventKey) continue;
        out.push({ ...(JSON.parse(wait.spec) as WaitSpec), runId: run.id, key });
      }
    }
    return out;
  }

  async putArtifact(bytes: Uint8Array, options: ArtifactPutOptions = {}): Promise<string> {
    this.assertOpen();
    const sha256 = createHash("sha256").update(bytes).digest("hex");
    const run = options.runId === undefined ? undefined : this.runs.get(options.runId);
    // Stored by a run: collectable once no run refers to it. Stored without one (ever): kept for good (putAt undefined).
    const putAt = options.runId === undefined ? undefined : this.clock();
    const tags = artifactTags(options.tags);
    const name = artifactName(options.name);
    const artifact = this.artifacts.get(sha256) ?? {
      bytes: Uint8Array.from(bytes),
      putAt,
      refs: new Set(),
      tags: [],
      createdAt: this.clock(),
    };
    if (!this.artifacts.has(sha256)) this.artifacts.set(sha256, artifact);
    else if (artifact.putAt !== undefined) artifact.putAt = putAt;
    if (name !== null) artifact.name = name;
    artifact.tags = artifactTags([...artifact.tags, ...tags]);
    if (run) {
      this.artifacts.get(sha256)?.refs.add(run.pk);
      const refs = this.refsByRun.get(run.pk) ?? new Set<string>();
      this.refsByRun.set(run.pk, refs.add(sha256));
    }
    return sha256;
  }

  async getArtifact(sha256: string): Promise<Uint8Array | undefined> {
    this.assertOpen();
    const artifact = this.artifacts.get(sha256);
    return artifact && Uint8Array.from(artifact.bytes);
  }

  async listArtifacts(filter: ArtifactFilter = {}): Promise<ArtifactInfo[]> {
    this.assertOpen();
    const found: ArtifactInfo[] = [];
    for (const [sha256, artifact] of this.artifacts) {
      const runs = [...artifact.refs].flatMap((pk) => this.runsByPk.get(pk) ?? []);
      const visible = filter.tenant === undefined ? runs : runs.filter((run) => run.tenant === filter.tenant);
      if (filter.sha256 !== undefined && sha256 !== filter.sha256) continue;
      if (filter.name !== undefined && artifact.name !== filter.name) continue;
      if (filter.tag !== undefined && !artifact.tags.includes(filter.tag)) continue;
      if (filter.runId !== undefined && !runs.some((run) => run.id === filter.runId)) continue;
      if (filter.tenant !== undefined && visible.length === 0) continue;
      found.push(
        artifactInfo({
          sha256,
          name: artifact.name ?? null,
          tags: artifact.tags,
          size: artifact.bytes.byteLength,
          created_at: artifact.createdAt,
          runs: visible.map((run) => run.id),
        }),
      );
    }
    found.sort((a, b) => (b.createdAt ?? 0) - (a.createdAt ?? 0) || a.sha256.localeCompare(b.sha256));
    return found.slice(0, artifactLimit(filter.limit));
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  async upsertSchedule(spec: ScheduleSpec): Promise<ScheduleRecord> {
    this.assertOpen();
    const now = this.clock();
    const { nextFireAt, ...definition } = spec;
    const input = toJson(spec.input, "a schedule's input");
    const existing = this.schedules.get(spec.name);
    const moved = !existing || existing.cron !== spec.cron || existing.timezone !== spec.timezone;
    const row = existing
      ? Object.assign(existing, definition, { input, updatedAt: now }, moved ? { nextFireAt } : {})
      : { ...definition, input, nextFireAt, paused: false, createdAt: now, updatedAt: now };
    this.schedules.set(spec.name, row);
    return toSchedule(row);
  }

  async listSchedules(): Promise<ScheduleRecord[]> {
    this.assertOpen();
    return [...this.schedules.values()].sort((a, b) => (a.name < b.name ? -1 : 1)).map(toSchedule);
  }

  async fireSchedule(fire: ScheduleFire): Promise<ScheduleFireResult> {
    this.assertOpen();
    const row = this.schedules.get(fire.name);
    // Checked and moved before the first await: no other fire can read the old next fire time after this.
    if (!row || row.paused || row.nextFireAt !== fire.expectedNextFireAt) return { fired: false, runs: [] };
    row.nextFireAt = fire.nextFireAt;
    row.updatedAt = this.clock();
    const last = fire.runs.at(-1);
    if (last) Object.assign(row, { lastRunId: last.id }, fire.lastFiredAt === undefined ? {} : { lastFiredAt: fire.lastFiredAt });
    const runs: CreateResult[] = [];
    for (const run of fire.runs) runs.push(await this.createRun(run));
    return { fired: true, runs };
  }

  async setSchedulePaused(name: string, paused: boolean, nextFireAt?: number): Promise<ScheduleRecord | undefined> {
    this.assertOpen();
    const row = this.schedules.get(name);
    if (!row) return undefined;
    Object.assign(row, { paused, updatedAt: this.clock() }, nextFireAt === undefined ? {} : { nextFireAt });
    return toSchedule(row);
  }

  async createApiKey(key: ApiKeyRecord): Promise<void> {
    this.assertOpen();
    this.apiKeys.set(key.hash, { ...key });
  }

  async findApiKey(hash: string): Promise<ApiKeyRecord | undefined> {
    this.assertOpen();
    const key = this.apiKeys.get(hash);
    return key && { ...key };
  }

  async listApiKeys(filter: { tenant?: string } = {}): Promise<ApiKeyRecord[]> {
    this.assertOpen();
    return [...this.apiKeys.values()].filter((k) => filter.tenant === undefined || k.tenant === filter.tenant).map((k) => ({ ...k }));
  }

  async revokeApiKey(id: string): Promise<ApiKeyRecord | undefined> {
    this.assertOpen();
    const key = [...this.apiKeys.values()].find((k) => k.id === id);
    if (!key) return undefined;
    key.revokedAt ??= this.clock();
    return { ...key };
  }

  async secret(name: string, candidate: string): Promise<string> {
    this.assertOpen();
    if (!this.secrets.has(name)) this.secrets.set(name, candidate);
    return this.secrets.get(name) as string;
  }

  async useToken(id: string, _expiresAt: number): Promise<boolean> {
    this.assertOpen();
    if (this.usedTokens.has(id)) return false;
    this.usedTokens.add(id);
    return true;
  }

  /** Every run, in pk order. */
  private allRuns(): MemoryRun[] {
    return [...this.runsByPk.values()];
  }

  /** The runs a prune request takes: ended with its status before its cutoff, oldest first, at most its limit. */
  private prunable(request: PruneRequest): MemoryRun[] {
    const only = request.runIds && new Set(request.runIds);
    return this.allRuns()
      .filter((r) => r.status === request.status && r.updatedAt < request.before && (!only || only.has(r.id)))
      .sort((a, b) => a.updatedAt - b.updatedAt || a.pk - b.pk)
      .slice(0, Math.max(request.limit, 0));
  }

  private assertOpen(): void {
    if (this.closed) throw storeClosed();
  }

  private mustGet(runId: string): MemoryRun {
    const run = this.runs.get(runId);
    if (!run) throw runNotFound(runId);
    return run;
  }

  private byIdempotencyKey(tenant: string, key: string | undefined): MemoryRun | undefined {
    if (key === undefined) return undefined;
    const id = this.idempotency.get(idempotencyId(tenant, key));
    return id === undefined ? undefined : this.runs.get(id);
  }

  private lease(run: MemoryRun, workerId: string, leaseMs: number, now: number, holder: LeaseHolder | undefined): Lease {
    run.status = "running";
    run.leaseOwner = workerId;
    run.leaseHolder = holder === undefined ? undefined : structuredClone(holder);
    run.leaseEpoch += 1;
    run.readyAt = now + leaseMs;
    run.updatedAt = now;
    return { runId: run.id, workflow: run.workflow, workerId, epoch: run.leaseEpoch, expiresAt: run.readyAt };
  }

  /** Runs of a queue waiting for admission, in admission order (priority, then time). */
  private pendingRuns(queue: string, now: number, held: (run: MemoryRun) => boolean): MemoryRun[] {
    return this.allRuns()
      .filter((r) => r.queue === queue && isPending(r) && r.admitAt <= now && held(r))
      .sort((a, b) => a.priority - b.priority || a.admitAt - b.admitAt || a.pk - b.pk);
  }

  private activeRuns(queue: string): MemoryRun[] {
    return this.allRuns().filter((r) => r.queue === queue && r.admittedAt !== undefined && !TERMINAL_STATUSES.has(r.status));
  }

  private admittedSince(queue: string, since: number): MemoryRun[] {
    return this.allRuns().filter((r) => r.queue === queue && r.admittedAt !== undefined && r.admittedAt > since);
  }

  /** Marks the runs the queue's limits allow as admitted and returns them (the caller leases them). */
  private admit(config: QueueConfig, runs: MemoryRun[], room: number, now: number): MemoryRun[] {
    const active = this.activeRuns(config.name);
    const activeByKey = new Map<string, number>();
    for (const r of active)
      if (r.concurrencyKey !== undefined) activeByKey.set(r.concurrencyKey, (activeByKey.get(r.concurrencyKey) ?? 0) + 1);
    const load = {
      active: active.length,
      startedInWindow: config.rateLimit ? this.admittedSince(config.name, now - config.rateLimit.periodMs).length : 0,
      activeByKey,
    };
    const candidates: AdmissionCandidate[] = runs.map((r) => ({ pk: r.pk, concurrencyKey: r.concurrencyKey ?? null }));
    return planAdmission(config, load, candidates, room).map(({ pk }) => {
      const run = this.runsByPk.get(pk) as MemoryRun;
      run.admittedAt = now;
      return run;
    });
  }

  /** When a run waiting in its queue may be admitted, if time alone decides it (a later start, a rate window). */
  private admissibleAt(run: MemoryRun): number | undefined {
    const config = this.queues.get(run.queue as string);
    const now = this.clock();
    if (run.admitAt > now) return run.admitAt;
    if (!config?.rateLimit) return undefined;
    const window = this.admittedSince(config.name, now - config.rateLimit.periodMs).map((r) => r.admittedAt as number);
    return queueWindowOpensAt(config, window, now);
  }

  /** Leaves `running` without ending: the lease is gone and the readiness rule decides when it runs next. */
  private stopRunning(run: MemoryRun, status: "waiting" | "queued", requested: number | undefined, now: number): void {
    const wakeNow = run.cancelRequested !== undefined || (status === "waiting" && this.hasPendingMessage(run));
    run.status = status;
    run.leaseOwner = undefined;
    run.readyAt = nextReadyAt(status, requested, wakeNow, now);
  }

  /** Whether one of the run's open waits already has an unconsumed message. */
  private hasPendingMessage(run: MemoryRun): boolean {
    const keys = new Set([...run.waits.values()].map((w) => w.eventKey));
    for (const message of this.inbox.values()) {
      if (message.consumedBy === undefined && message.tenant === run.tenant && keys.has(message.eventKey)) return true;
    }
    return false;
  }

  private insertAndWake(delivery: Delivery & { payload: string }, now: number): { id: number; wokeRunIds: string[] } {
    const id = this.nextMessageId++;
    const tenant = delivery.tenant ?? "default";
    this.inbox.set(id, {
      id,
      eventKey: delivery.eventKey,
      tenant,
      payload: delivery.payload,
      createdAt: now,
      attribution: delivery.attribution && Object.keys(delivery.attribution).length ? { ...delivery.attribution } : undefined,
      consumedBy: undefined,
    });
    const wokeRunIds: string[] = [];
    for (const run of this.runsByPk.values()) {
      if (run.status !== "waiting" || run.tenant !== tenant) continue;
      if (![...run.waits.values()].some((w) => w.eventKey === delivery.eventKey)) continue;
      run.readyAt = wokenReadyAt(run.readyAt, now);
      run.updatedAt = now;
      wokeRunIds.push(run.id);
    }
    return { id, wokeRunIds };
  }
}

function idempotencyId(tenant: string, key: string): string {
  return `${tenant}\u0000${key}`;
}

function matches(run: MemoryRun, filter: RunFilter): boolean {
  return (
    (filter.status === undefined || run.status === filter.status) &&
    (filter.workflow === undefined || run.workflow === filter.workflow) &&
    (filter.parentRunId === undefined || run.parentRunId === filter.parentRunId) &&
    (filter.tenant === undefined || run.tenant === filter.tenant) &&
    (filter.session === undefined || run.session === filter.session) &&
    (filter.actor === undefined || run.actor === filter.actor) &&
    (filter.waitingFor === undefined || waitingFor(run) === filter.waitingFor) &&
    (filter.version === undefined || run.version === filter.version) &&
    (filter.since === undefined || run.createdAt >= filter.since) &&
    (filter.until === undefined || run.createdAt < filter.until)
  );
}

/** Whether a run comes after the position a page ended at, in the listing's order. */
function isBelow(pk: number, run: MemoryRun, below: ListPosition, sort: RunSort): boolean {
  if (sort === "created" || run.updatedAt === below.updatedAt) return pk < below.pk;
  return run.updatedAt < (below.updatedAt ?? 0);
}

/** The newest open wait's kind as the index shows it (derived from the waits, as the SQL triggers keep it). */
function waitingFor(run: MemoryRun): WaitingFor | undefined {
  let newest: { seq: number; kind: string; eventKey: string | undefined } | undefined;
  for (const wait of run.waits.values()) if (!newest || wait.seq > newest.seq) newest = wait;
  return newest && waitingForOf(newest.kind, newest.eventKey);
}

function isPending(run: MemoryRun): boolean {
  return run.queue !== undefined && run.admittedAt === undefined && run.status === "queued";
}

function toRecord(run: MemoryRun): RunRecord {
  const record: RunRecord = {
    id: run.id,
    workflow: run.workflow,
    version: run.version,
    tenant: run.tenant,
    status: run.status,
    createdAt: run.createdAt,
    updatedAt: run.updatedAt,
    lastSeq: run.lastSeq,
  };
  if (run.session !== undefined) record.session = run.session;
  if (run.actor !== undefined) record.actor = run.actor;
  if (run.parentRunId !== undefined) record.parentRunId = run.parentRunId;
  if (run.idempotencyKey !== undefined) record.idempotencyKey = run.idempotencyKey;
  const waits = waitingFor(run);
  if (waits !== undefined) record.waitingFor = waits;
  if (run.readyAt !== undefined) record.readyAt = run.readyAt;
  if (run.cancelRequested !== undefined) record.cancelRequested = run.cancelRequested;
  if (run.cancelAttribution !== undefined) record.cancelAttribution = { ...run.cancelAttribution };
  if (run.leaseOwner !== undefined) record.leaseOwner = run.leaseOwner;
  if (run.queue !== undefined) Object.assign(record, { queue: run.queue, priority: run.priority });
  if (run.concurrencyKey !== undefined) record.concurrencyKey = run.concurrencyKey;
  if (run.admittedAt !== undefined) record.admittedAt = run.admittedAt;
  return record;
}

function toMessage(message: MemoryMessage): InboxMessage {
  return {
    id: message.id,
    eventKey: message.eventKey,
    payload: JSON.parse(message.payload) as unknown,
    tenant: message.tenant,
    createdAt: message.createdAt,
    ...(message.attribution ? { attribution: { ...message.attribution } } : {}),
  };
}

function toSchedule(row: ScheduleRecord & { input: string }): ScheduleRecord {
  return { ...row, input: JSON.parse(row.input) as unknown };
}
