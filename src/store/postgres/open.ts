// Opens a duro PostgreSQL database (the URL is read in url.ts): makes the store's bounded pool with int8 columns
// read as numbers, and brings the schema up to date. The migration runs in one transaction under an
// advisory lock, so processes that start at once agree: one migrates, the others wait and then find it done.
import type pg from "pg";
import { inputError, internalError } from "../../core/index.js";
import { pgDriver } from "./driver.js";
import {
  COUNT_SCHEMA_TABLES,
  createSchema,
  HAS_META_TABLE,
  LOCK_MIGRATIONS,
  MIGRATIONS,
  quoteSchema,
  readSchemaVersion,
  SCHEMA_VERSION,
  writeSchemaVersion,
} from "./schema.js";

export const DEFAULT_SCHEMA = "duro";

export interface PoolOptions {
  poolSize: number;
  connectTimeoutMs: number;
}

/** A pool of its own, so the int8 parser below applies to this store only, never to other pg users in the process. */
export function createPool(connectionString: string, options: PoolOptions): pg.Pool {
  const driver = pgDriver();
  const types = new driver.TypeOverrides();
  types.setTypeParser(driver.types.builtins.INT8, parseInt8);
  const pool = new driver.Pool({
    connectionString,
    max: options.poolSize,
    connectionTimeoutMillis: options.connectTimeoutMs,
    // A CLI command ends when its work does; idle connections must not keep the process alive.
    allowExitOnIdle: true,
    types,
    application_name: "duro",
  });
  // An idle connection the server dropped (restart, idle timeout) is reported here and removed from the pool; the
  // next checkout opens a new one, and a server that stays down surfaces as db_unavailable on that checkout. Without
  // a listener, pg's 'error' event would crash the process.
  pool.on("error", () => undefined);
  // The same for a connection that breaks while checked out between two queries of a transaction: the next query
  // fails (and the transaction with it) instead of an unhandled 'error' event killing the process.
  pool.on("connect", (client) => client.on("error", () => undefined));
  return pool;
}

/** A connection of its own for LISTEN (a pooled one would be handed to other work): see PostgresStore.subscribe. */
export function createListener(connectionString: string, connectTimeoutMs: number): pg.Client {
  const client = new (pgDriver().Client)({ connectionString, connectionTimeoutMillis: connectTimeoutMs, application_name: "duro-listen" });
  // A listener that lost its connection only means waiting for the next poll; without a listener the 'error' event
  // would crash the process.
  client.on("error", () => undefined);
  return client;
}

/** bigint columns (epoch ms, pks, counts) as numbers; they stay far below 2^53, and a value that does not is refused. */
function parseInt8(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) {
    throw internalError(`the database returned ${text}, which does not fit a JavaScript number`);
  }
  return value;
}

/** Applies the migrations `schema` has not seen, in one transaction under the schema's migration lock. */
export async function migrate(pool: pg.Pool, schema: string): Promise<void> {
  // Almost always the schema is up to date: one read says so, without the transaction and lock a migration needs
  // (every process that opens the store pays this, a worker at each start). The version is written in the same
  // transaction as the migrations it counts, so reading the current one means they are all there.
  if ((await upToDate(pool, schema)) === true) return;
  const quoted = quoteSchema(schema);
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query("BEGIN");
    await client.query(LOCK_MIGRATIONS, [schema]);
    await client.query(createSchema(quoted));
    const version = await schemaVersion(client, schema);
    if (version > SCHEMA_VERSION) {
      throw inputError(
        "db_version_unsupported",
        `schema ${schema} has duro schema version ${version} but this duro knows up to ${SCHEMA_VERSION}; upgrade duro to open it`,
        { schema, version, supported: SCHEMA_VERSION },
      );
    }
    for (const migration of MIGRATIONS.slice(version)) await client.query(migration(quoted));
    if (version < SCHEMA_VERSION) await client.query(writeSchemaVersion(quoted), [String(SCHEMA_VERSION)]);
    await client.query("COMMIT");
  } catch (error) {
    broken = await rollback(client);
    throw error;
  } finally {
    client.release(broken);
  }
}

/** Whether the schema's recorded version is this duro's; undefined when there is no version to read yet. */
async function upToDate(pool: pg.Pool, schema: string): Promise<boolean | undefined> {
  try {
    const { rows } = await pool.query<{ value: string }>(readSchemaVersion(quoteSchema(schema)));
    return rows[0] === undefined ? undefined : Number(rows[0].value) === SCHEMA_VERSION;
  } catch (error) {
    // No schema or no meta table yet: the migration creates them. Anything else (the server is down) is reported.
    if (MISSING_SCHEMA_STATES.has(String((error as { code?: unknown }).code))) return undefined;
    throw error;
  }
}

/** invalid_schema_name, undefined_table */
const MISSING_SCHEMA_STATES = new Set(["3F000", "42P01"]);

async function schemaVersion(client: pg.PoolClient, schema: string): Promise<number> {
  const { rows } = await client.query<{ present: boolean }>(HAS_META_TABLE, [schema]);
  if (!rows[0]?.present) {
    const counted = await client.query<{ n: number }>(COUNT_SCHEMA_TABLES, [schema]);
    if ((counted.rows[0]?.n ?? 0) > 0) {
      throw inputError(
        "db_invalid",
        `schema ${schema} holds tables that are not duro's; it was left untouched, choose another schema (?schema=name)`,
        { schema },
      );
    }
    return 0;
  }
  const version = await client.query<{ value: string }>(readSchemaVersion(quoteSchema(schema)));
  return version.rows[0] === undefined ? 0 : Number(version.rows[0].value);
}

/** Rolls back; returns the error when the connection is unusable, so the caller's release discards it. */
export async function rollback(client: pg.PoolClient): Promise<Error | undefined> {
  try {
    await client.query("ROLLBACK");
    return undefined;
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}
