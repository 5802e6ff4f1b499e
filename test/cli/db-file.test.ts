// A wrong --db path is an error, never a new empty database; a database file deleted during a run is noticed.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { main } from "../../src/cli/main.js";
import { duro, fixture, freshDir, removeTempDirs, sqliteUrl } from "../support/cli.js";

afterAll(removeTempDirs);
afterEach(() => vi.restoreAllMocks());

const COMMANDS_THAT_DO_NOT_CREATE = [
  ["runs", "list"],
  ["runs", "show", "r_x"],
  ["runs", "events", "r_x"],
  ["runs", "verify", "--all"],
  ["signal", "paid"],
  ["approve", "r_x"],
  ["answer", "r_x", "q", "--value", "1"],
  ["cancel", "r_x"],
  ["resume", "r_x"],
  ["approvals", "link", "r_x", "manager"],
  ["limits", "raise", "r_x", "--max-cost-usd", "1"],
  ["queues", "list"],
  ["schedules", "list"],
  ["versions"],
  ["workers", "list"],
  ["keys", "list"],
];

describe("a --db that does not exist", () => {
  const dir = freshDir("duro-db-missing-");
  for (const args of COMMANDS_THAT_DO_NOT_CREATE) {
    it(`duro ${args.join(" ")} is db_not_found and creates nothing`, async () => {
      const path = join(dir, "typo.db");
      const errors: string[] = [];
      vi.spyOn(console, "log").mockImplementation(() => {});
      vi.spyOn(console, "error").mockImplementation((text: string) => errors.push(text));

      const code = await main([...args, "--db", sqliteUrl(path)]);

      expect(code).toBe(2);
      expect(errors.join("\n")).toContain(`duro: error [db_not_found]: there is no duro database at ${path}`);
      expect(existsSync(path)).toBe(false);
    });
  }
});

it("a database file deleted during a run ends the run command with db_file_missing", { timeout: 60_000 }, async () => {
  const dir = freshDir("duro-db-deleted-");
  const path = join(dir, "duro.db");
  const ran = await duro(
    ["run", fixture("echo.ts"), "--input", JSON.stringify({ remove: path }), "--db", sqliteUrl(path), "--artifacts-dir", join(dir, "f")],
    { cwd: dir, timeoutMs: 30_000 },
  );
  expect(ran.code, ran.stdout).toBe(1);
  expect(ran.stderr).toContain(`duro: error [db_file_missing]: the database file ${path} was deleted`);
});
