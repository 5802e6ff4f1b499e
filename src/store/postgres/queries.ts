// Every statement the PostgreSQL store sends, in one place (the write path's server-side functions, which they call,
// are in schema.ts). Values are always bound parameters ($1, $2, … in the order each comment lists); the only text
// spliced in is the store's schema name, checked against SCHEMA_NAME and quoted, and listRuns' WHERE clause, assembled
// from the constant fragments below. Each statement has a name, so a connection parses and plans it once; listRuns'
// statements are the exception (see listRunsQuery).
import { internalError } from "../../core/index.js";
import type { RunSort } from "../contract/runs.js";
import { type ListPosition, listSeek, type SeekFilter } from "../paging.js";
import { pgDriver } from "./driver.js";

/** The last seq is read from the journal's primary key (one index seek), not stored in runs: a step writes only journal rows. */
const lastSeq = (s: string) => `(SELECT max(seq) FROM ${s}.journal WHERE run_pk = runs.pk)`;
const runColumns = (s: string) => `pk, id, workflow, version, tenant, status, parent_run_id, idempotency_key, created_at, updated_at,
  ready_at, ${lastSeq(s)} AS last_seq, cancel_requested, lease_owner, lease_epoch, queue, concurrency_key, priority, admitted_at,
  session, actor, waiting_for, cancel_attribution`;
const TERMINAL = `('completed', 'failed', 'cancelled')`;
/** A run waiting for its queue to admit it; matches the predicate of the runs_pending index. */
const PENDING = `queue IS NOT NULL AND admitted_at IS NULL AND status = 'queued'`;
/** An admitted run holding its queue slot; matches the predicate of the runs_active index. */
const ACTIVE = `admitted_at IS NOT NULL AND status IN ('queued', 'running', 'waiting')`;
/**
 * Version pinning (ClaimRequest.versions, bound as jsonb `{ workflow: [versions…] }`, `{}` pinning nothing): a run of a
 * workflow named there only in those versions, any other in any version. A filter inside the claim's own statements.
 */
const versionHeld = (p: string) => `(NOT (${p}::jsonb ? workflow) OR (${p}::jsonb -> workflow) ? version)`;

/**
 * Joined into lease statements (claims, heartbeats) so that their commit does not wait for the WAL flush. Safe: the
 * lease holder writes nothing but fenced appends, which commit synchronously and so flush the WAL up to and past
 * the lease (it is written in order). A server crash before that loses only a lease nobody wrote under yet, and the
 * run is claimed again. Saves an fsync on every claim, which is on the path from a signal to the resumed step.
 */
const ASYNC_COMMIT = `(SELECT set_config('synchronous_commit', 'off', true)) AS async_commit`;

/** The channel a store notifies when it makes a run claimable now; the payload is the schema's name. */
export const READY_CHANNEL = "duro_ready";
export const LISTEN_READY = `LISTEN ${READY_CHANNEL}`;

const SCHEDULE_COLUMNS = `name, cron, timezone, workflow, input, catch_up, max_catch_up, paused, next_fire_at, last_fired_at,
  last_run_id, created_at, updated_at`;

