// `duro runs prune`: retention of ended runs by status and age, on a real SQLite file.
import { readdirSync } from "node:fs";
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

it("prune --archive killed after the archive is synced loses nothing; the next prune archives again and deletes; archive inspect reads it", async () => {
  const dir = freshDir("duro-prune-archive-");
  const opts = { cwd: dir, env: { DURO_TEST_EFFECTS: join(dir, "effects.jsonl") } };
  const db = sqliteUrl(join(dir, "duro.db"));
  const ids: string[] = [];
  for (const n of [1, 2]) {
    ids.push(
      (await duroJson<{ id: string }>(["run", fixture("five.ts"), "--input", JSON.stringify({ n }), "--db", db, "--json"], opts)).id,
    );
  }
  const archive = join(dir, "archive");
  const prune = ["runs", "prune", "--status", "completed", "--older-than", "0s", "--archive", archive, "--db", db, "--json"];

  const killed = await duro(prune, { ...opts, env: { ...opts.env, DURO_FAILPOINTS: "after_archive:completed" } });
  expect(killed.signal).toBe("SIGKILL");
  const written = readdirSync(archive);
  expect(written).toHaveLength(1);
  expect(written[0]).toMatch(/^runs-.*\.jsonl\.gz$/);
  const listed = await duroJson<{ runs: Array<{ id: string }> }>(["runs", "list", "--db", db, "--json"], opts);
  expect(listed.runs.map((r) => r.id).sort()).toEqual([...ids].sort());

  const done = await duroJson<{ pruned: number; archives: string[] }>(prune, opts);
  expect(done.pruned).toBe(2);
  expect(readdirSync(archive)).toHaveLength(2);
  expect((await duroJson<{ runs: unknown[] }>(["runs", "list", "--db", db, "--json"], opts)).runs).toEqual([]);

  const [file] = done.archives as [string];
  const inspected = await duroJson<{ runs: Array<{ id: string; status: string; chain: { ok: boolean } }> }>(
    ["archive", "inspect", file, "--json"],
    opts,
  );
  expect(inspected.runs.map((r) => [r.id, r.status, r.chain.ok]).sort()).toEqual([...ids].sort().map((id) => [id, "completed", true]));
  const one = await duroJson<{ run: { id: string }; chain: { ok: boolean }; events: Array<{ type: string }> }>(
    ["archive", "inspect", file, ids[0] as string, "--json"],
    opts,
  );
  expect(one.run.id).toBe(ids[0]);
  expect(one.chain.ok).toBe(true);
  expect(one.events.map((e) => e.type).at(-1)).toBe("run_completed");
});
