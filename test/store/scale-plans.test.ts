// The query plans that keep retention and the listings flat as history grows (issue 18, `npm run bench:scale`): on a
// database whose inbox holds thousands of consumed messages, the statements that prune a run's messages and that list
// the undelivered ones read them through their partial indexes, not a scan of the whole inbox; and the runs listings a
// tenant's API key, a version filter and the sort by last change make read their page from an index in order, where
// they walked or sorted the whole table.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { openPostgresStore } from "../../src/store/postgres/index.js";
import { listRunsQuery, postgresQueries } from "../../src/store/postgres/queries.js";
import { openSqliteStore } from "../../src/store/sqlite/index.js";
import { LIST_INBOX, type ListRunsShape, listRunsSql, PRUNE_INBOX } from "../../src/store/sqlite/queries.js";
import { DROP_TIMEOUT_MS, PG_URL } from "../support/postgres.js";

const CONSUMED = 20_000;
const RUNS = 20_000;

/** Listings and the index each must read its page from, in order (no sort of the rows found). */
const LISTINGS = [
  { filter: { tenant: "small" }, index: "runs_tenant" },
  { filter: { tenant: "small", status: "completed" }, index: "runs_tenant_status" },
  { filter: { workflow: "w", version: "old" }, index: "runs_version" },
  { filter: { sort: "updated" }, index: "runs_updated" },
  { filter: { tenant: "small", sort: "updated" }, index: "runs_tenant_updated" },
] as const;

/**
 * RUNS runs: one in a hundred of tenant "small", the oldest tenth of version "old", the newest tenth waiting. The same
 * statement for both stores (SQLite's and PostgreSQL's generate_series differ only in the table's name).
 */
const RUN_ROWS = `SELECT i, 'r' || i, 'w', CASE WHEN i <= ${RUNS / 10} THEN 'old' ELSE 'v1' END,
  CASE WHEN i % 100 = 7 THEN 'small' ELSE 'default' END, CASE WHEN i > ${RUNS * 0.9} THEN 'waiting' ELSE 'completed' END,
  i, i + 1000`;
const RUN_COLUMNS = "(pk, id, workflow, version, tenant, status, created_at, updated_at)";

describe("SQLite plans at scale", () => {
  const dir = mkdtempSync(join(tmpdir(), "duro-plans-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("prunes a run's messages and lists undelivered ones through their indexes, not a scan of the inbox", async () => {
    const path = join(dir, "duro.db");
    const store = openSqliteStore(path);
    await store.listRuns({ limit: 1 }); // opens the file and applies every migration
    await store.close();
    const db = new Database(path);
    try {
      db.prepare(
        `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
         INSERT INTO inbox (event_key, tenant, payload, created_at, consumed_by, consumed_at)
         SELECT 'k' || i, 'default', '{}', i, i, i FROM n`,
      ).run(CONSUMED);
      db.exec("ANALYZE");
      const plan = (sql: string) =>
        db
          .prepare(`EXPLAIN QUERY PLAN ${sql}`)
          .all(sql.includes("@") ? { tenant: null, limit: 50 } : [1])
          .map((row) => (row as { detail: string }).detail)
          .join("; ");

      expect(plan(PRUNE_INBOX)).toMatch(/USING (COVERING )?INDEX inbox_consumed/);
      expect(plan(LIST_INBOX)).toMatch(/USING INDEX inbox_undelivered/);
    } finally {
      db.close();
    }
  });

  // Without ANALYZE, as duro leaves a database: the planner's guesses must pick the index on their own.
  it("reads a tenant's page, an old version's and the sort by last change from their indexes, unsorted", async () => {
    const path = join(dir, "lists.db");
    const store = openSqliteStore(path);
    await store.listRuns({ limit: 1 });
    await store.close();
    const db = new Database(path);
    try {
      db.prepare(
        `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${RUNS}) INSERT INTO runs ${RUN_COLUMNS} ${RUN_ROWS} FROM n`,
      ).run();
      for (const { filter, index } of LISTINGS) {
        const shape = Object.fromEntries(
          ["status", "workflow", "parentRunId", "tenant", "session", "actor", "waitingFor", "version", "since", "until", "cursor"].map(
            (name) => [name, name in filter],
          ),
        );
        const sql = listRunsSql({ ...shape, sort: "sort" in filter ? filter.sort : "created" } as ListRunsShape);
        const params = { ...filter, limit: 51 };
        delete (params as { sort?: string }).sort;
        const plan = db
          .prepare(`EXPLAIN QUERY PLAN ${sql}`)
          .all(params)
          .map((row) => (row as { detail: string }).detail)
          .join("; ");

        expect(plan, JSON.stringify(filter)).toMatch(new RegExp(`(SEARCH|SCAN) runs USING INDEX ${index}\\b`));
        expect(plan, JSON.stringify(filter)).not.toMatch(/TEMP B-TREE/);
      }
    } finally {
      db.close();
    }
  });
});

