// `duro runs prune`: retention of ended runs by status and age, on a real SQLite file.
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { duro, duroJson, fixture, freshDir, removeTempDirs, sqliteUrl } from "../support/cli.js";

afterAll(removeTempDirs);

it("prunes completed runs older than the cutoff and keeps the rest", async () => {
  const dir = freshDir("duro-prune-");
  const opts = { cwd: dir, env: { DURO_TEST_EFFECTS: join(dir, "effects.jsonl") } };
  const db = sqliteUrl(join(dir, "duro.db"));
  for (const n of [1, 2]) await duroJson(["run", fixture("five.ts"), "--input", JSON.stringify({ n }), "--db", db, "--json"], opts);
  const list = async () => (await duroJson<{ runs: Array<{ id: string }> }>(["runs", "list", "--db", db, "--json"], opts)).runs;
  expect(await list()).toHaveLength(2);

  const young = await duroJson<{ pruned: number }>(
    ["runs", "prune", "--status", "completed", "--older-than", "1h", "--db", db, "--json"],
    opts,
  );
  expect(young.pruned).toBe(0);
  const failed = await duroJson<{ pruned: number }>(
    ["runs", "prune", "--status", "failed", "--older-than", "0s", "--db", db, "--json"],
    opts,
  );
  expect(failed.pruned).toBe(0);
  expect(await list()).toHaveLength(2);

  const all = await duroJson<{ pruned: number }>(
    ["runs", "prune", "--status", "completed", "--older-than", "0s", "--batch", "1", "--db", db, "--json"],
    opts,
  );
  expect(all.pruned).toBe(2);
  expect(await list()).toEqual([]);

  const bad = await duro(["runs", "prune", "--status", "running", "--older-than", "1d", "--db", db], opts);
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain("only ended runs can be pruned");
});
