// The bulk path of `npm run bench:scale`: it fills a database with runs by cloning runs the engine itself wrote.
// A few template runs go through the real engine (createEngine, a worker, the real store); their rows (runs, journal,
// waits, consumed inbox messages) are read back and inserted again many times with fresh ids, so every table and index
// holds exactly what the engine would have written. A clone differs from its template only in its ids (run id, pk,
// event key), its times (created_at, updated_at, ready_at, a timer's until) and, where its journal's data changed
// with them, the chain hashes, recomputed as the store computes them (chain.ts on SQLite, the journal_chain trigger on
// PostgreSQL). Journal rows keep their template's `at`: it is not indexed, and it is part of every hash.
import Database from "better-sqlite3";
import pg from "pg";
import { chainHash } from "../dist/store/chain.js";

const DAY_MS = 86_400_000;

/**
 * A database opened directly (better-sqlite3, or one pg connection) for what the bench writes in bulk and inspects:
 * `read` a template run's rows, `insert` rows of many runs in one transaction, `size` of what it holds.
 */
export function sqliteBulk(path) {
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma("busy_timeout = 10000");
  const inserts = new Map();
  const insertInto = (table, row) => {
    let statement = inserts.get(table);
    if (!statement) {
      const columns = Object.keys(row);
      statement = db.prepare(`INSERT INTO ${table} (${columns.join(", ")}) VALUES (${columns.map((c) => `@${c}`).join(", ")})`);
      inserts.set(table, statement);
    }
    statement.run(row);
  };
  const writeAll = db.transaction((batch) => {
    for (const [table, rows] of Object.entries(batch)) for (const row of rows) insertInto(table, row);
  });
  return {
    store: "sqlite",
    table: (name) => name,
    hashOf: (previous, row) => Buffer.from(chainHash(previous ? previous.toString("hex") : "", row.seq, row.type, row.at, row.data), "hex"),
    async read(runId) {
      const run = db.prepare("SELECT * FROM runs WHERE id = ?").get(runId);
      return {
        run,
        journal: db.prepare("SELECT * FROM journal WHERE run_pk = ? ORDER BY seq").all(run.pk),
        waits: db.prepare("SELECT * FROM waits WHERE run_pk = ?").all(run.pk),
        inbox: db.prepare("SELECT * FROM inbox WHERE consumed_by = ?").all(run.pk),
      };
    },
    async nextIds() {
      const { runs, inbox } = db.prepare("SELECT (SELECT max(pk) FROM runs) AS runs, (SELECT max(id) FROM inbox) AS inbox").get();
      return { pk: (runs ?? 0) + 1, inbox: (inbox ?? 0) + 1 };
    },
    async insert(batch) {
      writeAll(batch);
    },
    async finish() {},
    /** The file's bytes after a TRUNCATE checkpoint (the WAL folded in). */
    async size() {
      db.pragma("wal_checkpoint(TRUNCATE)");
      return db.prepare("SELECT page_count * page_size AS bytes FROM pragma_page_count(), pragma_page_size()").get().bytes;
    },
    async query(sql, params = []) {
      return db.prepare(sql).all(...params);
    },
    async close() {
      db.close();
    },
  };
}

