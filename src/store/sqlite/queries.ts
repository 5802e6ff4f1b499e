// Every statement the SQLite store runs, in one place. Values are always bound parameters; the only SQL built
// at runtime is listRuns' WHERE clause, assembled from the constant fragments below.

import type { RunSort } from "../contract/runs.js";
import { listSeek, SEEK_FILTERS, type SeekFilter } from "../paging.js";

// The last seq is read from the journal's primary key (one index seek), not stored in runs: a step then writes
// only journal rows, which halves the pages each commit writes.
const LAST_SEQ = `(SELECT max(seq) FROM journal WHERE run_pk = runs.pk)`;
const RUN_COLUMNS = `pk, id, workflow, version, tenant, status, parent_run_id, idempotency_key, created_at, updated_at,
  ready_at, ${LAST_SEQ} AS last_seq, cancel_requested, lease_owner, lease_epoch, queue, concurrency_key, priority, admitted_at,
  session, actor, waiting_for, cancel_attribution`;

export const SELECT_RUN = /* sql */ `SELECT ${RUN_COLUMNS} FROM runs WHERE id = ?`;
export const SELECT_RUN_BY_IDEMPOTENCY_KEY = /* sql */ `SELECT ${RUN_COLUMNS} FROM runs WHERE tenant = ? AND idempotency_key = ?`;
export const SELECT_HEAD = /* sql */ `SELECT ${LAST_SEQ} AS last_seq FROM runs WHERE id = ?`;

export const INSERT_RUN = /* sql */ `
  INSERT INTO runs (id, workflow, version, tenant, status, parent_run_id, idempotency_key, created_at, updated_at,
    ready_at, queue, concurrency_key, priority, admit_at, session, actor)
  VALUES (@id, @workflow, @version, @tenant, 'queued', @parentRunId, @idempotencyKey, @now, @now, @readyAt,
    @queue, @concurrencyKey, @priority, @admitAt, @session, @actor)`;

// --- journal ---
export const INSERT_EVENT = /* sql */ `INSERT INTO journal (run_pk, seq, type, at, data, hash) VALUES (?, ?, ?, ?, ?, ?)`;
/**
 * What an append needs of its run in one statement: the fence's columns and the hash of the journal's last event,
 * the one the new events chain from (two index seeks on the journal's primary key).
 */
export const SELECT_APPEND_HEAD = /* sql */ `
  SELECT r.pk, r.id, r.status, r.ready_at, r.lease_owner, r.lease_epoch, r.cancel_requested, j.seq AS last_seq, j.hash AS last_hash
  FROM runs r LEFT JOIN journal j ON j.run_pk = r.pk AND j.seq = (SELECT max(seq) FROM journal WHERE run_pk = r.pk)
  WHERE r.id = ?`;
export const READ_CHAIN = /* sql */ `
  SELECT seq, type, at, data, hash FROM journal WHERE run_pk = (SELECT pk FROM runs WHERE id = ?) ORDER BY seq`;
export const READ_CHAIN_SINCE = /* sql */ `SELECT value FROM meta WHERE key = 'chain_since'`;
export const READ_JOURNAL = /* sql */ `
  SELECT seq, type, at, data FROM journal
  WHERE run_pk = (SELECT pk FROM runs WHERE id = ?) AND seq >= ?
  ORDER BY seq`;

// --- run state after an append; the hot path (a step while running) does not write the runs row at all ---
export const END_RUN = /* sql */ `
  UPDATE runs SET status = ?, ready_at = NULL, lease_owner = NULL, cancel_requested = NULL, updated_at = ?
  WHERE pk = ?`;
/** Leaves `running` without ending (suspend, release): the lease is dropped, readiness set by the caller. */
export const STOP_RUN = /* sql */ `
  UPDATE runs SET status = ?, ready_at = ?, lease_owner = NULL, updated_at = ? WHERE pk = ?`;

