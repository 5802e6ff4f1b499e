// Loads pg when a PostgreSQL store first needs it, not when this module is imported: importing duro or its store
// contract must not load a driver that a SQLite or in-memory user never touches.
import { createRequire } from "node:module";
import type pg from "pg";

const require = createRequire(import.meta.url);

/** The pg module (loaded at the first call; Node's module cache makes later calls a lookup). */
export function pgDriver(): typeof pg {
  return require("pg") as typeof pg;
}
