// duro/store: the Store contract (its role interfaces and records), its errors' helpers, the hash chain, database
// URL parsing and the in-memory store. No backend: those are ./sqlite and ./postgres, and ../store/open.ts opens
// one by URL, so importing this loads neither pg nor better-sqlite3.

export { type ChainReport, type ChainRow, chainHash, type VerifyChainOptions, verifyChain } from "./chain.js";
export { runNotFound, transactionUnsupported } from "./errors.js";
export { decodeEvent, type EncodedEvent, encodeEvent } from "./event-codec.js";
export { MemoryStore } from "./memory.js";
export { RUN_SORTS } from "./paging.js";
export { redactUrl } from "./redact-url.js";
export * from "./store.js";
export { DEFAULT_DB_URL, type ParsedDbUrl, parseDbUrl } from "./url.js";
export { LAPSED_WORKER_KEPT_MS, workerClaims } from "./workers.js";