// --- waits ---
export const UPSERT_WAIT = /* sql */ `
  INSERT OR REPLACE INTO waits (run_pk, key, seq, kind, event_key, spec) VALUES (?, ?, ?, ?, ?, ?)`;
export const DELETE_WAIT = /* sql */ `DELETE FROM waits WHERE run_pk = ? AND key = ?`;
export const DELETE_RUN_WAITS = /* sql */ `DELETE FROM waits WHERE run_pk = ?`;
export const HAS_PENDING_MESSAGE = /* sql */ `
  SELECT EXISTS (
    SELECT 1 FROM waits w JOIN inbox i ON i.event_key = w.event_key AND i.consumed_by IS NULL
    WHERE w.run_pk = ? AND i.tenant = (SELECT tenant FROM runs WHERE pk = w.run_pk)
  ) AS pending`;
export const OPEN_WAITS_OF_RUN = /* sql */ `
  SELECT r.id AS run_id, w.key, w.spec FROM waits w JOIN runs r ON r.pk = w.run_pk
  WHERE r.id = ? ORDER BY w.seq`;
export const OPEN_WAITS_ON_KEY = /* sql */ `
  SELECT r.id AS run_id, w.key, w.spec FROM waits w JOIN runs r ON r.pk = w.run_pk
  WHERE w.event_key = ? ORDER BY w.run_pk, w.seq`;

// --- inbox ---
export const INSERT_MESSAGE = /* sql */ `INSERT INTO inbox (event_key, tenant, payload, created_at, attribution) VALUES (?, ?, ?, ?, ?)`;
export const CONSUME_MESSAGE = /* sql */ `
  UPDATE inbox SET consumed_by = ?, consumed_at = ? WHERE id = ? AND consumed_by IS NULL`;
/** Wakes the waiting runs with an open wait on a key; an earlier due time is kept. */
export const WAKE_WAITERS = /* sql */ `
  UPDATE runs SET ready_at = min(coalesce(ready_at, @now), @now), updated_at = @now
  WHERE status = 'waiting' AND tenant = @tenant AND pk IN (SELECT run_pk FROM waits WHERE event_key = @eventKey)
  RETURNING pk, id`;
export const PEEK_INBOX = /* sql */ `
  SELECT id, event_key, tenant, payload, created_at, attribution FROM inbox
  WHERE event_key = @eventKey AND consumed_by IS NULL AND (@tenant IS NULL OR tenant = @tenant) ORDER BY id LIMIT 1`;
export const LIST_INBOX = /* sql */ `
  SELECT id, event_key, tenant, payload, created_at, attribution FROM inbox
  WHERE consumed_by IS NULL AND (@tenant IS NULL OR tenant = @tenant) ORDER BY id LIMIT @limit`;

// --- leases ---
/**
 * Version pinning (ClaimRequest.versions, bound as @versions, a JSON object workflow → [versions]): a run of a
 * workflow named there only in those versions, any other run in any version. Joined into every claim and readiness
 * statement, so it costs no extra query; `{}` pins nothing.
 */
const VERSION_HELD = `(NOT EXISTS (SELECT 1 FROM json_each(@versions) p WHERE p.key = runs.workflow)
  OR runs.version IN (SELECT v.value FROM json_each(@versions) p, json_each(p.value) v WHERE p.key = runs.workflow))`;
/** The most overdue claimable runs; CLAIM_DUE_RUN then leases each inside the same write transaction. */
export const SELECT_DUE = /* sql */ `
  SELECT pk FROM runs
  WHERE ready_at <= @now AND +workflow IN (SELECT value FROM json_each(@workflows))
    AND ${VERSION_HELD}
  ORDER BY ready_at, pk LIMIT @limit`;
export const CLAIM_DUE_RUN = /* sql */ `
  UPDATE runs SET status = 'running', lease_owner = @workerId, lease_epoch = lease_epoch + 1,
    ready_at = @expiresAt, updated_at = @now, lease_holder = @holder
  WHERE pk = @pk
  RETURNING pk, id, workflow, lease_epoch, ready_at`;
