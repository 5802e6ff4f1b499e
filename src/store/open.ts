// Opens the store a database URL names. The backends' modules are plain TypeScript; each loads its driver
// (better-sqlite3 or pg) only when a store of its kind is opened, so this import costs no driver either.
import { openPostgresStore } from "./postgres/store.js";
import { openSqliteStore } from "./sqlite/store.js";
import type { Store } from "./store.js";
import { parseDbUrl } from "./url.js";

/** Opens the store a URL names. A PostgreSQL store connects (and migrates its schema) at its first operation. */
export function openStore(url: string, options: { clock?: () => number } = {}): Store {
  const parsed = parseDbUrl(url);
  if (parsed.kind === "postgres")
    return openPostgresStore(parsed.url, { ...(parsed.schema === undefined ? {} : { schema: parsed.schema }), ...options });
  return openSqliteStore(parsed.path, { synchronous: parsed.synchronous, ...options });
}
