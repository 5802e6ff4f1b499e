// A transactional step killed at every failpoint: the row it inserts into the application's table and its
// step_completed record are both present or both absent, on SQLite and on PostgreSQL; after a worker takes the
// run over there is exactly one row and one record.
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import type { JournalEvent } from "../../src/index.js";
import { type CliOptions, duro, duroJson, fixture, freshDir, removeTempDirs, sqliteUrl } from "../support/cli.js";
import { freshPgUrl, PG_URL } from "../support/postgres.js";

afterAll(removeTempDirs);

const FILE = fixture("transactional.ts");
const RUN_ID = "r_tx_crash_1";
const ROW_ID = `${RUN_ID}:insert#0`;
const FAILPOINTS = ["before_step", "during_step", "after_step_effect", "after_step_journaled"] as const;

interface Backend {
  db: string;
  table: string;
  /** Creates the application's table (after duro's schema exists). */
  createTable(): Promise<void>;
  /** The rows the application's table holds (committed). */
  rows(): Promise<Array<{ id: string; attempt: number }>>;
  close(): Promise<void>;
}

function sqliteBackend(dir: string): Backend {
  const path = join(dir, "duro.db");
  const open = () => new Database(path);
  const withDb = <T>(work: (db: Database.Database) => T): T => {
    const db = open();
    try {
      return work(db);
    } finally {
      db.close();
    }
  };
  return {
    db: sqliteUrl(path),
    table: "orders",
    createTable: async () => {
      withDb((db) => db.exec("CREATE TABLE orders (id TEXT PRIMARY KEY, attempt INTEGER NOT NULL)"));
    },
    rows: async () => withDb((db) => db.prepare("SELECT id, attempt FROM orders").all() as Array<{ id: string; attempt: number }>),
    close: async () => {},
  };
}

function postgresBackend(): Backend {
  const db = freshPgUrl();
  const schema = new URL(db).searchParams.get("schema") as string;
  const table = `"${schema}".orders`;
  const pool = new pg.Pool({ connectionString: PG_URL, max: 1 });
  return {
    db,
    table,
    createTable: async () => void (await pool.query(`CREATE TABLE ${table} (id text PRIMARY KEY, attempt integer NOT NULL)`)),
    rows: async () => (await pool.query(`SELECT id, attempt FROM ${table}`)).rows,
    close: () => pool.end(),
  };
}

async function journal(db: string, options: CliOptions): Promise<JournalEvent[]> {
  return duroJson<JournalEvent[]>(["runs", "events", RUN_ID, "--db", db], options);
}

const completedInserts = (events: JournalEvent[]) => events.filter((e) => e.type === "step_completed" && e.key === "insert#0").length;

describe.each([
  ["SQLite", (dir: string) => sqliteBackend(dir)],
  ["PostgreSQL", () => postgresBackend()],
] as const)("%s", (_name, makeBackend) => {
  for (const point of FAILPOINTS) {
    it(`killed at ${point}: the row and the record agree, and the resumed run leaves exactly one of each`, async () => {
      const dir = freshDir("duro-tx-crash-");
      const backend = makeBackend(dir);
      const options: CliOptions = { cwd: dir, timeoutMs: 30_000 };
      try {
        expect((await duro(["db", "migrate", "--db", backend.db], options)).code).toBe(0);
        await backend.createTable();

        const killed = await duro(
          ["run", FILE, "--db", backend.db, "--id", RUN_ID, "--lease-ms", "300", "--input", JSON.stringify({ table: backend.table })],
          { ...options, env: { DURO_FAILPOINTS: `${point}:insert#0` } },
        );
        expect(killed.signal).toBe("SIGKILL");

        const rowsAtCrash = (await backend.rows()).length;
        const recordsAtCrash = completedInserts(await journal(backend.db, options));
        expect(rowsAtCrash).toBe(recordsAtCrash);
        expect(rowsAtCrash).toBe(point === "after_step_journaled" ? 1 : 0);

        const worker = await duro(["worker", FILE, "--db", backend.db, "--until-idle", "--lease-ms", "300"], options);
        expect(worker.code, worker.stderr).toBe(0);

        const run = await duroJson<{ status: string; output: unknown }>(["runs", "show", RUN_ID, "--db", backend.db], options);
        expect(run).toMatchObject({ status: "completed", output: `confirmed ${ROW_ID}` });
        const rows = await backend.rows();
        expect(rows.map((r) => r.id)).toEqual([ROW_ID]);
        expect(completedInserts(await journal(backend.db, options))).toBe(1);
        // The attempt that committed is the one the journal started last: the killed one (1) left nothing behind.
        const started = (await journal(backend.db, options)).filter((e) => e.type === "step_started" && e.key === "insert#0");
        expect(Number(rows[0]?.attempt)).toBe((started.at(-1) as { attempt: number }).attempt);
      } finally {
        await backend.close();
      }
    }, 90_000);
  }
});
