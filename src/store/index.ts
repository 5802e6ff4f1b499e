// The store layer's public face: the Store contract and its backends.

export { type ChainReport, type ChainRow, chainHash, type VerifyChainOptions, verifyChain } from "./chain.js";
export { MemoryStore } from "./memory.js";
export { openPostgresStore, PostgresStore, type PostgresStoreOptions } from "./postgres/store.js";
export { openSqliteStore, SqliteStore, type SqliteStoreOptions } from "./sqlite/store.js";
export * from "./store.js";
export { DEFAULT_DB_URL, openStore, type ParsedDbUrl, parseDbUrl, redactUrl } from "./url.js";
export { workerClaims } from "./workers.js";