export const CLAIM_RUN = /* sql */ `
  UPDATE runs SET status = 'running', lease_owner = @workerId, lease_epoch = lease_epoch + 1,
    ready_at = @expiresAt, updated_at = @now, lease_holder = @holder
  WHERE id = @id AND status NOT IN ('completed', 'failed', 'cancelled') AND (status <> 'running' OR ready_at <= @now)
  RETURNING pk, id, workflow, lease_epoch, ready_at`;
export const HEARTBEAT = /* sql */ `
  UPDATE runs SET ready_at = @expiresAt
  WHERE id = @id AND status = 'running' AND lease_owner = @workerId AND lease_epoch = @epoch AND ready_at > @now
  RETURNING cancel_requested`;
/** Unexpired leases of running runs, filtered by run id, holder's host id and workflows (each when not NULL). */
export const HELD_LEASES = /* sql */ `
  SELECT id, workflow, lease_owner, lease_epoch, ready_at, lease_holder FROM runs
  WHERE status = 'running' AND ready_at > @now AND (@runId IS NULL OR id = @runId)
    AND (@hostId IS NULL OR json_extract(lease_holder, '$.hostId') = @hostId)
    AND (@workflows IS NULL OR workflow IN (SELECT value FROM json_each(@workflows)))
  ORDER BY id LIMIT @limit`;
/** Ends a lease now, only if it is still exactly this one: the fence's conditions (fence.ts) on the row. */
export const BREAK_LEASE = /* sql */ `
  UPDATE runs SET ready_at = @now, updated_at = @now
  WHERE id = @id AND status = 'running' AND lease_owner = @workerId AND lease_epoch = @epoch AND ready_at > @now`;
export const NEXT_READY_AT = /* sql */ `
  SELECT ready_at FROM runs
  WHERE ready_at IS NOT NULL AND +workflow IN (SELECT value FROM json_each(@workflows))
    AND ${VERSION_HELD}
  ORDER BY ready_at LIMIT 1`;
export const REQUEST_CANCEL = /* sql */ `
  UPDATE runs SET cancel_attribution = CASE WHEN cancel_requested IS NULL THEN @attribution ELSE cancel_attribution END,
    cancel_requested = coalesce(cancel_requested, @reason), updated_at = @now,
    ready_at = CASE WHEN status IN ('waiting', 'queued') THEN min(coalesce(ready_at, @now), @now) ELSE ready_at END
  WHERE pk = @pk
  RETURNING ${RUN_COLUMNS}`;

// --- queues (see queues.ts) ---
const PENDING = `queue IS NOT NULL AND admitted_at IS NULL AND status = 'queued'`;
const ACTIVE = `admitted_at IS NOT NULL AND status IN ('queued', 'running', 'waiting')`;
export const UPSERT_QUEUE = /* sql */ `
  INSERT INTO queues (name, concurrency, key_concurrency, rate_limit, rate_period_ms, updated_at)
  VALUES (@name, @concurrency, @keyConcurrency, @rateLimit, @ratePeriodMs, @now)
  ON CONFLICT (name) DO UPDATE SET concurrency = excluded.concurrency, key_concurrency = excluded.key_concurrency,
    rate_limit = excluded.rate_limit, rate_period_ms = excluded.rate_period_ms, updated_at = excluded.updated_at`;
export const ENSURE_QUEUE = /* sql */ `INSERT INTO queues (name, updated_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING`;
export const SELECT_QUEUES = /* sql */ `SELECT name, concurrency, key_concurrency, rate_limit, rate_period_ms FROM queues ORDER BY name`;
export const SELECT_QUEUE = /* sql */ `SELECT name, concurrency, key_concurrency, rate_limit, rate_period_ms FROM queues WHERE name = ?`;
export const PENDING_CANDIDATES = /* sql */ `
  SELECT pk, concurrency_key FROM runs
  WHERE queue = @queue AND ${PENDING} AND admit_at <= @now AND +workflow IN (SELECT value FROM json_each(@workflows))
    AND ${VERSION_HELD}
  ORDER BY priority, admit_at, pk LIMIT @limit`;
