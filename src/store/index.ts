// The store layer's public face: the Store contract and its backends.
export * from "./store.js";
export { MemoryStore } from "./memory.js";
export { openSqliteStore, SqliteStore, type SqliteStoreOptions } from "./sqlite/store.js";
export { DEFAULT_DB_URL, openStore, parseDbUrl, redactUrl, type ParsedDbUrl } from "./url.js";
