// The PostgreSQL schema, as migrations applied in order on first use; `meta.schema_version` records how many ran.
// Everything lives in one PostgreSQL schema (default "duro") whose quoted name is the only thing spliced into the SQL.
// Same shape as SQLite's: appending a step locks one runs row (by id) and inserts journal rows keyed (run_pk, seq),
// so a step costs the same whatever the journal's length. Times are epoch-ms bigints from the store's clock.
import { internalError } from "../../core/index.js";

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

  // Version 2: the write path as server-side functions, so that a delivery, or a whole batch of appends and
  // releases from many runs, is one statement: one round trip and one commit (one WAL flush) instead of five or
  // more of each. Under READ COMMITTED every statement inside a (volatile) function reads a fresh snapshot, so a
  // statement that runs after a lock was taken sees everything committed before the lock was granted.
  // 'duro_ready' is READY_CHANNEL in queries.ts; the payload is the schema's name.
  (s) => /* sql */ `
  -- One message into the inbox; the waiting runs with an open wait on its key become claimable now (an earlier
  -- due time is kept). The key's advisory lock is the one a suspending append takes for its waits' keys: the two
  -- take turns, and whichever comes second sees the other's rows, so a message sent while a run suspends always
  -- wakes it.
  CREATE FUNCTION ${s}.deliver(p_schema text, p_now bigint, p_event_key text, p_tenant text, p_payload text,
    OUT message_id bigint, OUT woke_run_ids text[])
  LANGUAGE plpgsql AS $$
  BEGIN
    PERFORM pg_advisory_xact_lock(hashtext(p_schema), hashtext(p_event_key));
    INSERT INTO ${s}.inbox (event_key, tenant, payload, created_at) VALUES (p_event_key, p_tenant, p_payload, p_now)
    RETURNING id INTO message_id;
    WITH woken AS (
      UPDATE ${s}.runs SET ready_at = LEAST(coalesce(ready_at, p_now), p_now), updated_at = p_now
      WHERE status = 'waiting' AND pk IN (SELECT run_pk FROM ${s}.waits WHERE event_key = p_event_key)
      RETURNING pk, id
    )
    SELECT coalesce(array_agg(id ORDER BY pk), '{}') INTO woke_run_ids FROM woken;
    IF cardinality(woke_run_ids) > 0 THEN
      PERFORM pg_notify('duro_ready', p_schema);
    END IF;
  END $$;

  -- Appends (and lease releases) of any number of runs, each checked and applied in the order given, all in the
  -- caller's one transaction. p_items is a jsonb array of objects the store builds (toItem in batch.ts):
  --   runId, leaseRunId, workerId, epoch   the run and the writer's lease
  --   expectedSeq                         the journal must end there (null for a release: the lease alone is checked)
  --   events [[type, data], ...]          journaled as seq expectedSeq + 1, ...
  --   waits [{op, key, n, kind, eventKey, spec}]  the waits index changes, in journal order (n: the event's position)
  --   terminal                            the status the events end the run with, or null
  --   stop, readyAt, readyIfWoken         leaving running: 'waiting' or 'queued' with its ready_at, and the one to
  --                                       use instead when it must wake at once (a cancel request, or a message
  --                                       already pending for one of its waits); both computed by transitions.ts
  --   consume [message id, ...]           inbox messages taken by its wait_resolved events
  --   deliver [{eventKey, tenant, payload}]  messages sent in the same commit
  -- p_run_ids are the items' runs; p_suspending (runs that stop as waiting) and p_keys (their new waits' keys and the
  -- delivery keys) say which event-key locks to take. One row per item, in order: outcome 'ok' (with head and
  -- cancel), 'run_not_found', 'lease_lost' (with the run's fence columns, from which the store words the error as
  -- every backend does) or 'inbox_conflict' (with the message id). A refused item writes nothing; the others go on.
  -- A step's append (no waits, no messages) runs three statements: the lock, the run with its last seq, the insert.
  CREATE FUNCTION ${s}.append_batch(p_schema text, p_now bigint, p_items jsonb, p_run_ids text[], p_suspending text[],
    p_keys text[])
  RETURNS TABLE (outcome text, head integer, cancel text, run_status text, run_owner text, run_epoch integer,
    run_ready_at bigint, conflict_id bigint)
  LANGUAGE plpgsql AS $$
  DECLARE
    item jsonb;
    wait_op jsonb;
    delivery jsonb;
    run record;
    wanted bigint[];
    takeable bigint[];
    next_ready bigint;
    wake_workers boolean := false;
  BEGIN
    -- The batch's runs, locked in one order (so two batches sharing runs, a stale writer's and the current one's,
    -- cannot deadlock), then the event keys. deliver goes the other way, key then rows, but only the rows of
    -- waiting runs, which no current lease holder appends to. Appends, releases, claims and heartbeats of one run
    -- take turns on its row lock.
    PERFORM 1 FROM ${s}.runs WHERE id = ANY(p_run_ids) ORDER BY pk FOR UPDATE;
    IF cardinality(p_suspending) > 0 OR cardinality(p_keys) > 0 THEN
      PERFORM pg_advisory_xact_lock(hashtext(p_schema), hashtext(k)) FROM (
        SELECT k FROM (
          SELECT w.event_key AS k FROM ${s}.waits w JOIN ${s}.runs r ON r.pk = w.run_pk
          WHERE r.id = ANY(p_suspending) AND w.event_key IS NOT NULL
          UNION SELECT unnest(p_keys)
        ) keys ORDER BY k COLLATE "C"
      ) ordered;
    END IF;

    FOR n_item IN 0 .. jsonb_array_length(p_items) - 1 LOOP
      item := p_items->n_item;
      outcome := NULL; head := NULL; cancel := NULL; run_status := NULL; run_owner := NULL; run_epoch := NULL;
      run_ready_at := NULL; conflict_id := NULL;

      -- A statement of its own after the lock: it sees every append committed while the lock was awaited.
      SELECT r.pk, r.id, r.status, r.ready_at, r.cancel_requested, r.lease_owner, r.lease_epoch,
        (SELECT coalesce(max(j.seq), 0) FROM ${s}.journal j WHERE j.run_pk = r.pk) AS last_seq
      INTO run FROM ${s}.runs r WHERE r.id = item->>'runId';
      IF NOT FOUND THEN
        outcome := 'run_not_found';
        RETURN NEXT;
        CONTINUE;
      END IF;

      -- The fence: the conditions of leaseProblem and checkFence in fence.ts.
      IF NOT coalesce(
        item->>'leaseRunId' = run.id AND run.status = 'running' AND run.lease_epoch = (item->>'epoch')::integer
        AND run.lease_owner = item->>'workerId' AND run.ready_at > p_now
        AND (item->>'expectedSeq' IS NULL OR run.last_seq = (item->>'expectedSeq')::integer), false)
      THEN
        outcome := 'lease_lost'; head := run.last_seq; run_status := run.status; run_owner := run.lease_owner;
        run_epoch := run.lease_epoch; run_ready_at := run.ready_at;
        RETURN NEXT;
        CONTINUE;
      END IF;

      -- Messages taken by wait_resolved: locked first, so nothing is written unless every one can be taken. A
      -- message another commit took drops out of the locked set (FOR UPDATE re-checks a row it waited for); one
      -- listed twice is taken once and its second mention conflicts, as on every backend.
      IF jsonb_array_length(item->'consume') > 0 THEN
        wanted := ARRAY(SELECT jsonb_array_elements_text(item->'consume')::bigint);
        SELECT coalesce(array_agg(m.id), '{}') INTO takeable FROM (
          SELECT ib.id FROM ${s}.inbox ib WHERE ib.id = ANY(wanted) AND ib.consumed_by IS NULL FOR UPDATE
        ) m;
        SELECT c.id INTO conflict_id FROM unnest(wanted) WITH ORDINALITY c(id, n)
        WHERE NOT c.id = ANY(takeable) OR c.id = ANY(wanted[1:c.n - 1]) ORDER BY c.n LIMIT 1;
        IF conflict_id IS NOT NULL THEN
          outcome := 'inbox_conflict';
          RETURN NEXT;
          CONTINUE;
        END IF;
        UPDATE ${s}.inbox SET consumed_by = run.pk, consumed_at = p_now WHERE id = ANY(wanted);
      END IF;

      IF jsonb_array_length(item->'events') > 0 THEN
        INSERT INTO ${s}.journal (run_pk, seq, type, at, data)
        SELECT run.pk, run.last_seq + e.n, e.ev->>0, p_now, e.ev->>1
        FROM jsonb_array_elements(item->'events') WITH ORDINALITY e(ev, n);
      END IF;

      FOR n_wait IN 0 .. jsonb_array_length(item->'waits') - 1 LOOP
        wait_op := item->'waits'->n_wait;
        IF wait_op->>'op' = 'start' THEN
          INSERT INTO ${s}.waits (run_pk, key, seq, kind, event_key, spec)
          VALUES (run.pk, wait_op->>'key', run.last_seq + (wait_op->>'n')::integer, wait_op->>'kind', wait_op->>'eventKey',
            wait_op->>'spec')
          ON CONFLICT (run_pk, key) DO UPDATE SET seq = EXCLUDED.seq, kind = EXCLUDED.kind, event_key = EXCLUDED.event_key,
            spec = EXCLUDED.spec;
        ELSE
          DELETE FROM ${s}.waits WHERE run_pk = run.pk AND key = wait_op->>'key';
        END IF;
      END LOOP;

      IF item->>'terminal' IS NOT NULL THEN
        UPDATE ${s}.runs SET status = item->>'terminal', ready_at = NULL, lease_owner = NULL, cancel_requested = NULL,
          updated_at = p_now
        WHERE pk = run.pk;
        DELETE FROM ${s}.waits WHERE run_pk = run.pk;
      ELSIF item->>'stop' IS NOT NULL THEN
        -- A suspend runs this under its waits' key locks: a message delivered before is seen here, and a delivery
        -- after sees the run waiting.
        IF run.cancel_requested IS NOT NULL OR (item->>'stop' = 'waiting' AND EXISTS (
          SELECT 1 FROM ${s}.waits w JOIN ${s}.inbox ib ON ib.event_key = w.event_key AND ib.consumed_by IS NULL
          WHERE w.run_pk = run.pk))
        THEN
          next_ready := (item->>'readyIfWoken')::bigint;
        ELSE
          next_ready := (item->>'readyAt')::bigint;
        END IF;
        UPDATE ${s}.runs SET status = item->>'stop', ready_at = next_ready, lease_owner = NULL, updated_at = p_now
        WHERE pk = run.pk;
        wake_workers := wake_workers OR coalesce(next_ready <= p_now, false);
      END IF;

      FOR n_delivery IN 0 .. jsonb_array_length(item->'deliver') - 1 LOOP
        delivery := item->'deliver'->n_delivery;
        PERFORM ${s}.deliver(p_schema, p_now, delivery->>'eventKey', delivery->>'tenant', delivery->>'payload');
      END LOOP;

      outcome := 'ok';
      head := run.last_seq + jsonb_array_length(item->'events');
      cancel := run.cancel_requested;
      RETURN NEXT;
    END LOOP;

    IF wake_workers THEN
      PERFORM pg_notify('duro_ready', p_schema);
    END IF;
  END $$;
  `,

  // Version 3: claims and nextReadyAt filter on workflow and order by ready_at. Without an index on both, the planner
  // may take runs_workflow, which holds every run the workflow ever had, and sort them all: a claim then costs more
  // as history grows. This one holds only unfinished runs (ready_at is NULL once a run ends), in claim order for one
  // workflow, and replaces runs_ready, which no statement needs any more.
  (s) => /* sql */ `
  CREATE INDEX runs_claimable ON ${s}.runs (workflow, ready_at, pk) WHERE ready_at IS NOT NULL;
  DROP INDEX ${s}.runs_ready;
  `,

  // Version 4: queues. A run with a queue is created with ready_at NULL (not claimable) and admit_at; a claim that
  // admits it (under the queue's advisory lock, see queues.ts) sets admitted_at, and from then on it is claimed like
  // any other run. runs_active holds only admitted unfinished runs, so counting a queue's load reads its slots only.
  (s) => /* sql */ `
  ALTER TABLE ${s}.runs
    ADD COLUMN queue text,
    ADD COLUMN concurrency_key text,
    ADD COLUMN priority integer NOT NULL DEFAULT 0,
    ADD COLUMN admit_at bigint,
    ADD COLUMN admitted_at bigint;
  CREATE INDEX runs_pending ON ${s}.runs (queue, priority, admit_at, pk)
    WHERE queue IS NOT NULL AND admitted_at IS NULL AND status = 'queued';
  CREATE INDEX runs_active ON ${s}.runs (queue, concurrency_key)
    WHERE admitted_at IS NOT NULL AND status IN ('queued', 'running', 'waiting');
  CREATE INDEX runs_admitted ON ${s}.runs (queue, admitted_at) WHERE admitted_at IS NOT NULL;

  CREATE TABLE ${s}.queues (
    name            text PRIMARY KEY,
    concurrency     integer,
    key_concurrency integer,
    rate_limit      integer,
    rate_period_ms  bigint,
    updated_at      bigint NOT NULL
  );
  `,

  // Version 5: schedules. next_fire_at only moves by a conditional UPDATE from the value a firer read, in the
  // transaction that creates the fire's runs, so each fire time is fired once whichever worker gets there first.
  (s) => /* sql */ `
  CREATE TABLE ${s}.schedules (
    name          text PRIMARY KEY,
    cron          text NOT NULL,
    timezone      text NOT NULL,
    workflow      text NOT NULL,
    input         text NOT NULL,
    catch_up      text NOT NULL,
    max_catch_up  integer NOT NULL,
    paused        boolean NOT NULL DEFAULT false,
    next_fire_at  bigint NOT NULL,
    last_fired_at bigint,
    last_run_id   text,
    created_at    bigint NOT NULL,
    updated_at    bigint NOT NULL
  );
  `,

  // Version 6: a message reaches only the runs of its own tenant. Version 2's two functions again, with the tenant
  // added where they match inbox messages to waiting runs (tenantScoped says exactly which two conditions change).
  (s) => tenantScoped(s, (MIGRATIONS[1] as (s: string) => string)(s)),

  // Version 7: access to the HTTP API. API keys keep only their token's sha256; secrets (the approval-link signing
  // key) live here so every server process and every deploy signs and checks alike; used_tokens makes a link single-use.
  (s) => /* sql */ `
  CREATE TABLE ${s}.api_keys (
    id         text PRIMARY KEY,
    tenant     text NOT NULL,
    role       text NOT NULL,
    hash       text NOT NULL UNIQUE,
    name       text,
    created_at bigint NOT NULL,
    revoked_at bigint
  );
  CREATE TABLE ${s}.secrets (
    name  text PRIMARY KEY,
    value text NOT NULL
  );
  CREATE TABLE ${s}.used_tokens (
    id         text PRIMARY KEY,
    expires_at bigint NOT NULL,
    used_at    bigint NOT NULL
  );
  `,

  // Version 8: the journal's hash chain (chain.ts): each event's sha256 over the previous event's hash and its own
  // stored bytes. A BEFORE INSERT trigger computes it, so every path that writes the journal (createRun, append_batch,
  // transactional appends) chains alike. It reads the previous event's hash: the fence admits a write of seq n only
  // when seq n - 1 is the journal's last event, committed or written earlier in the same statement (a row trigger
  // sees the rows its statement inserted before), and the primary key refuses a second seq n, so the chain cannot
  // fork. Events written before this migration keep a NULL hash.
  (s) => /* sql */ `
  ALTER TABLE ${s}.journal ADD COLUMN hash text;
  CREATE FUNCTION ${s}.journal_chain() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    NEW.hash := encode(sha256(convert_to(
      coalesce((SELECT j.hash FROM ${s}.journal j WHERE j.run_pk = NEW.run_pk AND j.seq = NEW.seq - 1), '')
      || E'\n' || NEW.seq::text || E'\n' || NEW.type || E'\n' || NEW.at::text || E'\n' || NEW.data, 'UTF8')), 'hex');
    RETURN NEW;
  END $$;
  CREATE TRIGGER journal_chain BEFORE INSERT ON ${s}.journal FOR EACH ROW EXECUTE FUNCTION ${s}.journal_chain();
  `,

  // Version 9: append_batch computes the chain hashes of the events it appends itself, from the last event it already
  // reads for the fence (one index probe, instead of max(seq) and then, per inserted row, the trigger's own lookup of
  // the previous event). The trigger stays for every other write (createRun, and rows written without a hash).
  (s) => /* sql */ `
  DROP TRIGGER journal_chain ON ${s}.journal;
  CREATE TRIGGER journal_chain BEFORE INSERT ON ${s}.journal FOR EACH ROW WHEN (NEW.hash IS NULL)
    EXECUTE FUNCTION ${s}.journal_chain();
  ${hashedAppends(s, tenantScoped(s, (MIGRATIONS[1] as (s: string) => string)(s)))}
  `,

  // Version 10: retention. A run's put of an artifact adds a row to artifact_refs (once per run and artifact) and one
  // to the artifact's refs count, in one statement; pruning the run removes both. An artifact whose count is back to 0
  // and whose last put by a run (put_at) is older than the grace period is collected; artifacts_unreferenced holds
  // only those. put_at NULL (stored before this migration, or without a run) is never collected. runs_retention finds
  // the oldest ended runs of a status in prune order; maintenance_leases lets one worker at a time do retention.
  (s) => /* sql */ `
  ALTER TABLE ${s}.artifacts ADD COLUMN put_at bigint, ADD COLUMN refs integer NOT NULL DEFAULT 0;
  CREATE INDEX artifacts_unreferenced ON ${s}.artifacts (put_at) WHERE refs = 0 AND put_at IS NOT NULL;
  CREATE TABLE ${s}.artifact_refs (
    run_pk bigint NOT NULL,
    sha256 text NOT NULL,
    PRIMARY KEY (run_pk, sha256)
  );
  CREATE INDEX runs_retention ON ${s}.runs (status, updated_at, pk);
  CREATE TABLE ${s}.maintenance_leases (
    name       text PRIMARY KEY,
    owner      text NOT NULL,
    expires_at bigint NOT NULL
  );
  `,

  // Version 11: a batch of one run's appends without waits or messages (a lone run's every step) locks the run in
  // the statement that reads it, instead of a statement of its own first. Several runs, or event keys to lock, still
  // take the row locks up front in pk order and then the keys, so that two batches cannot deadlock. Reading and locking in one statement is safe here: a concurrent writer of
  // the same run would have to hold a newer lease, and the fence sees that lease on the locked (newest) row version.
  (s) => singleRunLock(s, hashedAppends(s, tenantScoped(s, (MIGRATIONS[1] as (s: string) => string)(s)))),

  // Version 12: the live workers registry. Each worker upserts its row when it starts and every third of its ttl, and
  // deletes it on a clean stop; a row whose expires_at has passed is a worker that died without saying so. workflows is
  // JSON { name: [versions…] } and any_version a JSON array of names, kept as text like the journal's data; the table
  // holds one row per live (or lately dead) worker, so it is read whole.
  (s) => /* sql */ `
  CREATE TABLE ${s}.workers (
    id          text PRIMARY KEY,
    host        text NOT NULL,
    pid         integer NOT NULL,
    started_at  bigint NOT NULL,
    workflows   text NOT NULL,
    pinned      boolean NOT NULL,
    any_version text NOT NULL,
    concurrency integer NOT NULL,
    active      integer NOT NULL,
    seen_at     bigint NOT NULL,
    expires_at  bigint NOT NULL
  );
  `,

  // Version 13: append_steps, the append a lone run makes at every step (events only: no waits, messages, status
  // change or release), as a function of plain parameters: no jsonb to parse and none of append_batch's branches for
  // what such an append never has. It is append_batch's item path for that case, statement for statement: the run
  // locked where it is read (version 11), the fence (fence.ts), the chain hashes (chain.ts, version 9), one row back
  // in append_batch's shape. Any other append, and every batch of several runs, still goes through append_batch.
  (s) => /* sql */ `
  CREATE FUNCTION ${s}.append_steps(p_now bigint, p_run_id text, p_lease_run_id text, p_worker text, p_epoch integer,
    p_expected integer, p_types text[], p_datas text[])
  RETURNS TABLE (outcome text, head integer, cancel text, run_status text, run_owner text, run_epoch integer,
    run_ready_at bigint, conflict_id bigint)
  LANGUAGE plpgsql AS $$
  DECLARE
    run record;
    prev_hash text;
    hashes text[] := '{}';
  BEGIN
    SELECT r.pk, r.id, r.status, r.ready_at, r.cancel_requested, r.lease_owner, r.lease_epoch,
      coalesce(last.seq, 0) AS last_seq, last.hash AS last_hash
    INTO run FROM ${s}.runs r LEFT JOIN LATERAL (
      SELECT j.seq, j.hash FROM ${s}.journal j WHERE j.run_pk = r.pk ORDER BY j.seq DESC LIMIT 1
    ) last ON true
    WHERE r.id = p_run_id
    FOR UPDATE OF r;
    IF NOT FOUND THEN
      RETURN QUERY SELECT 'run_not_found'::text, NULL::integer, NULL::text, NULL::text, NULL::text, NULL::integer, NULL::bigint,
        NULL::bigint;
      RETURN;
    END IF;
    IF NOT coalesce(p_lease_run_id = run.id AND run.status = 'running' AND run.lease_epoch = p_epoch
      AND run.lease_owner = p_worker AND run.ready_at > p_now AND run.last_seq = p_expected, false)
    THEN
      RETURN QUERY SELECT 'lease_lost'::text, run.last_seq::integer, NULL::text, run.status::text, run.lease_owner::text,
        run.lease_epoch::integer, run.ready_at::bigint, NULL::bigint;
      RETURN;
    END IF;
    prev_hash := coalesce(run.last_hash, '');
    FOR n IN 1 .. cardinality(p_types) LOOP
      prev_hash := encode(sha256(convert_to(prev_hash || E'\n' || (run.last_seq + n)::text || E'\n' || p_types[n] || E'\n' ||
        p_now::text || E'\n' || p_datas[n], 'UTF8')), 'hex');
      hashes[n] := prev_hash;
    END LOOP;
    INSERT INTO ${s}.journal (run_pk, seq, type, at, data, hash)
    SELECT run.pk, run.last_seq + i, p_types[i], p_now, p_datas[i], hashes[i] FROM generate_subscripts(p_types, 1) i;
    RETURN QUERY SELECT 'ok'::text, (run.last_seq + cardinality(p_types))::integer, run.cancel_requested::text, NULL::text,
      NULL::text, NULL::integer, NULL::bigint, NULL::bigint;
  END $$;
  `,

  // Version 14: who holds a lease. Every claim writes the claiming process's identity (JSON text: host, hostId, pid,
  // startTime) next to lease_owner, so that a process on the same machine can tell that the holder is gone and break
  // the lease before it expires (engine/holder.ts). Only meaningful while the run is running; a claim overwrites it.
  (s) => /* sql */ `
  ALTER TABLE ${s}.runs ADD COLUMN lease_holder text;
  `,

  // Version 15: when the chain began, as meta 'chain_since' (epoch ms): the newest run that has an event without a
  // hash (written before version 8), or 0. A run created after it started chained, so an event of it without a hash
  // is tampering, even when every hash of the run was removed (chain.ts, verifyChain's requireChain).
  (s) => /* sql */ `
  INSERT INTO ${s}.meta (key, value)
  SELECT 'chain_since', COALESCE(MAX(r.created_at), 0)::text FROM ${s}.runs r
  WHERE EXISTS (SELECT 1 FROM ${s}.journal j WHERE j.run_pk = r.pk AND j.hash IS NULL)
  ON CONFLICT (key) DO NOTHING;
  `,

  // Version 16: artifacts you can find. An artifact gets an optional name (the latest put that names it wins) and tags
  // (the sorted union of every put's tags), and created_at (its first put; NULL before this migration).
  // artifact_refs_by_hash lists an artifact's runs, for the listing's runs column and its tenant and run filters.
  (s) => /* sql */ `
  ALTER TABLE ${s}.artifacts ADD COLUMN name text, ADD COLUMN tags text[] NOT NULL DEFAULT '{}', ADD COLUMN created_at bigint;
  CREATE INDEX artifacts_by_name ON ${s}.artifacts (name) WHERE name IS NOT NULL;
  CREATE INDEX artifacts_by_tag ON ${s}.artifacts USING gin (tags);
  CREATE INDEX artifact_refs_by_hash ON ${s}.artifact_refs (sha256);
  `,

  // Version 17 (waiting_for): attribution and finding runs. session and actor come from run_created;
  // cancel_attribution is who asked to cancel (JSON), journaled with run_cancelled; inbox.attribution is who sent a
  // message (JSON), journaled with the wait_resolved that takes it, written by deliver_attributed in the delivery's
  // one statement. waiting_for is what the run's newest open wait waits for (waitingForOf in transitions.ts, the same
  // mapping): a trigger on the waits index keeps it in the transaction that changes the index, under the run's row
  // lock that append_batch already holds, and a step's append (no wait) never touches it.
  (s) => /* sql */ `
  ALTER TABLE ${s}.runs
    ADD COLUMN session text,
    ADD COLUMN actor text,
    ADD COLUMN waiting_for text,
    ADD COLUMN cancel_attribution text;
  ALTER TABLE ${s}.inbox ADD COLUMN attribution text;
  CREATE INDEX runs_session ON ${s}.runs (session, pk) WHERE session IS NOT NULL;
  CREATE INDEX runs_actor ON ${s}.runs (actor, pk) WHERE actor IS NOT NULL;
  CREATE INDEX runs_waiting_for ON ${s}.runs (waiting_for, pk) WHERE waiting_for IS NOT NULL;

  CREATE FUNCTION ${s}.newest_waiting_for(p_run_pk bigint) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT CASE
        WHEN w.kind = 'sleep' THEN 'timer'
        WHEN w.kind = 'ask' THEN 'question'
        WHEN w.kind = 'event' AND w.event_key LIKE 'limits:%' THEN 'limit'
        ELSE w.kind END
    FROM ${s}.waits w WHERE w.run_pk = p_run_pk ORDER BY w.seq DESC LIMIT 1
  $$;
  CREATE FUNCTION ${s}.waits_waiting_for() RETURNS trigger LANGUAGE plpgsql AS $$
  DECLARE
    changed bigint := CASE WHEN TG_OP = 'DELETE' THEN OLD.run_pk ELSE NEW.run_pk END;
  BEGIN
    UPDATE ${s}.runs SET waiting_for = ${s}.newest_waiting_for(changed) WHERE pk = changed;
    RETURN NULL;
  END $$;
  CREATE TRIGGER waits_waiting_for AFTER INSERT OR UPDATE OR DELETE ON ${s}.waits
    FOR EACH ROW EXECUTE FUNCTION ${s}.waits_waiting_for();
  UPDATE ${s}.runs SET waiting_for = ${s}.newest_waiting_for(pk) WHERE pk IN (SELECT run_pk FROM ${s}.waits);

  CREATE FUNCTION ${s}.deliver_attributed(p_schema text, p_now bigint, p_event_key text, p_tenant text, p_payload text,
    p_attribution text, OUT message_id bigint, OUT woke_run_ids text[])
  LANGUAGE plpgsql AS $$
  BEGIN
    SELECT d.message_id, d.woke_run_ids INTO message_id, woke_run_ids
    FROM ${s}.deliver(p_schema, p_now, p_event_key, p_tenant, p_payload) d;
    IF p_attribution IS NOT NULL THEN
      UPDATE ${s}.inbox SET attribution = p_attribution WHERE id = message_id;
    END IF;
  END $$;
  `,

  // Version 18 (scale): the inbox at a million runs. A consumed message stays until its run is pruned, so consumed
  // rows outnumber the others by far. pruneRuns deleted a batch's messages with a sequential scan of the whole inbox
  // (no index on consumed_by), once per batch; listing the undelivered messages (runs list --inbox) walked the primary
  // key through every consumed one. Both indexes are partial, so each holds only the rows its statement looks for.
  // Listing by status or workflow (newest first) walked the primary key backwards past every newer run of another
  // status: runs that wait for weeks sit behind all the runs finished since. A btree on (status) alone keeps its
  // entries in heap order, not pk order, so it cannot give the first page without sorting them all; (status, pk) and
  // (workflow, pk) give it in index order and replace the two (SQLite's indexes hold the rowid, pk, already).
  (s) => /* sql */ `
  CREATE INDEX inbox_consumed ON ${s}.inbox (consumed_by) WHERE consumed_by IS NOT NULL;
  CREATE INDEX inbox_undelivered ON ${s}.inbox (id) WHERE consumed_by IS NULL;
  CREATE INDEX runs_by_status ON ${s}.runs (status, pk);
  CREATE INDEX runs_by_workflow ON ${s}.runs (workflow, pk);
  DROP INDEX ${s}.runs_status;
  DROP INDEX ${s}.runs_workflow;
  `,

  // Version 19 (list indexes): the listings that still walked the whole table on a big database (npm run bench:scale). A
  // tenant's runs (what a tenant-scoped API key lists), alone, by status or sorted by last change: newest first they were
  // found by walking every other tenant's newer runs, or sorted whole for a page. Runs of an old version: by walking
  // every run of the newer versions. All runs sorted by last change: by sorting the whole table for a page. updated_at
  // changes at each claim and status change, so its two indexes cost those writes two more index entries; the others
  // change only when a run is created or changes status. Listing a tenant's runs by workflow still reads the workflow's
  // runs of every tenant (indexes for every combination of filters would slow every write; but see 20).
  (s) => /* sql */ `
  CREATE INDEX runs_tenant ON ${s}.runs (tenant, pk);
  CREATE INDEX runs_tenant_status ON ${s}.runs (tenant, status, pk);
  CREATE INDEX runs_version ON ${s}.runs (workflow, version, pk);
  CREATE INDEX runs_updated ON ${s}.runs (updated_at, pk);
  CREATE INDEX runs_tenant_updated ON ${s}.runs (tenant, updated_at, pk);
  `,

  // Version 20 (a tenant's runs of one workflow): every API listing carries the caller's tenant ("default" with --dev or
  // in a one-tenant database), so the UI's filter by workflow is a tenant-and-workflow listing. It read the workflow's
  // runs of every tenant, newest first, to find one tenant's page (or, planned as equalities, walked the primary key).
  // tenant, workflow and pk never change; an update that changes updated_at already adds an entry to every index.
  (s) => /* sql */ `
  CREATE INDEX runs_tenant_workflow ON ${s}.runs (tenant, workflow, pk);
  `,
];

