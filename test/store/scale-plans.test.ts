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
  { filter: { tenant: "small", workflow: "w" }, index: "runs_tenant_workflow" },
  { filter: { workflow: "w", version: "old" }, index: "runs_version" },
  // What the API sends for `?workflow=w&version=old` in a one-tenant database.
  { filter: { tenant: "default", workflow: "w", version: "old" }, index: "runs_version" },
  { filter: { sort: "updated" }, index: "runs_updated" },
  { filter: { tenant: "small", sort: "updated" }, index: "runs_tenant_updated" },
] as const;

/**
 * RUNS runs: one in a hundred of tenant "small", the newest tenth waiting. Workflow "w" ran first, then "c", then "a",
 * so the workflow's order is not the primary key's; version "old" is the oldest tenth of "w" and of "c", far below the
 * newest runs. PostgreSQL's planner takes rows matching several equalities to be spread evenly over the primary key,
 * so, written as equalities, an old version's page looked cheaper to find by walking the primary key from the newest
 * run (it read 90 % of the table) than by runs_version. The same statement for both stores (SQLite's and PostgreSQL's
 * generate_series differ only in the table's name).
 */
const runRows = (
  pkOffset: number,
) => `SELECT i + ${pkOffset}, 'list' || i, CASE WHEN i <= ${RUNS * 0.8} THEN 'w' WHEN i <= ${RUNS * 0.9} THEN 'c' ELSE 'a' END,
  CASE WHEN i <= ${RUNS * 0.08} OR i BETWEEN ${RUNS * 0.8} AND ${RUNS * 0.82} THEN 'old' ELSE 'v1' END,
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
        `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${RUNS}) INSERT INTO runs ${RUN_COLUMNS} ${runRows(0)} FROM n`,
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

  // Sent unnamed, so planned with its values each time; and a seek over its index's columns, so that index is the only
  // one that gives the order asked for, and a plan made without the values (a named statement's generic plan, forced
  // here) cannot walk the primary key instead. The first page and one further on, from a cursor.
  it("reads a tenant's page, an old version's and the sort by last change from their indexes, unsorted", async () => {
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    try {
      await client.query(`INSERT INTO "${schema}".runs ${RUN_COLUMNS} OVERRIDING SYSTEM VALUE ${runRows(1_000_000)}
        FROM generate_series(1, ${RUNS}) i`);
      await client.query(`ANALYZE "${schema}".runs`);
      const cursors = [undefined, { pk: 1_000_000 + RUNS * 0.81, updatedAt: RUNS * 0.81 + 1000 }];
      let n = 0;
      for (const mode of ["force_custom_plan", "force_generic_plan"]) {
        await client.query(`SET plan_cache_mode = ${mode}`);
        for (const { filter, index } of LISTINGS) {
          for (const cursor of cursors) {
            const { sort = "created", ...filters } = filter as { sort?: "updated" } & Record<string, string>;
            const query = listRunsQuery(`"${schema}"`, { ...filters, sort, cursor, limit: 51 });
            await client.query("BEGIN");
            // A seek goes with its values written in, after its settings; any other listing as a statement with
            // parameters, unnamed (a named one would be planned once without its values after five executions).
            if (query.settings !== undefined) await client.query(query.settings);
            await client.query({ text: `PREPARE list_${++n} AS ${query.text}` });
            const args = query.values.map((v: string | number) => (typeof v === "number" ? v : `'${v}'`)).join(", ");
            const { rows } = await client.query(`EXPLAIN EXECUTE list_${n}${args ? ` (${args})` : ""}`);
            await client.query("ROLLBACK");
            const plan = rows.map((row: { "QUERY PLAN": string }) => row["QUERY PLAN"]).join("\n");
            const what = `${mode} ${JSON.stringify(filter)} ${cursor ? "from a cursor" : "first page"}`;

            expect(plan, what).toMatch(new RegExp(`Index (Only )?Scan Backward using ${index} `));
            expect(plan, what).not.toMatch(/Sort/);
          }
        }
      }
    } finally {
      await client.end();
    }
  });
});
