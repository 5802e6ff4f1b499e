// duro/store/sqlite: the SQLite backend (better-sqlite3, loaded when a store opens).
export { openSqliteStore, SqliteStore, type SqliteStoreOptions } from "./store.js";
