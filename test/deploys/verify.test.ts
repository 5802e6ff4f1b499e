// `duro runs verify`: a real run's journal, then one byte of one stored event changed behind the engine's back (in a
// SQLite file, and in a PostgreSQL row), and verify names exactly that event.
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { duro, duroJson, fixture, freshDir, removeTempDirs, sqliteUrl } from "../support/cli.js";
import { freshSchema, PG_URL } from "../support/postgres.js";

afterAll(removeTempDirs);

interface Backend {
  name: string;
  url(dir: string): string;
  /** Runs one SQL statement on the run's journal rows directly; `?`-style placeholders become the backend's own. */
  tamper(dir: string, sql: string): Promise<number>;
}

let pgSchema = "";
const backends: Backend[] = [
  {
    name: "sqlite",
    url: (dir) => sqliteUrl(join(dir, "duro.db")),
    async tamper(dir, sql) {
      const db = new Database(join(dir, "duro.db"));
      try {
        return db.prepare(sql.replaceAll("$S.", "")).run().changes;
      } finally {
        db.close();
      }
    },
  },
  {
    name: "postgres",
    url: () => {
      pgSchema = freshSchema();
      const url = new URL(PG_URL);
      url.searchParams.set("schema", pgSchema);
      return url.toString();
    },
    async tamper(_dir, sql) {
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      try {
        return (await client.query(sql.replaceAll("$S.", `"${pgSchema}".`))).rowCount ?? 0;
      } finally {
        await client.end();
      }
    },
  },
];

async function completedRun(dir: string, db: string): Promise<string> {
  const env = { DURO_TEST_EFFECTS: join(dir, "effects.jsonl") };
  const run = await duroJson<{ id: string; status: string }>(["run", fixture("five.ts"), "--input", '{"n":1}', "--db", db, "--json"], {
    cwd: dir,
    env,
  });
  expect(run.status).toBe("completed");
  return run.id;
}

describe.each(backends)("duro runs verify ($name)", (backend) => {
  it("passes an untouched journal and names the one event whose byte was edited", async () => {
    const dir = freshDir("duro-verify-");
    const db = backend.url(dir);
    const runId = await completedRun(dir, db);

    const clean = await duro(["runs", "verify", runId, "--db", db], { cwd: dir });
    expect(clean.code, clean.stderr).toBe(0);
    expect(clean.stdout).toMatch(/ok, \d+ events chained/);

    // One byte: the result of step c ("…":4 → "…":5), in the stored JSON of seq 7 (created, started, 2 per step).
    const changed = await backend.tamper(
      dir,
      `UPDATE $S.journal SET data = replace(data, '4', '5') WHERE seq = 7 AND type = 'step_completed' AND data LIKE '%4%'`,
    );
    expect(changed).toBe(1);

    const broken = await duro(["runs", "verify", runId, "--db", db, "--json"], { cwd: dir });
    expect(broken.code).toBe(1);
    const report = JSON.parse(broken.stdout) as { ok: boolean; runs: Array<{ runId: string; firstBadSeq: number; problem: string }> };
    expect(report.ok).toBe(false);
    expect(report.runs[0]).toMatchObject({ runId, firstBadSeq: 7 });
    expect(report.runs[0]?.problem).toContain("event 7 (step_completed)");
  });

  it("names the gap where an event was removed, and refuses an unknown run with exit 2", async () => {
    const dir = freshDir("duro-verify-");
    const db = backend.url(dir);
    const runId = await completedRun(dir, db);
    const other = await completedRun(dir, db);

    expect(await backend.tamper(dir, "DELETE FROM $S.journal WHERE seq = 3")).toBe(2);

    const all = await duro(["runs", "verify", "--all", "--db", db], { cwd: dir });
    expect(all.code).toBe(1);
    for (const id of [runId, other]) expect(all.stdout).toContain(`run ${id}: BROKEN at seq 3: event 3 is missing`);

    const unknown = await duro(["runs", "verify", "r_nope", "--db", db], { cwd: dir });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("run_not_found");
  });

  it("fails a run created after the chain began whose hashes were all set to NULL, instead of passing it as predating the chain", async () => {
    const dir = freshDir("duro-verify-");
    const db = backend.url(dir);
    const runId = await completedRun(dir, db);

    expect(await backend.tamper(dir, "UPDATE $S.journal SET hash = NULL")).toBeGreaterThan(1);

    const stripped = await duro(["runs", "verify", runId, "--db", db], { cwd: dir });
    expect(stripped.code).toBe(1);
    expect(stripped.stdout).toContain(`run ${runId}: BROKEN at seq 1`);
    expect(stripped.stdout).not.toContain("predate the chain");
  });
});