/** The same for schema `schema` of the PostgreSQL server at `url`. */
export async function postgresBulk(url, schema) {
  const client = new pg.Client({ connectionString: url, application_name: "duro-bench-scale" });
  await client.connect();
  const s = `"${schema}"`;
  const rows = async (sql, params) => (await client.query(sql, params)).rows;
  return {
    store: "postgres",
    table: (name) => `${s}.${name}`,
    // NULL: the journal_chain trigger computes the hash from the previous row, as it does for createRun's rows.
    hashOf: () => null,
    async read(runId) {
      const [run] = await rows(`SELECT * FROM ${s}.runs WHERE id = $1`, [runId]);
      return {
        run,
        journal: await rows(`SELECT * FROM ${s}.journal WHERE run_pk = $1 ORDER BY seq`, [run.pk]),
        waits: await rows(`SELECT * FROM ${s}.waits WHERE run_pk = $1`, [run.pk]),
        inbox: await rows(`SELECT * FROM ${s}.inbox WHERE consumed_by = $1`, [run.pk]),
      };
    },
    async nextIds() {
      const [ids] = await rows(`SELECT (SELECT max(pk) FROM ${s}.runs) AS runs, (SELECT max(id) FROM ${s}.inbox) AS inbox`);
      return { pk: Number(ids.runs ?? 0) + 1, inbox: Number(ids.inbox ?? 0) + 1 };
    },
    async insert(batch) {
      await client.query("BEGIN");
      try {
        for (const [table, list] of Object.entries(batch)) {
          if (list.length === 0) continue;
          // json_populate_recordset maps each object's keys to the table's columns by name, with their types.
          await client.query(`INSERT INTO ${s}.${table} SELECT * FROM json_populate_recordset(NULL::${s}.${table}, $1)`, [
            JSON.stringify(list),
          ]);
        }
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK");
        throw error;
      }
    },
    /**
     * The sequences move past the explicit ids the clones took; the tables as autovacuum leaves a database that grew
     * over months: vacuumed and analysed. Left to autovacuum, the 1M rows inserted in a minute were vacuumed while the
     * first figures were taken, which a database that grew slowly never sees (a start's p99 went from 2.2 to 5.1 ms).
     */
    async finish() {
      await client.query(`SELECT setval('${s}.runs_pk_seq', coalesce((SELECT max(pk) FROM ${s}.runs), 1))`);
      await client.query(`SELECT setval('${s}.inbox_id_seq', coalesce((SELECT max(id) FROM ${s}.inbox), 1))`);
      await client.query(`VACUUM (ANALYZE) ${s}.runs, ${s}.journal, ${s}.waits, ${s}.inbox`);
    },
    /** Bytes of the schema's tables with their indexes and TOAST. */
    async size() {
      await client.query("CHECKPOINT").catch(() => {});
      const [row] = await rows(
        `SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::float8 AS bytes FROM pg_class c
         JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind = 'r'`,
        [schema],
      );
      return row.bytes;
    },
    async query(sql, params = []) {
      return rows(sql, params);
    },
    async close() {
      await client.end();
    },
  };
}

/**
 * Inserts `count` clones of `template` (rows from `bulk.read`) in transactions of `batchSize` runs. `shape(n)` gives
 * clone n's id, times and replacements: `{ id, createdAt, updatedAt, readyAt?, tenant?, version?, replace?: [[from, to], ...] }`; a clone
 * with replacements gets them in its journal data, waits and inbox rows, and new chain hashes. `onProgress(done)`
 * after each batch.
 */
export async function cloneRuns(bulk, template, count, shape, { batchSize = 5_000, onProgress = () => {} } = {}) {
  const ids = await bulk.nextIds();
  for (let from = 0; from < count; from += batchSize) {
    const batch = { runs: [], journal: [], waits: [], inbox: [] };
    for (let n = from; n < Math.min(count, from + batchSize); n++) {
      addClone(bulk, batch, template, ids.pk++, ids, shape(n));
    }
    await bulk.insert(batch);
    onProgress(Math.min(count, from + batchSize));
  }
}

function addClone(bulk, batch, template, pk, ids, { id, createdAt, updatedAt, readyAt, tenant, version, replace = [] }) {
  const replacements = [[template.run.id, id], ...replace];
  const fix = (text) => (typeof text === "string" ? replacements.reduce((t, [from, to]) => t.replaceAll(from, to), text) : text);
  batch.runs.push({
    ...template.run,
    pk,
    id,
    created_at: createdAt,
    updated_at: updatedAt,
    ready_at: readyAt === undefined ? template.run.ready_at : readyAt,
    tenant: tenant ?? template.run.tenant,
    version: version ?? template.run.version,
  });
  // Once one event's bytes differ from the template's, its hash and every later one in the chain are new.
  let rehash = false;
  let previous = null;
  for (const row of template.journal) {
    const data = fix(row.data);
    rehash ||= data !== row.data;
    const hash = rehash ? bulk.hashOf(previous, { ...row, data }) : row.hash;
    batch.journal.push({ ...row, run_pk: pk, data, hash });
    previous = hash;
  }
  for (const wait of template.waits) {
    batch.waits.push({ ...wait, run_pk: pk, event_key: fix(wait.event_key), spec: fix(wait.spec) });
  }
  for (const message of template.inbox) {
    batch.inbox.push({
      ...message,
      id: ids.inbox++,
      tenant: tenant ?? message.tenant,
      consumed_by: pk,
      event_key: fix(message.event_key),
      payload: fix(message.payload),
    });
  }
}

/** Times spread evenly over [from, from + days) by clone number, so that neighbouring clones are far apart. */
export function spread(n, count, from, days) {
  const slot = (n * 7919) % count;
  return Math.floor(from + (slot / count) * days * DAY_MS);
}

export { DAY_MS };