export const COUNT_PENDING = /* sql */ `SELECT count(*) AS n FROM runs WHERE queue = ? AND ${PENDING}`;
export const COUNT_ACTIVE = /* sql */ `SELECT count(*) AS n FROM runs WHERE queue = ? AND ${ACTIVE}`;
export const ACTIVE_BY_KEY = /* sql */ `
  SELECT concurrency_key AS key, count(*) AS n FROM runs
  WHERE queue = ? AND ${ACTIVE} AND concurrency_key IS NOT NULL GROUP BY concurrency_key`;
export const ADMITTED_SINCE = /* sql */ `SELECT admitted_at FROM runs WHERE queue = ? AND admitted_at > ?`;
/** The earliest later admission among pending runs of these workflows (a start scheduled for later). */
export const NEXT_ADMIT_AT = /* sql */ `
  SELECT min(admit_at) AS at FROM runs
  WHERE ${PENDING} AND admit_at > @now AND +workflow IN (SELECT value FROM json_each(@workflows))
    AND ${VERSION_HELD}`;
/** Rate-limited queues with a pending run of these workflows that is otherwise admissible now. */
export const RATE_LIMITED_WITH_PENDING = /* sql */ `
  SELECT q.name, q.concurrency, q.key_concurrency, q.rate_limit, q.rate_period_ms FROM queues q
  WHERE q.rate_limit IS NOT NULL AND EXISTS (
    SELECT 1 FROM runs WHERE queue = q.name AND ${PENDING} AND admit_at <= @now
      AND +workflow IN (SELECT value FROM json_each(@workflows)) AND ${VERSION_HELD})`;
export const ADMIT_RUN = /* sql */ `
  UPDATE runs SET status = 'running', admitted_at = @now, lease_owner = @workerId, lease_epoch = lease_epoch + 1,
    ready_at = @expiresAt, updated_at = @now, lease_holder = @holder
  WHERE pk = @pk
  RETURNING pk, id, workflow, lease_epoch, ready_at`;

// --- artifacts ---
/** Records that a run references an artifact (its hash as 32 bytes); a change only the first time. */
export const PUT_ARTIFACT_REF = /* sql */ `
  INSERT INTO artifact_refs (run_pk, sha256) SELECT pk, ? FROM runs WHERE id = ? ON CONFLICT DO NOTHING`;
/**
 * @refs is 1 when this put added a reference. A put by a run moves put_at to now (unless the artifact is kept for
 * good, put_at NULL); a put without one keeps it for good.
 */
export const PUT_ARTIFACT = /* sql */ `
  INSERT INTO artifacts (sha256, bytes, put_at, refs, name, tags, created_at)
  VALUES (@sha256, @bytes, @putAt, @refs, @name, @tags, @now)
  ON CONFLICT (sha256) DO UPDATE SET put_at = CASE WHEN artifacts.put_at IS NULL THEN NULL ELSE excluded.put_at END,
    refs = artifacts.refs + excluded.refs, name = coalesce(excluded.name, artifacts.name),
    tags = (SELECT json_group_array(value) FROM (
      SELECT value FROM json_each(artifacts.tags) UNION SELECT value FROM json_each(excluded.tags) ORDER BY value)),
    created_at = coalesce(artifacts.created_at, excluded.created_at)`;
/**
 * Artifacts matching the filter (each condition off when its parameter is NULL), newest first, with the ids of the
 * runs (of @tenant, when given) that reference each as a JSON array.
 */
