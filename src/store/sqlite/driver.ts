// Loads better-sqlite3 (a native addon) when a SQLite store first opens, not when this module is imported:
// importing duro or its store contract must not load a driver that a PostgreSQL or in-memory user never touches.
import { createRequire } from "node:module";
import type Database from "better-sqlite3";

const require = createRequire(import.meta.url);

/** The better-sqlite3 Database class (loaded at the first call; Node's module cache makes later calls a lookup). */
export function sqliteDriver(): typeof Database {
  return require("better-sqlite3") as typeof Database;
}
