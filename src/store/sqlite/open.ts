// Opens a duro SQLite database: refuses a missing directory or a file that is not SQLite (without touching
// it), sets WAL and the durability level, and brings the schema up to date.
import { closeSync, existsSync, openSync, readSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type Database from "better-sqlite3";
import { DuroError, inputError } from "../../core/index.js";
import { sqliteDriver } from "./driver.js";
import { COUNT_USER_TABLES, HAS_META_TABLE, MIGRATIONS, READ_SCHEMA_VERSION, SCHEMA_VERSION, WRITE_SCHEMA_VERSION } from "./schema.js";

const SQLITE_HEADER = Buffer.from("SQLite format 3\0", "latin1");

export interface OpenOptions {
  synchronous: "normal" | "full";
  /** How long a write waits for another process's transaction before failing with `db_busy`. */
  busyTimeoutMs: number;
}

export function openDatabase(path: string, options: OpenOptions): Database.Database {
  if (path !== ":memory:") checkPath(path);
  let db: Database.Database;
  try {
    db = new (sqliteDriver())(path);
  } catch (cause) {
    throw new DuroError("db_open_failed", `cannot open the database ${path}: ${(cause as Error).message}`, {
      category: "storage",
      details: { path },
      cause,
    });
  }
  try {
    db.pragma(`busy_timeout = ${options.busyTimeoutMs}`);
    schemaVersion(db, path); // refuses a foreign SQLite database before WAL mode changes its file
    db.pragma("journal_mode = WAL");
    // In WAL mode NORMAL never corrupts the database; it may lose the last commits on power loss. FULL does not.
    db.pragma(`synchronous = ${options.synchronous === "full" ? "FULL" : "NORMAL"}`);
    migrate(db, path);
    return db;
  } catch (error) {
    db.close();
    throw unreadable(error, path);
  }
}

/** SQLite's own "not a database" / "corrupt" errors become `db_invalid`; anything else passes through. */
function unreadable(error: unknown, path: string): unknown {
  const code = (error as { code?: unknown }).code;
  if (code !== "SQLITE_NOTADB" && code !== "SQLITE_CORRUPT") return error;
  return new DuroError(
    "db_invalid",
    `${path} is not a readable duro database (${(error as Error).message}); restore it from a backup or choose another path`,
    {
      category: "input",
      details: { path },
      cause: error,
    },
  );
}

/** Fails before SQLite opens (and so possibly creates or rewrites) anything it should not. */
function checkPath(path: string): void {
  const file = resolve(path);
  const dir = dirname(file);
  if (!existsSync(dir)) {
    throw inputError(
      "db_not_found",
      `cannot open the database ${file}: the directory ${dir} does not exist; create it (mkdir -p ${dir}) or choose another path`,
      { path: file, directory: dir },
    );
  }
  if (!existsSync(file)) return;
  if (statSync(file).isDirectory() || !hasSqliteHeader(file)) {
    throw inputError(
      "db_invalid",
      `${file} is not a duro database (it is not a SQLite file); it was left untouched, pass the path of a duro database or a new file`,
      { path: file },
    );
  }
}

function hasSqliteHeader(file: string): boolean {
  if (statSync(file).size === 0) return true; // an empty file is a new database
  const header = Buffer.alloc(SQLITE_HEADER.length);
  const fd = openSync(file, "r");
  try {
    return readSync(fd, header, 0, header.length, 0) === header.length && header.equals(SQLITE_HEADER);
  } finally {
    closeSync(fd);
  }
}

/** Applies the migrations the file has not seen, in one write transaction (so two processes opening at once agree). */
function migrate(db: Database.Database, path: string): void {
  // Up to date (every open but the first after an upgrade): no write lock. Taking it at every open made a worker
  // starting beside busy ones wait behind their commits, and fail with "database is locked" past the busy timeout.
  if (schemaVersion(db, path) === SCHEMA_VERSION) return;
  db.transaction(() => {
    const version = schemaVersion(db, path);
    if (version > SCHEMA_VERSION) {
      throw inputError(
        "db_version_unsupported",
        `${path} has schema version ${version} but this duro knows up to ${SCHEMA_VERSION}; upgrade duro to open it`,
        { path, version, supported: SCHEMA_VERSION },
      );
    }
    for (const sql of MIGRATIONS.slice(version)) db.exec(sql);
    if (version < SCHEMA_VERSION) db.prepare(WRITE_SCHEMA_VERSION).run(String(SCHEMA_VERSION));
  }).immediate();
}

function schemaVersion(db: Database.Database, path: string): number {
  if (db.prepare(HAS_META_TABLE).get() === undefined) {
    const { n } = db.prepare<[], { n: number }>(COUNT_USER_TABLES).get() as { n: number };
    if (n > 0) {
      throw inputError("db_invalid", `${path} is a SQLite database but not a duro one; it was left untouched, choose another path`, {
        path,
      });
    }
    return 0;
  }
  const row = db.prepare<[], { value: string }>(READ_SCHEMA_VERSION).get();
  return row === undefined ? 0 : Number(row.value);
}
