// PostgreSQL for tests: the server in DURO_TEST_PG (which the suite's global setup, global-postgres.ts, always sets:
// to the server it found or started), and a schema of its own for every store a test opens, all dropped when the
// test file is done.
import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll } from "vitest";

export const PG_URL = process.env.DURO_TEST_PG ?? "postgres://postgres@127.0.0.1:5432/test";
/** Dropping a file's schemas takes seconds on a busy machine; more than vitest's default hook timeout allows. */
export const DROP_TIMEOUT_MS = 120_000;
const PREFIX = `duro_t_${process.pid}_${randomBytes(3).toString("hex")}`;
const schemas: string[] = [];

/** A new schema name for one store; dropped after the file's tests. */
export function freshSchema(): string {
  const schema = `${PREFIX}_${schemas.length}`;
  schemas.push(schema);
  return schema;
}

/** A `--db` URL for the test server in a fresh schema. */
export function freshPgUrl(): string {
  const url = new URL(PG_URL);
  url.searchParams.set("schema", freshSchema());
  return url.toString();
}

afterAll(async () => {
  if (schemas.length === 0) return;
  const admin = new pg.Pool({ connectionString: PG_URL, max: 1 });
  try {
    for (const schema of schemas.splice(0)) await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await admin.end();
  }
}, DROP_TIMEOUT_MS);