export const LIST_ARTIFACTS = /* sql */ `
  SELECT a.sha256, a.name, a.tags, length(a.bytes) AS size, a.created_at,
    (SELECT json_group_array(r.id) FROM artifact_refs ar JOIN runs r ON r.pk = ar.run_pk
     WHERE ar.sha256 = unhex(a.sha256) AND (@tenant IS NULL OR r.tenant = @tenant)) AS runs
  FROM artifacts a
  WHERE (@sha256 IS NULL OR a.sha256 = @sha256)
    AND (@name IS NULL OR a.name = @name)
    AND (@tag IS NULL OR EXISTS (SELECT 1 FROM json_each(a.tags) WHERE value = @tag))
    AND (@runId IS NULL OR EXISTS (SELECT 1 FROM artifact_refs ar JOIN runs r ON r.pk = ar.run_pk
      WHERE r.id = @runId AND ar.sha256 = unhex(a.sha256)))
    AND (@tenant IS NULL OR EXISTS (SELECT 1 FROM artifact_refs ar JOIN runs r ON r.pk = ar.run_pk
      WHERE r.tenant = @tenant AND ar.sha256 = unhex(a.sha256)))
  ORDER BY a.created_at IS NULL, a.created_at DESC, a.sha256
  LIMIT @limit`;
export const GET_ARTIFACT = /* sql */ `SELECT bytes FROM artifacts WHERE sha256 = ?`;

// --- listing ---
export interface ListRunsShape {
  status: boolean;
  workflow: boolean;
  parentRunId: boolean;
  tenant: boolean;
  session: boolean;
  actor: boolean;
  waitingFor: boolean;
  version: boolean;
  since: boolean;
  until: boolean;
  cursor: boolean;
  sort: RunSort;
}

const LIST_FILTERS: ReadonlyArray<[Exclude<keyof ListRunsShape, "cursor" | "sort">, string]> = [
  ["status", "status = @status"],
  ["workflow", "workflow = @workflow"],
  ["parentRunId", "parent_run_id = @parentRunId"],
  ["tenant", "tenant = @tenant"],
  ["session", "session = @session"],
  ["actor", "actor = @actor"],
  ["waitingFor", "waiting_for = @waitingFor"],
  ["version", "version = @version"],
  ["since", "created_at >= @since"],
  ["until", "created_at < @until"],
];

/** Per sort: where a page continues below its cursor, and the order. */
const LIST_ORDER: Record<RunSort, { below: string; order: string }> = {
  created: { below: "pk < @cursor", order: "pk DESC" },
  updated: { below: "(updated_at, pk) < (@cursorUpdatedAt, @cursor)", order: "updated_at DESC, pk DESC" },
};

/**
 * The listRuns statement for one combination of filters and sort (each prepared once when first used). Where listSeek
 * names an index, the other equalities are written `+tenant = @tenant`: SQLite's unary plus keeps a term from choosing
 * an index, so the seek's index is the one the page is read from (without it, a tenant's listing by workflow and
 * version read runs_tenant_workflow through every newer version).
 */
export function listRunsSql(shape: ListRunsShape): string {
  const { below, order } = LIST_ORDER[shape.sort];
  const present = LIST_FILTERS.filter(([name]) => shape[name]);
  const seek = listSeek(
    shape.sort,
    present.map(([name]) => name),
  );
  const filterOnly = (name: string) => seek !== undefined && SEEK_FILTERS.has(name) && !seek.includes(name as SeekFilter);
  const where = present.map(([name, clause]) => (filterOnly(name) ? `+${clause}` : clause));
  if (shape.cursor) where.push(below);
  return `SELECT ${RUN_COLUMNS} FROM runs ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY ${order} LIMIT @limit`;
}

// --- schedules ---
const SCHEDULE_COLUMNS = `name, cron, timezone, workflow, input, catch_up, max_catch_up, paused, next_fire_at, last_fired_at,
  last_run_id, created_at, updated_at`;
