// duro/store/postgres: the PostgreSQL backend (pg, loaded when a store first connects).
export { openPostgresStore, PostgresStore, type PostgresStoreOptions } from "./store.js";