describe("PostgreSQL plans at scale", () => {
  const schema = `duro_plans_${process.pid}`;
  afterAll(async () => {
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.end();
  }, DROP_TIMEOUT_MS);

  it("prunes a batch's messages through inbox_consumed, not a sequential scan of the inbox", async () => {
    const store = openPostgresStore(PG_URL, { schema });
    await store.listRuns({ limit: 1 });
    await store.close();
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    try {
      await client.query(
        `INSERT INTO "${schema}".inbox (event_key, tenant, payload, created_at, consumed_by, consumed_at)
         SELECT 'k' || i, 'default', '{}', i, i, i FROM generate_series(1, $1) i`,
        [CONSUMED],
      );
      await client.query(`INSERT INTO "${schema}".runs (id, workflow, version, tenant, status, created_at, updated_at)
        SELECT 'r' || i, 'w', '1', 'default', 'completed', i, i FROM generate_series(1, 2000) i`);
      await client.query(`ANALYZE "${schema}".inbox, "${schema}".runs`);
      const prune = postgresQueries(`"${schema}"`).pruneRuns.text;
      await client.query(`PREPARE prune (text, bigint, int, text[]) AS ${prune}`);
      const { rows } = await client.query("EXPLAIN EXECUTE prune ('completed', 10, 100, NULL)");
      const plan = rows.map((row: { "QUERY PLAN": string }) => row["QUERY PLAN"]).join("\n");

      expect(plan).toMatch(/inbox_consumed/);
      expect(plan).not.toMatch(/Seq Scan on inbox/);
    } finally {
      await client.end();
    }
  });

  // Planned with its values each time, as the store sends it (unnamed; a named statement's generic plan, chosen without
  // them, walked the primary key past the 99 % of "default" runs for tenant "small").
  it("reads a tenant's page, an old version's and the sort by last change from their indexes, unsorted", async () => {
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    try {
      await client.query(`INSERT INTO "${schema}".runs ${RUN_COLUMNS} OVERRIDING SYSTEM VALUE ${RUN_ROWS}
        FROM generate_series(1000001, ${1_000_000 + RUNS}) i`);
      await client.query(`ANALYZE "${schema}".runs`);
      await client.query("SET plan_cache_mode = force_custom_plan");
      for (const [n, { filter, index }] of LISTINGS.entries()) {
        const { sort = "created", ...filters } = filter as { sort?: "updated" } & Record<string, string>;
        const query = listRunsQuery(`"${schema}"`, { ...filters, sort, limit: 51 });
        // Unnamed: a named statement would be planned once without its values after five executions.
        expect(query.name).toBeUndefined();
        await client.query({ text: `PREPARE list_${n} AS ${query.text}` });
        const { rows } = await client.query(
          `EXPLAIN EXECUTE list_${n} (${(query.values ?? []).map((v) => (typeof v === "number" ? v : `'${v}'`)).join(", ")})`,
        );
        const plan = rows.map((row: { "QUERY PLAN": string }) => row["QUERY PLAN"]).join("\n");

        expect(plan, JSON.stringify(filter)).toMatch(new RegExp(`Index (Only )?Scan Backward using ${index} `));
        expect(plan, JSON.stringify(filter)).not.toMatch(/Sort/);
      }
    } finally {
      await client.end();
    }
  });
});
