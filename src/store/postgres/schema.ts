// The PostgreSQL schema, as migrations applied in order on first use; `meta.schema_version` records how many ran.
// Everything lives in one PostgreSQL schema (default "duro") whose quoted name is the only thing spliced into the SQL.
// Same shape as SQLite's: appending a step locks one runs row (by id) and inserts journal rows keyed (run_pk, seq),
// so a step costs the same whatever the journal's length. Times are epoch-ms bigints from the store's clock.

/** A schema name the store accepts: a plain lower-case identifier, so quoting it is all it needs. */
export const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** MIGRATIONS[i](s) takes schema `s` (already quoted) from version i to i + 1. Append new ones; never edit a shipped one. */
export const MIGRATIONS: ReadonlyArray<(s: string) => string> = [
  (s) => /* sql */ `
  CREATE TABLE ${s}.meta (
    key   text PRIMARY KEY,
    value text NOT NULL
  );

  -- The runs index: a projection of each journal, kept for listing and claiming.
  -- ready_at is when the run becomes claimable: queued → created (or requested) time, waiting → its due
  -- timer or NULL until a delivery wakes it, running → the lease expiry (so an expired lease is claimable
  -- through the same index), terminal → NULL.
  CREATE TABLE ${s}.runs (
    pk               bigserial PRIMARY KEY,
    id               text NOT NULL UNIQUE,
    workflow         text NOT NULL,
    version          text NOT NULL,
    tenant           text NOT NULL,
    status           text NOT NULL,
    parent_run_id    text,
    idempotency_key  text,
    created_at       bigint NOT NULL,
    updated_at       bigint NOT NULL,
    ready_at         bigint,
    cancel_requested text,
    lease_owner      text,
    lease_epoch      integer NOT NULL DEFAULT 0
  );
  CREATE UNIQUE INDEX runs_idempotency ON ${s}.runs (tenant, idempotency_key) WHERE idempotency_key IS NOT NULL;
  CREATE INDEX runs_ready ON ${s}.runs (ready_at) WHERE ready_at IS NOT NULL;
  CREATE INDEX runs_status ON ${s}.runs (status);
  CREATE INDEX runs_workflow ON ${s}.runs (workflow);
  CREATE INDEX runs_parent ON ${s}.runs (parent_run_id) WHERE parent_run_id IS NOT NULL;

  -- One row per event; data is the event's JSON text without type, seq and at. Text rather than jsonb: jsonb
  -- refuses \\u0000 in strings and reorders keys, and every backend must give back the codec's bytes unchanged.
  CREATE TABLE ${s}.journal (
    run_pk bigint NOT NULL,
    seq    integer NOT NULL,
    type   text NOT NULL,
    at     bigint NOT NULL,
    data   text NOT NULL,
    PRIMARY KEY (run_pk, seq)
  );

  -- Open waits, maintained from wait_started / wait_resolved so deliveries find their runs by key.
  CREATE TABLE ${s}.waits (
    run_pk    bigint NOT NULL,
    key       text NOT NULL,
    seq       integer NOT NULL,
    kind      text NOT NULL,
    event_key text,
    spec      text NOT NULL,
    PRIMARY KEY (run_pk, key)
  );
  CREATE INDEX waits_event_key ON ${s}.waits (event_key) WHERE event_key IS NOT NULL;

  -- Messages for waits, kept until a wait_resolved consumes them (so a message sent early is never dropped).
  CREATE TABLE ${s}.inbox (
    id          bigserial PRIMARY KEY,
    event_key   text NOT NULL,
    tenant      text NOT NULL,
    payload     text NOT NULL,
    created_at  bigint NOT NULL,
    consumed_by bigint,
    consumed_at bigint
  );
  CREATE INDEX inbox_pending ON ${s}.inbox (event_key, id) WHERE consumed_by IS NULL;

  CREATE TABLE ${s}.artifacts (
    sha256 text PRIMARY KEY,
    bytes  bytea NOT NULL
  );
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** Double-quotes a name SCHEMA_NAME accepted (it cannot contain a quote, so nothing needs escaping). */
export function quoteSchema(name: string): string {
  return `"${name}"`;
}

// --- statements the migration runs (the schema name is a bound parameter wherever PostgreSQL allows one) ---

/**
 * Serializes migrations of one schema across processes: a transaction-scoped advisory lock on a key derived from
 * the schema's name (the single-bigint key space, apart from the two-int keys the inbox uses).
 */
export const LOCK_MIGRATIONS = /* sql */ `SELECT pg_advisory_xact_lock(hashtextextended('duro:migrate:' || $1, 0))`;
export const createSchema = (s: string) => /* sql */ `CREATE SCHEMA IF NOT EXISTS ${s}`;
export const HAS_META_TABLE = /* sql */ `SELECT to_regclass(format('%I.meta', $1::text)) IS NOT NULL AS present`;
export const COUNT_SCHEMA_TABLES = /* sql */ `
  SELECT count(*) AS n FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'v', 'm', 'f')`;
export const readSchemaVersion = (s: string) => /* sql */ `SELECT value FROM ${s}.meta WHERE key = 'schema_version'`;
export const writeSchemaVersion = (s: string) => /* sql */ `
  INSERT INTO ${s}.meta (key, value) VALUES ('schema_version', $1)
  ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`;
