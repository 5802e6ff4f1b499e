// The query plans that keep retention and the inbox listing flat as history grows (issue 18, `npm run bench:scale`):
// on a database whose inbox holds thousands of consumed messages, the statements that prune a run's messages and that
// list the undelivered ones read them through their partial indexes, not a scan of the whole inbox.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { openPostgresStore } from "../../src/store/postgres/index.js";
import { postgresQueries } from "../../src/store/postgres/queries.js";
import { openSqliteStore } from "../../src/store/sqlite/index.js";
import { LIST_INBOX, PRUNE_INBOX } from "../../src/store/sqlite/queries.js";
import { DROP_TIMEOUT_MS, PG_URL } from "../support/postgres.js";

const CONSUMED = 20_000;

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
});