/** A new schedule, or a changed definition; the next fire moves only when the cron or the time zone changed. */
export const UPSERT_SCHEDULE = /* sql */ `
  INSERT INTO schedules (name, cron, timezone, workflow, input, catch_up, max_catch_up, next_fire_at, created_at, updated_at)
  VALUES (@name, @cron, @timezone, @workflow, @input, @catchUp, @maxCatchUp, @nextFireAt, @now, @now)
  ON CONFLICT (name) DO UPDATE SET
    next_fire_at = CASE WHEN cron <> excluded.cron OR timezone <> excluded.timezone THEN excluded.next_fire_at ELSE next_fire_at END,
    cron = excluded.cron, timezone = excluded.timezone, workflow = excluded.workflow, input = excluded.input,
    catch_up = excluded.catch_up, max_catch_up = excluded.max_catch_up, updated_at = excluded.updated_at
  RETURNING ${SCHEDULE_COLUMNS}`;
export const LIST_SCHEDULES = /* sql */ `SELECT ${SCHEDULE_COLUMNS} FROM schedules ORDER BY name`;
/** Moves the next fire only from the value the firer read; no row changed means someone else fired first. */
export const FIRE_SCHEDULE = /* sql */ `
  UPDATE schedules SET next_fire_at = @nextFireAt, last_fired_at = coalesce(@lastFiredAt, last_fired_at),
    last_run_id = coalesce(@lastRunId, last_run_id), updated_at = @now
  WHERE name = @name AND next_fire_at = @expectedNextFireAt AND paused = 0`;
export const PAUSE_SCHEDULE = /* sql */ `
  UPDATE schedules SET paused = @paused, next_fire_at = coalesce(@nextFireAt, next_fire_at), updated_at = @now
  WHERE name = @name
  RETURNING ${SCHEDULE_COLUMNS}`;
// --- access to the HTTP API ---
const API_KEY_COLUMNS = `id, tenant, role, hash, name, created_at, revoked_at`;
export const INSERT_API_KEY = /* sql */ `
  INSERT INTO api_keys (id, tenant, role, hash, name, created_at) VALUES (@id, @tenant, @role, @hash, @name, @createdAt)`;
export const SELECT_API_KEY_BY_HASH = /* sql */ `SELECT ${API_KEY_COLUMNS} FROM api_keys WHERE hash = ?`;
export const LIST_API_KEYS = /* sql */ `
  SELECT ${API_KEY_COLUMNS} FROM api_keys WHERE (@tenant IS NULL OR tenant = @tenant) ORDER BY created_at, id`;
export const REVOKE_API_KEY = /* sql */ `
  UPDATE api_keys SET revoked_at = coalesce(revoked_at, @now) WHERE id = @id RETURNING ${API_KEY_COLUMNS}`;
export const INSERT_SECRET = /* sql */ `INSERT INTO secrets (name, value) VALUES (?, ?) ON CONFLICT DO NOTHING`;
export const SELECT_SECRET = /* sql */ `SELECT value FROM secrets WHERE name = ?`;
export const USE_TOKEN = /* sql */ `INSERT INTO used_tokens (id, expires_at, used_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`;

// --- retention ---
export const PRUNE_CANDIDATES = /* sql */ `
  SELECT pk, id FROM runs WHERE status = @status AND updated_at < @before
    AND (@runIds IS NULL OR id IN (SELECT value FROM json_each(@runIds)))
  ORDER BY updated_at, pk LIMIT @limit`;
export const PRUNE_UNREFERENCE = /* sql */ `
  UPDATE artifacts SET refs = refs - 1 WHERE sha256 IN (SELECT lower(hex(sha256)) FROM artifact_refs WHERE run_pk = ?)`;
