// Every statement the SQLite store runs, in one place. Values are always bound parameters; the only SQL built
// at runtime is listRuns' WHERE clause, assembled from the constant fragments below.

// The last seq is read from the journal's primary key (one index seek), not stored in runs: a step then writes
// only journal rows, which halves the pages each commit writes.
const LAST_SEQ = `(SELECT max(seq) FROM journal WHERE run_pk = runs.pk)`;
const RUN_COLUMNS = `pk, id, workflow, version, tenant, status, parent_run_id, idempotency_key, created_at, updated_at,
  ready_at, ${LAST_SEQ} AS last_seq, cancel_requested, lease_owner, lease_epoch`;

export const SELECT_RUN = /* sql */ `SELECT ${RUN_COLUMNS} FROM runs WHERE id = ?`;
export const SELECT_RUN_BY_IDEMPOTENCY_KEY = /* sql */ `SELECT ${RUN_COLUMNS} FROM runs WHERE tenant = ? AND idempotency_key = ?`;
export const SELECT_HEAD = /* sql */ `SELECT ${LAST_SEQ} AS last_seq FROM runs WHERE id = ?`;

export const INSERT_RUN = /* sql */ `
  INSERT INTO runs (id, workflow, version, tenant, status, parent_run_id, idempotency_key, created_at, updated_at,
    ready_at)
  VALUES (@id, @workflow, @version, @tenant, 'queued', @parentRunId, @idempotencyKey, @now, @now, @readyAt)`;

// --- journal ---
export const INSERT_EVENT = /* sql */ `INSERT INTO journal (run_pk, seq, type, at, data) VALUES (?, ?, ?, ?, ?)`;
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
export const INSERT_MESSAGE = /* sql */ `INSERT INTO inbox (event_key, tenant, payload, created_at) VALUES (?, ?, ?, ?)`;
export const CONSUME_MESSAGE = /* sql */ `
  UPDATE inbox SET consumed_by = ?, consumed_at = ? WHERE id = ? AND consumed_by IS NULL`;
/** Wakes the waiting runs with an open wait on a key; an earlier due time is kept. */
export const WAKE_WAITERS = /* sql */ `
  UPDATE runs SET ready_at = min(coalesce(ready_at, @now), @now), updated_at = @now
  WHERE status = 'waiting' AND tenant = @tenant AND pk IN (SELECT run_pk FROM waits WHERE event_key = @eventKey)
  RETURNING pk, id`;
export const PEEK_INBOX = /* sql */ `
  SELECT id, event_key, tenant, payload, created_at FROM inbox
  WHERE event_key = @eventKey AND consumed_by IS NULL AND (@tenant IS NULL OR tenant = @tenant) ORDER BY id LIMIT 1`;
export const LIST_INBOX = /* sql */ `
  SELECT id, event_key, tenant, payload, created_at FROM inbox
  WHERE consumed_by IS NULL AND (@tenant IS NULL OR tenant = @tenant) ORDER BY id LIMIT @limit`;

// --- leases ---
/** The most overdue claimable runs; CLAIM_DUE_RUN then leases each inside the same write transaction. */
export const SELECT_DUE = /* sql */ `
  SELECT pk FROM runs
  WHERE ready_at <= @now AND +workflow IN (SELECT value FROM json_each(@workflows))
  ORDER BY ready_at, pk LIMIT @limit`;
export const CLAIM_DUE_RUN = /* sql */ `
  UPDATE runs SET status = 'running', lease_owner = @workerId, lease_epoch = lease_epoch + 1,
    ready_at = @expiresAt, updated_at = @now
  WHERE pk = @pk
  RETURNING pk, id, workflow, lease_epoch, ready_at`;
export const CLAIM_RUN = /* sql */ `
  UPDATE runs SET status = 'running', lease_owner = @workerId, lease_epoch = lease_epoch + 1,
    ready_at = @expiresAt, updated_at = @now
  WHERE id = @id AND status NOT IN ('completed', 'failed', 'cancelled') AND (status <> 'running' OR ready_at <= @now)
  RETURNING pk, id, workflow, lease_epoch, ready_at`;
export const HEARTBEAT = /* sql */ `
  UPDATE runs SET ready_at = @expiresAt
  WHERE id = @id AND status = 'running' AND lease_owner = @workerId AND lease_epoch = @epoch AND ready_at > @now
  RETURNING cancel_requested`;
export const NEXT_READY_AT = /* sql */ `
  SELECT ready_at FROM runs
  WHERE ready_at IS NOT NULL AND +workflow IN (SELECT value FROM json_each(?))
  ORDER BY ready_at LIMIT 1`;
export const REQUEST_CANCEL = /* sql */ `
  UPDATE runs SET cancel_requested = coalesce(cancel_requested, @reason), updated_at = @now,
    ready_at = CASE WHEN status IN ('waiting', 'queued') THEN min(coalesce(ready_at, @now), @now) ELSE ready_at END
  WHERE pk = @pk
  RETURNING ${RUN_COLUMNS}`;

// --- artifacts ---
export const PUT_ARTIFACT = /* sql */ `INSERT INTO artifacts (sha256, bytes) VALUES (?, ?) ON CONFLICT DO NOTHING`;
export const GET_ARTIFACT = /* sql */ `SELECT bytes FROM artifacts WHERE sha256 = ?`;

// --- listing ---
export interface ListRunsShape {
  status: boolean;
  workflow: boolean;
  parentRunId: boolean;
  tenant: boolean;
  cursor: boolean;
}

const LIST_FILTERS: ReadonlyArray<[keyof ListRunsShape, string]> = [
  ["status", "status = @status"],
  ["workflow", "workflow = @workflow"],
  ["parentRunId", "parent_run_id = @parentRunId"],
  ["tenant", "tenant = @tenant"],
  ["cursor", "pk < @cursor"],
];

/** The listRuns statement for one combination of filters (32 at most, each prepared once). */
export function listRunsSql(shape: ListRunsShape): string {
  const where = LIST_FILTERS.filter(([name]) => shape[name]).map(([, clause]) => clause);
  return `SELECT ${RUN_COLUMNS} FROM runs ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY pk DESC LIMIT @limit`;
}

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
