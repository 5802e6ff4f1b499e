// Opening a SQLite database that is already up to date takes no write lock, so a worker that starts beside busy ones
// does not queue behind their commits (and fail with "database is locked" past the busy timeout).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { openSqliteStore } from "../../../src/store/sqlite/index.js";

const dir = mkdtempSync(join(tmpdir(), "duro-open-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("opening a SQLite database", () => {
  it("opens an up-to-date database while another connection holds the write lock", async () => {
    const path = join(dir, "duro.db");
    const first = openSqliteStore(path);
    await first.listRuns({ limit: 1 }); // creates the file and applies every migration
    await first.close();
    const writer = new Database(path);
    writer.exec("BEGIN IMMEDIATE");
    try {
      const second = openSqliteStore(path);
      const page = await second.listRuns({ limit: 1 });
      await second.close();

      expect(page.runs).toEqual([]);
    } finally {
      writer.exec("ROLLBACK");
      writer.close();
    }
  });
});
