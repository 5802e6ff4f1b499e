// Every statement the PostgreSQL store runs, in one place. Values are always bound parameters ($1, $2, … in the
// order each comment lists); the only text spliced in is the store's schema name, checked against SCHEMA_NAME and
// quoted, and listRuns' WHERE clause, assembled from the constant fragments below. Each statement has a name, so a
// connection parses and plans it once.
import type { QueryConfig } from "pg";

/** The last seq is read from the journal's primary key (one index seek), not stored in runs: a step writes only journal rows. */
const lastSeq = (s: string) => `(SELECT max(seq) FROM ${s}.journal WHERE run_pk = runs.pk)`;
const runColumns = (s: string) => `pk, id, workflow, version, tenant, status, parent_run_id, idempotency_key, created_at, updated_at,
  ready_at, ${lastSeq(s)} AS last_seq, cancel_requested, lease_owner, lease_epoch`;
const TERMINAL = `('completed', 'failed', 'cancelled')`;

/** The channel a store notifies when it makes a run claimable now; the payload is the schema's name. */
export const READY_CHANNEL = "duro_ready";
export const LISTEN_READY = `LISTEN ${READY_CHANNEL}`;

function statements(s: string) {
  const runs = `${s}.runs`;
  return {
    // --- runs ---
    /** $1 id */
    selectRun: `SELECT ${runColumns(s)} FROM ${runs} WHERE id = $1`,
    /** $1 tenant, $2 idempotency key */
    selectRunByIdempotencyKey: `SELECT ${runColumns(s)} FROM ${runs} WHERE tenant = $1 AND idempotency_key = $2`,
    /** $1 id. Locks the row until the transaction ends: appends, releases and deliveries to one run take turns here. */
    lockRun: `SELECT pk, id, status, ready_at, cancel_requested, lease_owner, lease_epoch FROM ${runs} WHERE id = $1 FOR UPDATE`,
    /**
     * $1 run pk. A statement of its own, after lockRun: under READ COMMITTED it sees every append committed while this
     * transaction waited for the lock, which a subquery inside lockRun (evaluated on the older snapshot) would not.
     */
    lastSeq: `SELECT coalesce(max(seq), 0) AS last_seq FROM ${s}.journal WHERE run_pk = $1`,
    /** $1 id */
    selectHead: `SELECT ${lastSeq(s)} AS last_seq FROM ${runs} WHERE id = $1`,
    /**
     * $1 id, $2 workflow, $3 version, $4 tenant, $5 parent run id, $6 idempotency key, $7 now, $8 ready at, $9 run_created data,
     * $10 schema name. One statement, so atomic without BEGIN; returns no row when the id or the (tenant, idempotency key)
     * exists. ON CONFLICT waits for a concurrent insert of the same key to commit, so concurrent starts create exactly one
     * run. A created run notifies listeners (see notifyReady).
     */
    insertRun: `
      WITH run AS (
        INSERT INTO ${runs} (id, workflow, version, tenant, status, parent_run_id, idempotency_key, created_at, updated_at, ready_at)
        VALUES ($1, $2, $3, $4, 'queued', $5, $6, $7, $7, $8)
        ON CONFLICT DO NOTHING
        RETURNING pk
      )
      INSERT INTO ${s}.journal (run_pk, seq, type, at, data) SELECT pk, 1, 'run_created', $7, $9 FROM run
      RETURNING run_pk, pg_notify('${READY_CHANNEL}', $10)`,

    // --- journal ---
    /** $1 run pk, $2 expected seq, $3 now, $4 types, $5 data: one multi-row insert, seqs $2 + 1, $2 + 2, … */
    insertEvents: `
      INSERT INTO ${s}.journal (run_pk, seq, type, at, data)
      SELECT $1, $2::integer + e.n, e.type, $3, e.data FROM unnest($4::text[], $5::text[]) WITH ORDINALITY AS e(type, data, n)`,
    /** $1 id, $2 from seq */
    readJournal: `
      SELECT seq, type, at, data FROM ${s}.journal
      WHERE run_pk = (SELECT pk FROM ${runs} WHERE id = $1) AND seq >= $2
      ORDER BY seq`,

    // --- run state after an append; the hot path (a step while running) does not write the runs row at all ---
    /** $1 status, $2 now, $3 pk */
    endRun: `
      UPDATE ${runs} SET status = $1, ready_at = NULL, lease_owner = NULL, cancel_requested = NULL, updated_at = $2
      WHERE pk = $3`,
    /** $1 status, $2 ready at, $3 now, $4 pk. Leaves `running` without ending (suspend, release). */
    stopRun: `UPDATE ${runs} SET status = $1, ready_at = $2, lease_owner = NULL, updated_at = $3 WHERE pk = $4`,

    // --- waits ---
    /** $1 run pk, $2 key, $3 seq, $4 kind, $5 event key, $6 spec */
    upsertWait: `
      INSERT INTO ${s}.waits (run_pk, key, seq, kind, event_key, spec) VALUES ($1, $2, $3, $4, $5, $6)
      ON CONFLICT (run_pk, key) DO UPDATE SET seq = EXCLUDED.seq, kind = EXCLUDED.kind, event_key = EXCLUDED.event_key,
        spec = EXCLUDED.spec`,
    /** $1 run pk, $2 key */
    deleteWait: `DELETE FROM ${s}.waits WHERE run_pk = $1 AND key = $2`,
    /** $1 run pk */
    deleteRunWaits: `DELETE FROM ${s}.waits WHERE run_pk = $1`,
    /**
     * $1 schema name, $2 run pk (or null), $3 more event keys. Takes a transaction-scoped advisory lock per event key
     * (the run's open waits' and the given ones), in one global order so two takers never deadlock. A delivery and a
     * suspend on the same key take turns: whichever comes second sees the other's committed rows (READ COMMITTED reads
     * a fresh snapshot per statement), so a message sent while a run suspends always wakes it.
     */
    lockEventKeys: `
      SELECT pg_advisory_xact_lock(hashtext($1), hashtext(k)) FROM (
        SELECT k FROM (
          SELECT event_key AS k FROM ${s}.waits WHERE run_pk = $2 AND event_key IS NOT NULL
          UNION SELECT unnest($3::text[])
        ) keys ORDER BY k COLLATE "C"
      ) ordered`,
    /** $1 run pk */
    hasPendingMessage: `
      SELECT EXISTS (
        SELECT 1 FROM ${s}.waits w JOIN ${s}.inbox i ON i.event_key = w.event_key AND i.consumed_by IS NULL
        WHERE w.run_pk = $1
      ) AS pending`,
    /** $1 run id */
    openWaitsOfRun: `
      SELECT r.id AS run_id, w.key, w.spec FROM ${s}.waits w JOIN ${runs} r ON r.pk = w.run_pk
      WHERE r.id = $1 ORDER BY w.seq`,
    /** $1 event key */
    openWaitsOnKey: `
      SELECT r.id AS run_id, w.key, w.spec FROM ${s}.waits w JOIN ${runs} r ON r.pk = w.run_pk
      WHERE w.event_key = $1 ORDER BY w.run_pk, w.seq`,

    // --- inbox ---
    /** $1 event key, $2 tenant, $3 payload, $4 now */
    insertMessage: `INSERT INTO ${s}.inbox (event_key, tenant, payload, created_at) VALUES ($1, $2, $3, $4) RETURNING id`,
    /** $1 run pk, $2 now, $3 message ids. Returns the ids it took; a row another commit took first is not among them. */
    consumeMessages: `
      UPDATE ${s}.inbox SET consumed_by = $1, consumed_at = $2
      WHERE id = ANY($3::bigint[]) AND consumed_by IS NULL
      RETURNING id`,
    /** $1 now, $2 event key. Wakes the waiting runs with an open wait on the key; an earlier due time is kept. */
    wakeWaiters: `
      UPDATE ${runs} SET ready_at = LEAST(coalesce(ready_at, $1), $1), updated_at = $1
      WHERE status = 'waiting' AND pk IN (SELECT run_pk FROM ${s}.waits WHERE event_key = $2)
      RETURNING pk, id`,
    /** $1 event key */
    peekInbox: `
      SELECT id, event_key, tenant, payload, created_at FROM ${s}.inbox
      WHERE event_key = $1 AND consumed_by IS NULL ORDER BY id LIMIT 1`,
    /** $1 tenant (or null), $2 limit */
    listInbox: `
      SELECT id, event_key, tenant, payload, created_at FROM ${s}.inbox
      WHERE consumed_by IS NULL AND ($1::text IS NULL OR tenant = $1) ORDER BY id LIMIT $2`,

    // --- leases ---
    /**
     * $1 now, $2 workflows, $3 limit, $4 worker id, $5 lease expiry. The most overdue claimable runs, leased in one
     * statement; SKIP LOCKED lets concurrent claimers take disjoint runs instead of queueing behind each other, and a
     * row claimed meanwhile is re-checked on its new version (its ready_at is then the new lease's expiry) and dropped.
     * RETURNING has no order, so `due_at` (the ready_at it was claimed at) lets the caller restore it.
     */
    claimDue: `
      WITH due AS MATERIALIZED (
        SELECT pk, ready_at FROM ${runs}
        WHERE ready_at <= $1 AND workflow = ANY($2::text[])
        ORDER BY ready_at, pk LIMIT $3
        FOR UPDATE SKIP LOCKED
      )
      UPDATE ${runs} AS runs SET status = 'running', lease_owner = $4, lease_epoch = runs.lease_epoch + 1, ready_at = $5,
        updated_at = $1
      FROM due WHERE runs.pk = due.pk
      RETURNING runs.pk, runs.id, runs.workflow, runs.lease_epoch, runs.ready_at, due.ready_at AS due_at`,
    /** $1 id, $2 now, $3 worker id, $4 lease expiry */
    claimRun: `
      UPDATE ${runs} SET status = 'running', lease_owner = $3, lease_epoch = lease_epoch + 1, ready_at = $4, updated_at = $2
      WHERE id = $1 AND status NOT IN ${TERMINAL} AND (status <> 'running' OR ready_at <= $2)
      RETURNING pk, id, workflow, lease_epoch, ready_at`,
    /** $1 id, $2 worker id, $3 epoch, $4 now, $5 new expiry */
    heartbeat: `
      UPDATE ${runs} SET ready_at = $5
      WHERE id = $1 AND status = 'running' AND lease_owner = $2 AND lease_epoch = $3 AND ready_at > $4
      RETURNING cancel_requested`,
    /** $1 workflows */
    nextReadyAt: `
      SELECT ready_at FROM ${runs}
      WHERE ready_at IS NOT NULL AND workflow = ANY($1::text[])
      ORDER BY ready_at LIMIT 1`,
    /** $1 id, $2 reason, $3 now. No row when the run is unknown or ended. */
    requestCancel: `
      UPDATE ${runs} SET cancel_requested = coalesce(cancel_requested, $2), updated_at = $3,
        ready_at = CASE WHEN status IN ('waiting', 'queued') THEN LEAST(coalesce(ready_at, $3), $3) ELSE ready_at END
      WHERE id = $1 AND status NOT IN ${TERMINAL}
      RETURNING ${runColumns(s)}`,

    /**
     * $1 schema name. Tells listening workers (LISTEN duro_ready) that a run of this schema became claimable now.
     * PostgreSQL sends it when the transaction commits, and never if it rolls back. A hint only: workers still poll.
     */
    notifyReady: `SELECT pg_notify('${READY_CHANNEL}', $1)`,

    // --- artifacts ---
    /** $1 sha256, $2 bytes */
    putArtifact: `INSERT INTO ${s}.artifacts (sha256, bytes) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
    /** $1 sha256 */
    getArtifact: `SELECT bytes FROM ${s}.artifacts WHERE sha256 = $1`,
  };
}

export type StatementName = keyof ReturnType<typeof statements>;
export type Queries = Record<StatementName, { name: string; text: string }>;

/** The statements for one (quoted) schema, each named so pg prepares it once per connection. */
export function postgresQueries(quotedSchema: string): Queries {
  const texts = statements(quotedSchema);
  const named = {} as Queries;
  for (const key of Object.keys(texts) as StatementName[]) named[key] = { name: `duro_${key}`, text: texts[key] };
  return named;
}

// --- listing ---
export interface ListRunsParams {
  status?: string | undefined;
  workflow?: string | undefined;
  parentRunId?: string | undefined;
  tenant?: string | undefined;
  /** List below this pk. */
  cursor?: number | undefined;
  limit: number;
}

const LIST_FILTERS: ReadonlyArray<[Exclude<keyof ListRunsParams, "limit">, string]> = [
  ["status", "status = "],
  ["workflow", "workflow = "],
  ["parentRunId", "parent_run_id = "],
  ["tenant", "tenant = "],
  ["cursor", "pk < "],
];

/** The listRuns statement for the filters given (32 shapes at most, each named and so prepared once per connection). */
export function listRunsQuery(quotedSchema: string, params: ListRunsParams): QueryConfig<Array<string | number>> {
  const values: Array<string | number> = [];
  const where: string[] = [];
  const shape: string[] = [];
  for (const [name, clause] of LIST_FILTERS) {
    const value = params[name];
    if (value === undefined) continue;
    values.push(value);
    where.push(`${clause}$${values.length}`);
    shape.push(name);
  }
  values.push(params.limit);
  return {
    name: `duro_listRuns_${shape.join("_") || "all"}`,
    text: `SELECT ${runColumns(quotedSchema)} FROM ${quotedSchema}.runs ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
      ORDER BY pk DESC LIMIT $${values.length}`,
    values,
  };
}