export const PRUNE_ARTIFACT_REFS = /* sql */ `DELETE FROM artifact_refs WHERE run_pk = ?`;
/** Unreferenced artifacts not put by a run since the cutoff, oldest first (read from artifacts_unreferenced). */
export const COLLECT_ARTIFACTS = /* sql */ `
  DELETE FROM artifacts WHERE sha256 IN (
    SELECT sha256 FROM artifacts WHERE refs = 0 AND put_at IS NOT NULL AND put_at < @before ORDER BY put_at LIMIT @limit)
  RETURNING sha256`;
/** A row back when `owner` holds the lease now (new, expired, or already its own); kept in meta as {owner, expiresAt}. */
export const ACQUIRE_MAINTENANCE_LEASE = /* sql */ `
  INSERT INTO meta (key, value) VALUES ('lease:' || @name, json_object('owner', @owner, 'expiresAt', @expiresAt))
  ON CONFLICT (key) DO UPDATE SET value = excluded.value
  WHERE json_extract(meta.value, '$.owner') = @owner OR json_extract(meta.value, '$.expiresAt') <= @now
  RETURNING value`;
export const PRUNE_JOURNAL = /* sql */ `DELETE FROM journal WHERE run_pk = ?`;
export const PRUNE_WAITS = /* sql */ `DELETE FROM waits WHERE run_pk = ?`;
export const PRUNE_INBOX = /* sql */ `DELETE FROM inbox WHERE consumed_by = ?`;
/**
 * Unconsumed messages delivered before @before that no run of their tenant waits for. INDEXED BY: the planner would
 * walk the whole table in id order, consumed messages too (kept until their runs are pruned), at every pass.
 */
export const EXPIRE_INBOX = /* sql */ `
  DELETE FROM inbox WHERE id IN (
    SELECT i.id FROM inbox i INDEXED BY inbox_pending
    WHERE i.consumed_by IS NULL AND i.created_at < @before
      AND NOT EXISTS (SELECT 1 FROM waits w JOIN runs r ON r.pk = w.run_pk WHERE w.event_key = i.event_key AND r.tenant = i.tenant)
    ORDER BY i.id LIMIT @limit)
  RETURNING id`;
export const PRUNE_RUN = /* sql */ `DELETE FROM runs WHERE pk = ?`;

// --- the live workers registry ---
/** One upsert per announcement: a worker's row is replaced whole, its expiry moved on. */
export const ANNOUNCE_WORKER = /* sql */ `
  INSERT INTO workers (id, host, pid, started_at, workflows, pinned, any_version, concurrency, active, seen_at, expires_at)
  VALUES (@id, @host, @pid, @startedAt, @workflows, @pinned, @anyVersion, @concurrency, @active, @seenAt, @expiresAt)
  ON CONFLICT (id) DO UPDATE SET host = excluded.host, pid = excluded.pid, started_at = excluded.started_at,
    workflows = excluded.workflows, pinned = excluded.pinned, any_version = excluded.any_version,
    concurrency = excluded.concurrency, active = excluded.active, seen_at = excluded.seen_at, expires_at = excluded.expires_at`;
/** Workers whose announcement is live at @now (all of them when @all is 1), by id. */
/** Rows of workers whose announcement lapsed before @lapsedBefore (they died without retiring). */
export const DELETE_LAPSED_WORKERS = /* sql */ `DELETE FROM workers WHERE expires_at < @lapsedBefore`;
export const LIST_WORKERS = /* sql */ `
  SELECT id, host, pid, started_at, workflows, pinned, any_version, concurrency, active, seen_at, expires_at
  FROM workers WHERE @all = 1 OR expires_at > @now ORDER BY id`;
export const RETIRE_WORKER = /* sql */ `DELETE FROM workers WHERE id = ?`;
/** Unfinished runs per workflow, version and status (runs_status finds them without reading ended runs). */
export const COUNT_UNFINISHED = /* sql */ `
  SELECT workflow, version, status, count(*) AS n FROM runs WHERE status IN ('queued', 'running', 'waiting')
  GROUP BY workflow, version, status`;