function statements(s: string) {
  const runs = `${s}.runs`;
  return {
    // --- runs ---
    /** $1 id */
    selectRun: `SELECT ${runColumns(s)} FROM ${runs} WHERE id = $1`,
    /** $1 tenant, $2 idempotency key */
    selectRunByIdempotencyKey: `SELECT ${runColumns(s)} FROM ${runs} WHERE tenant = $1 AND idempotency_key = $2`,
    /** $1 id */
    selectHead: `SELECT ${lastSeq(s)} AS last_seq FROM ${runs} WHERE id = $1`,
    /**
     * $1 id, $2 workflow, $3 version, $4 tenant, $5 parent run id, $6 idempotency key, $7 now, $8 ready at, $9 run_created data,
     * $10 schema name, $11 queue, $12 concurrency key, $13 priority, $14 admit at, $15 session, $16 actor. One statement, so atomic without BEGIN;
     * returns no row when the id or the (tenant, idempotency key) exists. ON CONFLICT waits for a concurrent insert of the
     * same key to commit, so concurrent starts create exactly one run. A created run notifies listeners (see notifyReady);
     * a run's queue is created without limits if it is new.
     */
    insertRun: `
      WITH run AS (
        INSERT INTO ${runs} (id, workflow, version, tenant, status, parent_run_id, idempotency_key, created_at, updated_at, ready_at,
          queue, concurrency_key, priority, admit_at, session, actor)
        VALUES ($1, $2, $3, $4, 'queued', $5, $6, $7, $7, $8, $11, $12, $13, $14, $15, $16)
        ON CONFLICT DO NOTHING
        RETURNING pk, queue
      ), queue AS (
        INSERT INTO ${s}.queues (name, updated_at) SELECT queue, $7 FROM run WHERE queue IS NOT NULL ON CONFLICT DO NOTHING
      )
      INSERT INTO ${s}.journal (run_pk, seq, type, at, data, hash)
      SELECT pk, e.n::integer, e.ev->>0, $7, e.ev->>1, e.ev->>2 FROM run, jsonb_array_elements($9::jsonb) WITH ORDINALITY AS e(ev, n)
      ORDER BY e.n
      RETURNING run_pk, pg_notify('${READY_CHANNEL}', $10)`,

    // --- journal ---
    /**
     * $1 schema name, $2 now, $3 items (jsonb), $4 their run ids, $5 ids of runs suspending, $6 event keys to lock:
     * appends and releases of any runs in one statement, so one round trip and one commit (append_batch in schema.ts).
     */
    appendBatch: `
      SELECT outcome, head, cancel, run_status, run_owner, run_epoch, run_ready_at, conflict_id
      FROM ${s}.append_batch($1, $2, $3::jsonb, $4::text[], $5::text[], $6::text[])`,
    /**
     * $1 now, $2 run id, $3 lease run id, $4 worker id, $5 epoch, $6 expected seq, $7 event types, $8 event data: a lone
     * run's plain append (append_steps in schema.ts), one row in appendBatch's shape.
     */
    appendSteps: `
      SELECT outcome, head, cancel, run_status, run_owner, run_epoch, run_ready_at, conflict_id
      FROM ${s}.append_steps($1, $2, $3, $4, $5, $6, $7::text[], $8::text[])`,
    /**
     * $1 run ids wanted as records, $2 run ids wanted as journals, $3 their from seqs (see reads.ts): records as part 0,
     * events as part 1, each with its request's position n, in one statement and so one snapshot.
     */
    readMany: `
      SELECT 0 AS part, q.n, ${runColumns(s)},
        NULL::integer AS seq, NULL::text AS type, NULL::bigint AS at, NULL::text AS data
      FROM unnest($1::text[]) WITH ORDINALITY AS q(run_id, n) JOIN ${runs} ON runs.id = q.run_id
      UNION ALL
      SELECT 1, q.n, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
        NULL, NULL, NULL::integer, NULL::bigint, NULL::text, NULL::text, NULL::text, NULL::text,
        j.seq, j.type, j.at, j.data
      FROM unnest($2::text[], $3::integer[]) WITH ORDINALITY AS q(run_id, from_seq, n)
      JOIN ${runs} r ON r.id = q.run_id JOIN ${s}.journal j ON j.run_pk = r.pk AND j.seq >= q.from_seq
      ORDER BY part, n, seq`,
    /** $1 id, $2 from seq */
    readJournal: `
      SELECT seq, type, at, data FROM ${s}.journal
      WHERE run_pk = (SELECT pk FROM ${runs} WHERE id = $1) AND seq >= $2
      ORDER BY seq`,

    /**
     * $1 status, $2 updated before, $3 limit, $4 only these run ids (or NULL): one bounded batch of retention, oldest
     * first. SKIP LOCKED: two pruners take disjoint runs instead of waiting for each other.
     */
    pruneRuns: `
      WITH doomed AS (
        SELECT pk, id FROM ${runs} WHERE status = $1 AND updated_at < $2 AND ($4::text[] IS NULL OR id = ANY($4::text[]))
        ORDER BY updated_at, pk LIMIT $3 FOR UPDATE SKIP LOCKED
      ), journal AS (
        DELETE FROM ${s}.journal WHERE run_pk IN (SELECT pk FROM doomed)
      ), waits AS (
        DELETE FROM ${s}.waits WHERE run_pk IN (SELECT pk FROM doomed)
      ), inbox AS (
        DELETE FROM ${s}.inbox WHERE consumed_by IN (SELECT pk FROM doomed)
      ), refs AS (
        DELETE FROM ${s}.artifact_refs WHERE run_pk IN (SELECT pk FROM doomed) RETURNING sha256
      ), unreferenced AS (
        UPDATE ${s}.artifacts a SET refs = a.refs - r.n
        FROM (SELECT sha256, count(*) AS n FROM refs GROUP BY sha256) r WHERE a.sha256 = r.sha256
      )
      DELETE FROM ${runs} WHERE pk IN (SELECT pk FROM doomed) RETURNING pk, id, updated_at`,
    /** $1 status, $2 updated before, $3 limit, $4 only these run ids (or NULL): the runs pruneRuns would take, oldest first */
    findPrunable: `
      SELECT id FROM ${runs} WHERE status = $1 AND updated_at < $2 AND ($4::text[] IS NULL OR id = ANY($4::text[]))
      ORDER BY updated_at, pk LIMIT $3`,
    /**
     * $1 put before, $2 limit: deletes artifacts no run references any more and no run put since the cutoff (found
     * through artifacts_unreferenced). The row lock re-checks both conditions on the row's latest version, so a put or
     * a reference that committed after this statement's snapshot keeps the artifact; SKIP LOCKED leaves alone a row a
     * put is writing (it is then referenced, or was just put).
     */
    collectArtifacts: `
      DELETE FROM ${s}.artifacts WHERE sha256 IN (
        SELECT sha256 FROM ${s}.artifacts WHERE refs = 0 AND put_at IS NOT NULL AND put_at < $1
        ORDER BY put_at LIMIT $2 FOR UPDATE SKIP LOCKED)
      AND refs = 0 AND put_at < $1
      RETURNING sha256`,
    /**
     * $1 before, $2 limit: unconsumed messages delivered before $1 that no run of their tenant waits for. The outer
     * consumed_by test is re-checked on a row a concurrent append consumed meanwhile, so a taken message stays. No
     * ORDER BY: ordering by id makes the planner walk the primary key through every consumed message (137 ms for
     * 300k of them, against 0.2 ms through inbox_pending).
     */
    expireInbox: `
      DELETE FROM ${s}.inbox WHERE id IN (
        SELECT i.id FROM ${s}.inbox i
        WHERE i.consumed_by IS NULL AND i.created_at < $1
          AND NOT EXISTS (
            SELECT 1 FROM ${s}.waits w JOIN ${s}.runs r ON r.pk = w.run_pk WHERE w.event_key = i.event_key AND r.tenant = i.tenant)
        LIMIT $2 FOR UPDATE SKIP LOCKED)
      AND consumed_by IS NULL
      RETURNING id`,
    /** $1 name, $2 owner, $3 expires at, $4 now: a row back when the owner holds the lease now */
    acquireMaintenanceLease: `
      INSERT INTO ${s}.maintenance_leases AS m (name, owner, expires_at) VALUES ($1, $2, $3)
      ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
      WHERE m.owner = excluded.owner OR m.expires_at <= $4
      RETURNING owner`,
    /** When the chain began (epoch ms, as text): runs created after it have a hash on every event */
    readChainSince: `SELECT value FROM ${s}.meta WHERE key = 'chain_since'`,
    /** $1 id: the journal as stored, with its chain hashes (chain.ts) */
    readChain: `
      SELECT seq, type, at, data, hash FROM ${s}.journal
      WHERE run_pk = (SELECT pk FROM ${runs} WHERE id = $1)
      ORDER BY seq`,

    // --- waits ---
    /** $1 run id */
    openWaitsOfRun: `
      SELECT r.id AS run_id, w.key, w.spec FROM ${s}.waits w JOIN ${runs} r ON r.pk = w.run_pk
      WHERE r.id = $1 ORDER BY w.seq`,
    /** $1 event key */
    openWaitsOnKey: `
      SELECT r.id AS run_id, w.key, w.spec FROM ${s}.waits w JOIN ${runs} r ON r.pk = w.run_pk
      WHERE w.event_key = $1 ORDER BY w.run_pk, w.seq`,

    // --- inbox ---
    /** $1 schema name, $2 now, $3 event key, $4 tenant, $5 payload, $6 attribution JSON or null (see deliver_attributed in schema.ts). */
    deliver: `SELECT message_id, woke_run_ids FROM ${s}.deliver_attributed($1, $2, $3, $4, $5, $6)`,
    /** $1 event key, $2 tenant (or null) */
    peekInbox: `
      SELECT id, event_key, tenant, payload, created_at, attribution FROM ${s}.inbox
      WHERE event_key = $1 AND consumed_by IS NULL AND ($2::text IS NULL OR tenant = $2) ORDER BY id LIMIT 1`,
    /** $1 tenant (or null), $2 limit */
    listInbox: `
      SELECT id, event_key, tenant, payload, created_at, attribution FROM ${s}.inbox
      WHERE consumed_by IS NULL AND ($1::text IS NULL OR tenant = $1) ORDER BY id LIMIT $2`,

    // --- leases ---
    /**
     * $1 now, $2 workflows, $3 limit, $4 worker id, $5 lease expiry, $6 versions (versionHeld), $7 lease holder. The most overdue claimable runs, leased in one
     * statement; SKIP LOCKED lets concurrent claimers take disjoint runs instead of queueing behind each other, and a
     * row claimed meanwhile is re-checked on its new version (its ready_at is then the new lease's expiry) and dropped.
     * Each workflow's candidates come from runs_claimable in claim order, so a claim reads about `limit` rows per
     * workflow whatever the history holds (rows a workflow offers beyond the overall limit stay locked, unclaimed,
     * until this statement commits). RETURNING has no order, so `due_at` (the ready_at it was claimed at) lets the
     * caller restore it.
     */
    claimDue: `
      WITH due AS MATERIALIZED (
        SELECT c.pk, c.ready_at FROM (SELECT DISTINCT unnest($2::text[])) AS w(name)
        CROSS JOIN LATERAL (
          SELECT pk, ready_at FROM ${runs}
          WHERE workflow = w.name AND ready_at <= $1 AND ${versionHeld("$6")}
          ORDER BY ready_at, pk LIMIT $3
          FOR UPDATE SKIP LOCKED
        ) c
        ORDER BY c.ready_at, c.pk LIMIT $3
      )
      UPDATE ${runs} AS runs SET status = 'running', lease_owner = $4, lease_epoch = runs.lease_epoch + 1, ready_at = $5,
        updated_at = $1, lease_holder = $7
      FROM due, ${ASYNC_COMMIT} WHERE runs.pk = due.pk
      RETURNING runs.pk, runs.id, runs.workflow, runs.lease_epoch, runs.ready_at, due.ready_at AS due_at`,
    /** $1 id, $2 now, $3 worker id, $4 lease expiry, $5 versions (versionHeld), $6 lease holder */
    claimRun: `
      UPDATE ${runs} SET status = 'running', lease_owner = $3, lease_epoch = lease_epoch + 1, ready_at = $4, updated_at = $2,
        lease_holder = $6
      FROM ${ASYNC_COMMIT}
      WHERE id = $1 AND status NOT IN ${TERMINAL} AND (status <> 'running' OR ready_at <= $2) AND NOT (${PENDING})
        AND ${versionHeld("$5")}
      RETURNING pk, id, workflow, lease_epoch, ready_at`,
    /**
     * $1 now, $2 run id, $3 holder's host id, $4 workflows, $5 limit (each filter NULL for none). Unexpired leases of
     * running runs; running runs are few (bounded by the live workers' concurrency), read through runs_status.
     */
    heldLeases: `
      SELECT id, workflow, lease_owner, lease_epoch, ready_at, lease_holder FROM ${runs}
      WHERE status = 'running' AND ready_at > $1 AND ($2::text IS NULL OR id = $2)
        AND ($3::text IS NULL OR (lease_holder::jsonb)->>'hostId' = $3) AND ($4::text[] IS NULL OR workflow = ANY($4::text[]))
      ORDER BY id LIMIT $5`,
    /** $1 id, $2 worker id, $3 epoch, $4 now. Ends a lease now, only if it is still exactly this one (fence.ts). */
    breakLease: `
      UPDATE ${runs} SET ready_at = $4, updated_at = $4
      WHERE id = $1 AND status = 'running' AND lease_owner = $2 AND lease_epoch = $3 AND ready_at > $4
      RETURNING id`,
    /** $1 id, $2 worker id, $3 epoch, $4 now, $5 new expiry */
    heartbeat: `
      UPDATE ${runs} SET ready_at = $5
      FROM ${ASYNC_COMMIT}
      WHERE id = $1 AND status = 'running' AND lease_owner = $2 AND lease_epoch = $3 AND ready_at > $4
      RETURNING cancel_requested`,
    /**
     * $1 workflows, $2 versions (versionHeld). One probe of runs_claimable per workflow; ready_at is NULL when none of
     * them has an unfinished run.
     */
    nextReadyAt: `
      SELECT min(first.ready_at) AS ready_at FROM (SELECT DISTINCT unnest($1::text[])) AS w(name)
      CROSS JOIN LATERAL (
        SELECT ready_at FROM ${runs} WHERE workflow = w.name AND ready_at IS NOT NULL AND ${versionHeld("$2")}
        ORDER BY ready_at LIMIT 1
      ) first`,
    /** $1 id, $2 reason, $3 now, $4 attribution JSON or null. No row when the run is unknown or ended. */
    requestCancel: `
      UPDATE ${runs} SET cancel_attribution = CASE WHEN cancel_requested IS NULL THEN $4 ELSE cancel_attribution END,
        cancel_requested = coalesce(cancel_requested, $2), updated_at = $3,
        ready_at = CASE WHEN status IN ('waiting', 'queued') THEN LEAST(coalesce(ready_at, $3), $3) ELSE ready_at END
      WHERE id = $1 AND status NOT IN ${TERMINAL}
      RETURNING ${runColumns(s)}`,

    /**
     * $1 schema name. Tells listening workers (LISTEN duro_ready) that a run of this schema became claimable now.
     * PostgreSQL sends it when the transaction commits, and never if it rolls back. A hint only: workers still poll.
     */
    notifyReady: `SELECT pg_notify('${READY_CHANNEL}', $1)`,

    // --- queues (see queues.ts) ---
    /** $1 name, $2 concurrency, $3 key concurrency, $4 rate limit, $5 rate period ms, $6 now */
    upsertQueue: `
      INSERT INTO ${s}.queues (name, concurrency, key_concurrency, rate_limit, rate_period_ms, updated_at)
      VALUES ($1, $2, $3, $4, $5, $6)
      ON CONFLICT (name) DO UPDATE SET concurrency = EXCLUDED.concurrency, key_concurrency = EXCLUDED.key_concurrency,
        rate_limit = EXCLUDED.rate_limit, rate_period_ms = EXCLUDED.rate_period_ms, updated_at = EXCLUDED.updated_at`,
    /** $1 now. Every queue with its limits and counts. */
    listQueues: `
      SELECT q.name, q.concurrency, q.key_concurrency, q.rate_limit, q.rate_period_ms,
        (SELECT count(*) FROM ${runs} WHERE queue = q.name AND ${PENDING}) AS pending,
        (SELECT count(*) FROM ${runs} WHERE queue = q.name AND ${ACTIVE}) AS active,
        CASE WHEN q.rate_limit IS NULL THEN 0
          ELSE (SELECT count(*) FROM ${runs} WHERE queue = q.name AND admitted_at > $1 - q.rate_period_ms) END AS started
      FROM ${s}.queues q ORDER BY q.name`,
    /** $1 name */
    selectQueue: `SELECT name, concurrency, key_concurrency, rate_limit, rate_period_ms FROM ${s}.queues WHERE name = $1`,
    /** $1 now, $2 workflows, $3 versions (versionHeld). Queues with a run of these workflows waiting for admission now. */
    queuesWithPending: `
      SELECT q.name, q.concurrency, q.key_concurrency, q.rate_limit, q.rate_period_ms FROM ${s}.queues q
      WHERE EXISTS (SELECT 1 FROM ${runs} WHERE queue = q.name AND ${PENDING} AND admit_at <= $1 AND workflow = ANY($2::text[])
        AND ${versionHeld("$3")})
      ORDER BY q.name`,
    /**
     * $1 schema name, $2 queue. Serializes admissions to one queue across every worker until the transaction ends, so
     * the counts read after it include every admission committed before (READ COMMITTED reads anew per statement).
     */
    lockQueue: `SELECT pg_advisory_xact_lock(hashtextextended('duro:queue:' || $1 || ':' || $2, 0))`,
    /** $1 queue, $2 now (the rate window's end), $3 whether to count per key. The queue's load. */
    queueLoad: `
      SELECT
        (SELECT count(*) FROM ${runs} WHERE queue = $1 AND ${ACTIVE}) AS active,
        (SELECT coalesce(array_agg(admitted_at), '{}') FROM ${runs} WHERE queue = $1 AND admitted_at > $2) AS admitted,
        (SELECT coalesce(jsonb_object_agg(k, n), '{}') FROM (
          SELECT concurrency_key AS k, count(*) AS n FROM ${runs}
          WHERE $3 AND queue = $1 AND ${ACTIVE} AND concurrency_key IS NOT NULL GROUP BY concurrency_key) keys) AS by_key`,
    /**
     * $1 queue, $2 now, $3 workflows, $4 limit, $5 single run id or NULL, $6 versions (versionHeld). Runs waiting for
     * admission, in admission order.
     */
    pendingCandidates: `
      SELECT pk, concurrency_key FROM ${runs}
      WHERE queue = $1 AND ${PENDING} AND admit_at <= $2 AND workflow = ANY($3::text[]) AND ($5::text IS NULL OR id = $5)
        AND ${versionHeld("$6")}
      ORDER BY priority, admit_at, pk LIMIT $4
      FOR UPDATE SKIP LOCKED`,
    /** $1 pks, $2 now, $3 worker id, $4 lease expiry, $5 lease holder (holders.ts) */
    admitRuns: `
      UPDATE ${runs} SET status = 'running', admitted_at = $2, lease_owner = $3, lease_epoch = lease_epoch + 1,
        ready_at = $4, updated_at = $2, lease_holder = $5
      FROM ${ASYNC_COMMIT}
      WHERE pk = ANY($1::bigint[])
      RETURNING pk, id, workflow, lease_epoch, ready_at`,
    /** $1 now, $2 workflows, $3 versions (versionHeld). The earliest later admission among pending runs (a start scheduled for later). */
    nextAdmitAt: `
      SELECT min(admit_at) AS at FROM ${runs} WHERE ${PENDING} AND admit_at > $1 AND workflow = ANY($2::text[])
        AND ${versionHeld("$3")}`,

    // --- artifacts ---
    /**
     * $1 sha256, $2 bytes, $3 put at (NULL without a run), $4 run id (or NULL). A run's first put of an artifact adds its
     * row to artifact_refs and one to the artifact's refs count; a put by a run moves put_at to now (unless the
     * artifact is kept for good, put_at NULL). One statement: the row lock on the artifact orders it with pruning's
     * decrements and with collection.
     */
    putArtifact: `
      WITH ref AS (
        INSERT INTO ${s}.artifact_refs (run_pk, sha256) SELECT pk, $1 FROM ${runs} WHERE id = $4 ON CONFLICT DO NOTHING
        RETURNING 1
      )
      INSERT INTO ${s}.artifacts AS a (sha256, bytes, put_at, refs, name, tags, created_at)
      VALUES ($1, $2, $3, (SELECT count(*) FROM ref), $5, $6::text[], $7)
      ON CONFLICT (sha256) DO UPDATE SET put_at = CASE WHEN a.put_at IS NULL THEN NULL ELSE excluded.put_at END,
        refs = a.refs + excluded.refs, name = coalesce(excluded.name, a.name),
        tags = ARRAY(SELECT DISTINCT t FROM unnest(a.tags || excluded.tags) t ORDER BY t),
        created_at = coalesce(a.created_at, excluded.created_at)`,
    /**
     * $1 sha256, $2 run id, $3 tag, $4 name, $5 tenant (each NULL for any), $6 limit: artifacts newest first, with the
     * ids of the runs (of $5, when given) that reference each.
     */
    listArtifacts: `
      SELECT a.sha256, a.name, a.tags, octet_length(a.bytes) AS size, a.created_at,
        ARRAY(SELECT r.id FROM ${s}.artifact_refs ar JOIN ${runs} r ON r.pk = ar.run_pk
          WHERE ar.sha256 = a.sha256 AND ($5::text IS NULL OR r.tenant = $5)) AS runs
      FROM ${s}.artifacts a
      WHERE ($1::text IS NULL OR a.sha256 = $1)
        AND ($4::text IS NULL OR a.name = $4)
        AND ($3::text IS NULL OR a.tags @> ARRAY[$3::text])
        AND ($2::text IS NULL OR EXISTS (SELECT 1 FROM ${s}.artifact_refs ar JOIN ${runs} r ON r.pk = ar.run_pk
          WHERE r.id = $2 AND ar.sha256 = a.sha256))
        AND ($5::text IS NULL OR EXISTS (SELECT 1 FROM ${s}.artifact_refs ar JOIN ${runs} r ON r.pk = ar.run_pk
          WHERE r.tenant = $5 AND ar.sha256 = a.sha256))
      ORDER BY a.created_at DESC NULLS LAST, a.sha256
      LIMIT $6`,
    /** $1 sha256 */
    getArtifact: `SELECT bytes FROM ${s}.artifacts WHERE sha256 = $1`,

    // --- schedules ---
    /**
     * $1 name, $2 cron, $3 timezone, $4 workflow, $5 input, $6 catch-up, $7 max catch-up, $8 next fire, $9 now. A new
     * schedule, or a changed definition; the next fire moves only when the cron or the time zone changed.
     */
    upsertSchedule: `
      INSERT INTO ${s}.schedules AS sc (name, cron, timezone, workflow, input, catch_up, max_catch_up, next_fire_at, created_at,
        updated_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)
      ON CONFLICT (name) DO UPDATE SET
        next_fire_at = CASE WHEN sc.cron <> excluded.cron OR sc.timezone <> excluded.timezone THEN excluded.next_fire_at
          ELSE sc.next_fire_at END,
        cron = excluded.cron, timezone = excluded.timezone, workflow = excluded.workflow, input = excluded.input,
        catch_up = excluded.catch_up, max_catch_up = excluded.max_catch_up, updated_at = excluded.updated_at
      RETURNING ${SCHEDULE_COLUMNS}`,
    listSchedules: `SELECT ${SCHEDULE_COLUMNS} FROM ${s}.schedules ORDER BY name`,
    /**
     * $1 name, $2 expected next fire, $3 new next fire, $4 last fired at, $5 last run id, $6 now. Moves the next fire only
     * from the value the firer read: a concurrent fire waits for this row's lock, then finds the value changed and
     * updates nothing.
     */
    fireSchedule: `
      UPDATE ${s}.schedules SET next_fire_at = $3, last_fired_at = coalesce($4, last_fired_at),
        last_run_id = coalesce($5, last_run_id), updated_at = $6
      WHERE name = $1 AND next_fire_at = $2 AND NOT paused
      RETURNING name`,
    /** $1 name, $2 paused, $3 next fire (or null to keep it), $4 now */
    pauseSchedule: `
      UPDATE ${s}.schedules SET paused = $2, next_fire_at = coalesce($3, next_fire_at), updated_at = $4
      WHERE name = $1
      RETURNING ${SCHEDULE_COLUMNS}`,
    // --- access to the HTTP API ---
    /** $1 id, $2 tenant, $3 role, $4 hash, $5 name, $6 created at */
    insertApiKey: `INSERT INTO ${s}.api_keys (id, tenant, role, hash, name, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
    /** $1 hash */
    selectApiKeyByHash: `SELECT ${apiKeyColumns} FROM ${s}.api_keys WHERE hash = $1`,
    /** $1 tenant (or null) */
    listApiKeys: `SELECT ${apiKeyColumns} FROM ${s}.api_keys WHERE ($1::text IS NULL OR tenant = $1) ORDER BY created_at, id`,
    /** $1 id, $2 now */
    revokeApiKey: `UPDATE ${s}.api_keys SET revoked_at = coalesce(revoked_at, $2) WHERE id = $1 RETURNING ${apiKeyColumns}`,
    /** $1 name, $2 candidate value: the stored value, which is the candidate only for the first caller */
    secret: `
      WITH inserted AS (INSERT INTO ${s}.secrets (name, value) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING value)
      SELECT value FROM inserted UNION ALL SELECT value FROM ${s}.secrets WHERE name = $1 LIMIT 1`,
    /** $1 id, $2 expires at, $3 now: a row when this call was the first use */
    useToken: `INSERT INTO ${s}.used_tokens (id, expires_at, used_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING id`,

    // --- the live workers registry ---
    /**
     * $1 id, $2 host, $3 pid, $4 started at, $5 workflows (JSON), $6 pinned, $7 any version (JSON), $8 concurrency,
     * $9 active, $10 now, $11 expires at, $12 lapsed before: one statement per announcement, the row replaced whole;
     * it also deletes the rows of workers whose announcement lapsed before $12 (they died without retiring).
     */
    announceWorker: `
      WITH lapsed AS (DELETE FROM ${s}.workers WHERE expires_at < $12 AND id <> $1)
      INSERT INTO ${s}.workers (id, host, pid, started_at, workflows, pinned, any_version, concurrency, active, seen_at, expires_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
      ON CONFLICT (id) DO UPDATE SET host = excluded.host, pid = excluded.pid, started_at = excluded.started_at,
        workflows = excluded.workflows, pinned = excluded.pinned, any_version = excluded.any_version,
        concurrency = excluded.concurrency, active = excluded.active, seen_at = excluded.seen_at, expires_at = excluded.expires_at`,
    /** $1 include expired, $2 now: by id in byte order, like the other backends */
    listWorkers: `
      SELECT id, host, pid, started_at, workflows, pinned, any_version, concurrency, active, seen_at, expires_at
      FROM ${s}.workers WHERE $1 OR expires_at > $2 ORDER BY id COLLATE "C"`,
    /** $1 id */
    retireWorker: `DELETE FROM ${s}.workers WHERE id = $1`,
    /** Unfinished runs per workflow, version and status (runs_status finds them without reading ended runs). */
    countUnfinished: `
      SELECT workflow, version, status, count(*)::integer AS n FROM ${runs}
      WHERE status IN ('queued', 'running', 'waiting') GROUP BY workflow, version, status`,
  };
}

const apiKeyColumns = "id, tenant, role, hash, name, created_at, revoked_at";

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
  session?: string | undefined;
  actor?: string | undefined;
  waitingFor?: string | undefined;
  version?: string | undefined;
  since?: number | undefined;
  until?: number | undefined;
  /** List below this position. */
  cursor?: ListPosition | undefined;
  sort: RunSort;
  limit: number;
}

const LIST_FILTERS: ReadonlyArray<[Exclude<keyof ListRunsParams, "limit" | "cursor" | "sort">, string]> = [
  ["status", "status = "],
  ["workflow", "workflow = "],
  ["parentRunId", "parent_run_id = "],
  ["tenant", "tenant = "],
  ["session", "session = "],
  ["actor", "actor = "],
  ["waitingFor", "waiting_for = "],
  ["version", "version = "],
  ["since", "created_at >= "],
  ["until", "created_at < "],
];

/** Per sort: the columns a page is ordered by (a page continues below its cursor's values of them), and the order. */
const LIST_ORDER: Record<RunSort, { columns: string[]; order: string }> = {
  created: { columns: ["pk"], order: "pk DESC" },
  updated: { columns: ["updated_at", "pk"], order: "updated_at DESC, pk DESC" },
};

const SEEK_COLUMNS: Record<SeekFilter, string> = {
  status: "status",
  workflow: "workflow",
  tenant: "tenant",
  version: "version",
  session: "session",
  actor: "actor",
  waitingFor: "waiting_for",
};

/** The planner settings a seek (listRunsQuery) runs under, for its own transaction only. */
const SEEK_SETTINGS = "SET LOCAL enable_sort = off; SET LOCAL enable_incremental_sort = off";

export interface ListRunsStatement {
  /** The SELECT: with $n parameters for `values`, or, for a seek, with its values written in. */
  text: string;
  values: Array<string | number>;
  /** For a seek: what to send before the SELECT, in the same simple query. */
  settings?: string;
}

/**
 * The listRuns statement for the filters and sort given.
 *
 * Where listSeek names an index, the statement is a seek over that index's columns: `(tenant, status) >= ('a', 'b')`
 * and `(tenant, status, pk) < ('a', 'b', 812)` (or `<= ('a', 'b')`), ordered by every one of them, with its other
 * filters as they are. Written as equalities, the planner drops constant columns from the order, and then the primary
 * key gives the same order. The seek runs under SEEK_SETTINGS, where a plan that sorts costs more than any other: no
 * index but the seek's gives its order without one (an index led by an equality's column gives it only through an
 * incremental sort), so no statistics can pick another, and a sequential scan cannot be chosen on an estimate that too
 * few rows match to be worth an index. The settings and the SELECT go as one simple query, one implicit transaction
 * that SET LOCAL ends with, in one round trip; its values are therefore written into it as literals: text through
 * pg's escapeLiteral, numbers checked to be integers.
 *
 * Otherwise the values are bound parameters of an unnamed statement, planned with its values each time: a named
 * statement gets a generic plan after five executions, chosen without them. Planning costs a fraction of a
 * millisecond; a listing is not on any hot path.
 */
export function listRunsQuery(quotedSchema: string, params: ListRunsParams): ListRunsStatement {
  const seek = listSeek(
    params.sort,
    LIST_FILTERS.filter(([name]) => params[name] !== undefined).map(([name]) => name),
  );
  const values: Array<string | number> = [];
  const bind = seek === undefined ? (value: string | number) => `$${values.push(value)}` : (value: string | number) => literal(value);
  const { columns, order } = LIST_ORDER[params.sort];
  const where: string[] = [];
  for (const [name, clause] of LIST_FILTERS) {
    const value = params[name];
    if (value === undefined || seek?.includes(name as SeekFilter)) continue;
    where.push(`${clause}${bind(value)}`);
  }
  const position = params.cursor && (params.sort === "updated" ? [params.cursor.updatedAt ?? 0, params.cursor.pk] : [params.cursor.pk]);
  const keyColumns = seek?.map((name) => SEEK_COLUMNS[name]) ?? [];
  const keyValues = seek?.map((name) => bind(params[name] as string)) ?? [];
  if (seek !== undefined) where.push(`(${keyColumns.join(", ")}) >= (${keyValues.join(", ")})`);
  if (position !== undefined) {
    where.push(`(${[...keyColumns, ...columns].join(", ")}) < (${[...keyValues, ...position.map(bind)].join(", ")})`);
  } else if (seek !== undefined) {
    where.push(`(${keyColumns.join(", ")}) <= (${keyValues.join(", ")})`);
  }
  const orderBy = seek === undefined ? order : [...keyColumns, ...columns].map((column) => `${column} DESC`).join(", ");
  const text = `SELECT ${runColumns(quotedSchema)} FROM ${quotedSchema}.runs ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
      ORDER BY ${orderBy} LIMIT ${bind(params.limit)}`;
  return seek === undefined ? { text, values } : { text, values, settings: SEEK_SETTINGS };
}

/** A value written into a statement: text through pg's escapeLiteral, a number only when it is a safe integer. */
function literal(value: string | number): string {
  if (typeof value === "string") return pgDriver().escapeLiteral(value);
  if (!Number.isSafeInteger(value)) throw internalError(`a listing's number must be a safe integer, got ${value}`);
  return String(value);
}