/** Version 2's functions, replaced, with deliveries and pending-message checks limited to the run's tenant. */
function tenantScoped(s: string, version2: string): string {
  return replaceAll(version2, "migration 6", [
    ["CREATE FUNCTION", "CREATE OR REPLACE FUNCTION"],
    ["WHERE status = 'waiting' AND pk IN", "WHERE status = 'waiting' AND tenant = p_tenant AND pk IN"],
    [
      "ib.event_key = w.event_key AND ib.consumed_by IS NULL",
      `ib.event_key = w.event_key AND ib.consumed_by IS NULL AND ib.tenant = (SELECT t.tenant FROM ${s}.runs t WHERE t.pk = run.pk)`,
    ],
  ]);
}

/** Version 6's append_batch, replaced, writing each event's chain hash (chain.ts) with the event. */
function hashedAppends(s: string, version6: string): string {
  return replaceAll(version6, "migration 9", [
    ["wake_workers boolean := false;", "wake_workers boolean := false;\n    ev jsonb;\n    prev_hash text;\n    hashes text[];"],
    [
      `(SELECT coalesce(max(j.seq), 0) FROM ${s}.journal j WHERE j.run_pk = r.pk) AS last_seq
      INTO run FROM ${s}.runs r WHERE r.id = item->>'runId';`,
      `coalesce(last.seq, 0) AS last_seq, last.hash AS last_hash
      INTO run FROM ${s}.runs r LEFT JOIN LATERAL (
        SELECT j.seq, j.hash FROM ${s}.journal j WHERE j.run_pk = r.pk ORDER BY j.seq DESC LIMIT 1
      ) last ON true
      WHERE r.id = item->>'runId';`,
    ],
    [
      `INSERT INTO ${s}.journal (run_pk, seq, type, at, data)
        SELECT run.pk, run.last_seq + e.n, e.ev->>0, p_now, e.ev->>1
        FROM jsonb_array_elements(item->'events') WITH ORDINALITY e(ev, n);`,
      `-- The same bytes as chainHash in chain.ts and the journal_chain trigger ('' before the first event, and
        -- after events written before the chain existed).
        prev_hash := coalesce(run.last_hash, '');
        hashes := '{}';
        FOR n_event IN 0 .. jsonb_array_length(item->'events') - 1 LOOP
          ev := item->'events'->n_event;
          prev_hash := encode(sha256(convert_to(prev_hash || E'\n' || (run.last_seq + n_event + 1)::text || E'\n' ||
            (ev->>0) || E'\n' || p_now::text || E'\n' || (ev->>1), 'UTF8')), 'hex');
          hashes := hashes || prev_hash;
        END LOOP;
        INSERT INTO ${s}.journal (run_pk, seq, type, at, data, hash)
        SELECT run.pk, run.last_seq + e.n, e.ev->>0, p_now, e.ev->>1, hashes[e.n]
        FROM jsonb_array_elements(item->'events') WITH ORDINALITY e(ev, n);`,
    ],
  ]);
}

