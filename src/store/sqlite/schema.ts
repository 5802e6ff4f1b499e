// The SQLite schema, as migrations applied in order on open; `meta.schema_version` records how many ran.
// Sized for the hot path: appending a step reads one runs row (by id) and inserts journal rows keyed
// (run_pk, seq) in a WITHOUT ROWID table, so a step costs the same whatever the journal's length.

/** What the newest open wait of run @pk waits for: waitingForOf (transitions.ts) in SQL. */
const NEWEST_WAITING_FOR = `SELECT CASE
    WHEN w.kind = 'sleep' THEN 'timer'
    WHEN w.kind = 'ask' THEN 'question'
    WHEN w.kind = 'event' AND w.event_key LIKE 'limits:%' THEN 'limit'
    ELSE w.kind END
  FROM waits w WHERE w.run_pk = @pk ORDER BY w.seq DESC LIMIT 1`;

/** MIGRATIONS[i] takes a database from schema version i to i + 1. Append new ones; never edit a shipped one. */
export const MIGRATIONS: readonly string[] = [
  /* sql */ `
  CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
  ) WITHOUT ROWID;

  -- The runs index: a projection of each journal, kept for listing and claiming.
  -- ready_at is when the run becomes claimable: queued → created (or requested) time, waiting → its due
  -- timer or NULL until a delivery wakes it, running → the lease expiry (so an expired lease is claimable
  -- through the same index), terminal → NULL.
  CREATE TABLE runs (
    pk               INTEGER PRIMARY KEY,
    id               TEXT NOT NULL UNIQUE,
    workflow         TEXT NOT NULL,
    version          TEXT NOT NULL,
    tenant           TEXT NOT NULL,
    status           TEXT NOT NULL,
    parent_run_id    TEXT,
    idempotency_key  TEXT,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    ready_at         INTEGER,
    cancel_requested TEXT,
    lease_owner      TEXT,
    lease_epoch      INTEGER NOT NULL DEFAULT 0
  );
  CREATE UNIQUE INDEX runs_idempotency ON runs (tenant, idempotency_key) WHERE idempotency_key IS NOT NULL;
  CREATE INDEX runs_ready ON runs (ready_at) WHERE ready_at IS NOT NULL;
  CREATE INDEX runs_status ON runs (status);
  CREATE INDEX runs_workflow ON runs (workflow);
  CREATE INDEX runs_parent ON runs (parent_run_id) WHERE parent_run_id IS NOT NULL;

  -- One row per event; data is the event's JSON without type, seq and at.
  CREATE TABLE journal (
    run_pk INTEGER NOT NULL,
    seq    INTEGER NOT NULL,
    type   TEXT NOT NULL,
    at     INTEGER NOT NULL,
    data   TEXT NOT NULL,
    PRIMARY KEY (run_pk, seq)
  ) WITHOUT ROWID;

  -- Open waits, maintained from wait_started / wait_resolved so deliveries find their runs by key.
  CREATE TABLE waits (
    run_pk    INTEGER NOT NULL,
    key       TEXT NOT NULL,
    seq       INTEGER NOT NULL,
    kind      TEXT NOT NULL,
    event_key TEXT,
    spec      TEXT NOT NULL,
    PRIMARY KEY (run_pk, key)
  ) WITHOUT ROWID;
  CREATE INDEX waits_event_key ON waits (event_key) WHERE event_key IS NOT NULL;

  -- Messages for waits, kept until a wait_resolved consumes them (so a message sent early is never dropped).
  CREATE TABLE inbox (
    id          INTEGER PRIMARY KEY,
    event_key   TEXT NOT NULL,
    tenant      TEXT NOT NULL,
    payload     TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    consumed_by INTEGER,
    consumed_at INTEGER
  );
  CREATE INDEX inbox_pending ON inbox (event_key, id) WHERE consumed_by IS NULL;

  CREATE TABLE artifacts (
    sha256 TEXT PRIMARY KEY,
    bytes  BLOB NOT NULL
  ) WITHOUT ROWID;
  `,
  // 2: queues. A run with a queue is created with ready_at NULL (not claimable) and admit_at (its earliest
  // admission); a claim that admits it sets admitted_at, and from then on it is claimed like any other run.
  /* sql */ `
  ALTER TABLE runs ADD COLUMN queue TEXT;
  ALTER TABLE runs ADD COLUMN concurrency_key TEXT;
  ALTER TABLE runs ADD COLUMN priority INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE runs ADD COLUMN admit_at INTEGER;
  ALTER TABLE runs ADD COLUMN admitted_at INTEGER;
  CREATE INDEX runs_pending ON runs (queue, priority, admit_at, pk)
    WHERE queue IS NOT NULL AND admitted_at IS NULL AND status = 'queued';
  CREATE INDEX runs_active ON runs (queue, concurrency_key)
    WHERE admitted_at IS NOT NULL AND status IN ('queued', 'running', 'waiting');
  CREATE INDEX runs_admitted ON runs (queue, admitted_at) WHERE admitted_at IS NOT NULL;

  CREATE TABLE queues (
    name            TEXT PRIMARY KEY,
    concurrency     INTEGER,
    key_concurrency INTEGER,
    rate_limit      INTEGER,
    rate_period_ms  INTEGER,
    updated_at      INTEGER NOT NULL
  ) WITHOUT ROWID;
  `,

  // 3: schedules. next_fire_at only moves by a conditional UPDATE from the value a firer read, in the
  // transaction that creates the fire's runs, so each fire time is fired once whichever process gets there first.
  /* sql */ `
  CREATE TABLE schedules (
    name          TEXT PRIMARY KEY,
    cron          TEXT NOT NULL,
    timezone      TEXT NOT NULL,
    workflow      TEXT NOT NULL,
    input         TEXT NOT NULL,
    catch_up      TEXT NOT NULL,
    max_catch_up  INTEGER NOT NULL,
    paused        INTEGER NOT NULL DEFAULT 0,
    next_fire_at  INTEGER NOT NULL,
    last_fired_at INTEGER,
    last_run_id   TEXT,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
  ) WITHOUT ROWID;
  `,

  // 4: access to the HTTP API. API keys keep only their token's sha256; secrets (the approval-link signing
  // key) live here so every server process and every deploy signs and checks alike; used_tokens makes a link single-use.
  /* sql */ `
  CREATE TABLE api_keys (
    id         TEXT PRIMARY KEY,
    tenant     TEXT NOT NULL,
    role       TEXT NOT NULL,
    hash       TEXT NOT NULL UNIQUE,
    name       TEXT,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
  );
  CREATE TABLE secrets (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
  ) WITHOUT ROWID;
  CREATE TABLE used_tokens (
    id         TEXT PRIMARY KEY,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER NOT NULL
  ) WITHOUT ROWID;
  `,

  // 5: the journal's hash chain (chain.ts): each event's sha256 over the previous event's hash and its own stored
  // bytes, computed by the store as it inserts. Events written before this migration keep a NULL hash.
  /* sql */ `
  ALTER TABLE journal ADD COLUMN hash BLOB;
  `,

  // 6: retention. A run's put of an artifact adds a row to artifact_refs (once per run and artifact) and one to the
  // artifact's refs count; pruning the run removes both. An artifact whose count is back to 0 and whose last put by a
  // run (put_at) is older than the grace period is collected; artifacts_unreferenced holds only those, so it stays
  // small. put_at NULL (stored before this migration, or without a run) is never collected. The hashes in
  // artifact_refs are their 32 bytes: the table is keyed by run, for pruning, and is the only per-artifact overhead.
  // runs_retention finds the oldest ended runs of a status without reading the others. Maintenance leases (one
  // worker at a time does retention) are rows of meta, keyed "lease:<name>".
  /* sql */ `
  ALTER TABLE artifacts ADD COLUMN put_at INTEGER;
  ALTER TABLE artifacts ADD COLUMN refs INTEGER NOT NULL DEFAULT 0;
  CREATE INDEX artifacts_unreferenced ON artifacts (put_at) WHERE refs = 0 AND put_at IS NOT NULL;
  CREATE TABLE artifact_refs (
    run_pk INTEGER NOT NULL,
    sha256 BLOB NOT NULL,
    PRIMARY KEY (run_pk, sha256)
  ) WITHOUT ROWID;
  CREATE INDEX runs_retention ON runs (status, updated_at);
  `,

  // 7: the live workers registry. Each worker upserts its row when it starts and every third of its ttl, and deletes it
  // on a clean stop; a row whose expires_at has passed is a worker that died without saying so. workflows is JSON
  // { name: [versions…] } and any_version a JSON array of names; the table holds one row per live (or lately dead)
  // worker, so it is read whole.
  /* sql */ `
  CREATE TABLE workers (
    id          TEXT PRIMARY KEY,
    host        TEXT NOT NULL,
    pid         INTEGER NOT NULL,
    started_at  INTEGER NOT NULL,
    workflows   TEXT NOT NULL,
    pinned      INTEGER NOT NULL,
    any_version TEXT NOT NULL,
    concurrency INTEGER NOT NULL,
    active      INTEGER NOT NULL,
    seen_at     INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
  ) WITHOUT ROWID;
  `,

  // 8: who holds a lease. Every claim writes the claiming process's identity (JSON: host, hostId, pid, startTime) next
  // to lease_owner, so that a process on the same machine can tell that the holder is gone and break the lease
  // before it expires (engine/holder.ts). Only meaningful while the run is running; a claim always overwrites it.
  /* sql */ `
  ALTER TABLE runs ADD COLUMN lease_holder TEXT;
  `,

  // 9: when the chain began, as meta 'chain_since' (epoch ms): the newest run that has an event without a hash (written
  // before migration 5), or 0. A run created after it started chained, so an event of it without a hash is tampering,
  // even when every hash of the run was removed (chain.ts, verifyChain's requireChain).
  /* sql */ `
  INSERT OR IGNORE INTO meta (key, value)
  SELECT 'chain_since', CAST(COALESCE(MAX(r.created_at), 0) AS TEXT) FROM runs r
  WHERE EXISTS (SELECT 1 FROM journal j WHERE j.run_pk = r.pk AND j.hash IS NULL);
  `,

  // 10: artifacts you can find. An artifact gets an optional name (the latest put that names it wins) and tags (a
  // JSON array, the sorted union of every put's tags), and created_at (its first put; NULL before this migration).
  // artifact_refs_by_hash lists an artifact's runs, for the listing's runs column and its tenant and run filters.
  /* sql */ `
  ALTER TABLE artifacts ADD COLUMN name TEXT;
  ALTER TABLE artifacts ADD COLUMN tags TEXT NOT NULL DEFAULT '[]';
  ALTER TABLE artifacts ADD COLUMN created_at INTEGER;
  CREATE INDEX artifacts_by_name ON artifacts (name) WHERE name IS NOT NULL;
  CREATE INDEX artifact_refs_by_hash ON artifact_refs (sha256);
  `,

  // 11 (waiting_for): attribution and finding runs. session and actor come from run_created; cancel_attribution is
  // who asked to cancel (JSON), journaled with run_cancelled; inbox.attribution is who sent a message (JSON),
  // journaled with the wait_resolved that takes it. waiting_for is what the run's newest open wait waits for
  // (waitingForOf in transitions.ts, the same mapping): the triggers keep it in the transaction that changes the
  // waits index, so it never disagrees with the journal, and a step's append (no wait) does not touch it.
  /* sql */ `
  ALTER TABLE runs ADD COLUMN session TEXT;
  ALTER TABLE runs ADD COLUMN actor TEXT;
  ALTER TABLE runs ADD COLUMN waiting_for TEXT;
  ALTER TABLE runs ADD COLUMN cancel_attribution TEXT;
  ALTER TABLE inbox ADD COLUMN attribution TEXT;
  CREATE INDEX runs_session ON runs (session, pk) WHERE session IS NOT NULL;
  CREATE INDEX runs_actor ON runs (actor, pk) WHERE actor IS NOT NULL;
  CREATE INDEX runs_waiting_for ON runs (waiting_for, pk) WHERE waiting_for IS NOT NULL;
  CREATE TRIGGER waits_waiting_for_insert AFTER INSERT ON waits BEGIN
    UPDATE runs SET waiting_for = (${NEWEST_WAITING_FOR.replaceAll("@pk", "NEW.run_pk")}) WHERE pk = NEW.run_pk;
  END;
  CREATE TRIGGER waits_waiting_for_delete AFTER DELETE ON waits BEGIN
    UPDATE runs SET waiting_for = (${NEWEST_WAITING_FOR.replaceAll("@pk", "OLD.run_pk")}) WHERE pk = OLD.run_pk;
  END;
  UPDATE runs SET waiting_for = (${NEWEST_WAITING_FOR.replaceAll("@pk", "runs.pk")})
  WHERE pk IN (SELECT run_pk FROM waits);
  `,

  // 12 (scale): the inbox at a million runs. A consumed message stays until its run is pruned, so consumed rows
  // outnumber the others by far. Pruning deleted a run's messages with a scan of the whole inbox (no index on
  // consumed_by): per pruned run, so pruning got slower as the square of the history. Listing the undelivered
  // messages (runs list --inbox) walked the primary key through every consumed one to find the first unconsumed.
  // Both indexes are partial, so each holds only the rows its statement looks for.
  /* sql */ `
  CREATE INDEX inbox_consumed ON inbox (consumed_by) WHERE consumed_by IS NOT NULL;
  CREATE INDEX inbox_undelivered ON inbox (id) WHERE consumed_by IS NULL;
  `,

  // 13 (list indexes): the listings that still walked the whole table on a big database (npm run bench:scale). A tenant's
  // runs (what a tenant-scoped API key lists), alone, by status or sorted by last change: newest first they were found by
  // walking every other tenant's newer runs, or sorted whole for a page. Runs of an old version: by walking every run of
  // the newer versions. All runs sorted by last change: by sorting the whole table for a page. updated_at changes at each
  // claim and status change, so its two indexes cost those writes two more index entries; the others change only when a
  // run is created or changes status. Listing a tenant's runs by workflow still reads the workflow's runs of every tenant
  // (indexes for every combination of filters would slow every write; but see 14).
  /* sql */ `
  CREATE INDEX runs_tenant ON runs (tenant, pk);
  CREATE INDEX runs_tenant_status ON runs (tenant, status, pk);
  CREATE INDEX runs_version ON runs (workflow, version, pk);
  CREATE INDEX runs_updated ON runs (updated_at, pk);
  CREATE INDEX runs_tenant_updated ON runs (tenant, updated_at, pk);
  `,

  // 14 (a tenant's runs of one workflow): every API listing carries the caller's tenant ("default" with --dev or in a
  // one-tenant database), so the UI's filter by workflow is a tenant-and-workflow listing. It read the workflow's runs of
  // every tenant, newest first, to find one tenant's page: a small tenant's page in a shared database cost as many rows
  // as the other tenants had newer runs of that workflow. tenant, workflow and pk never change, so the index costs a
  // write only when a run is created or pruned.
  /* sql */ `
  CREATE INDEX runs_tenant_workflow ON runs (tenant, workflow, pk);
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

export const READ_SCHEMA_VERSION = /* sql */ `SELECT value FROM meta WHERE key = 'schema_version'`;
export const WRITE_SCHEMA_VERSION = /* sql */ `INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)`;
export const HAS_META_TABLE = /* sql */ `SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'`;
export const COUNT_USER_TABLES = /* sql */ `SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`;