/** Version 9's append_batch, replaced, locking a lone run where it is read (version 11). */
function singleRunLock(s: string, version9: string): string {
  return replaceAll(version9, "migration 11", [
    [
      `PERFORM 1 FROM ${s}.runs WHERE id = ANY(p_run_ids) ORDER BY pk FOR UPDATE;`,
      `IF cardinality(p_run_ids) > 1 OR cardinality(p_suspending) > 0 OR cardinality(p_keys) > 0 THEN
      PERFORM 1 FROM ${s}.runs WHERE id = ANY(p_run_ids) ORDER BY pk FOR UPDATE;
    END IF;`,
    ],
    [
      `) last ON true
      WHERE r.id = item->>'runId';`,
      `) last ON true
      WHERE r.id = item->>'runId'
      FOR UPDATE OF r;`,
    ],
  ]);
}

/** `text` with each [from, to] replaced; a `from` that is missing is a bug in the migration that names it. */
function replaceAll(text: string, migration: string, changes: Array<[string, string]>): string {
  let result = text;
  for (const [from, to] of changes) {
    if (!result.includes(from)) throw internalError(`schema ${migration}: "${from.slice(0, 60)}…" is not in the text it changes`);
    result = result.replaceAll(from, to);
  }
  return result;
}

export const SCHEMA_VERSION = MIGRATIONS.length;

/** Double-quotes a name SCHEMA_NAME (url.ts) accepted (it cannot contain a quote, so nothing needs escaping). */
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
