// Issue 13's repro: a parent that starts 200 child runs with Promise.all completes on SQLite and PostgreSQL, executed
// by `duro run`, by one `duro worker`, and by three worker processes at once; its journal opens the children in the
// order of the calls, and every child completed once.
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { duro, duroJson, fixture, freshDir, removeTempDirs, sqliteUrl } from "../support/cli.js";
import { freshPgUrl } from "../support/postgres.js";

afterAll(removeTempDirs);

const CHILDREN = 200;
const TOTAL = 5 * ((CHILDREN * (CHILDREN - 1)) / 2);
const STORES = {
  sqlite: () => sqliteUrl(join(freshDir("duro-fan-"), "duro.db")),
  postgres: () => freshPgUrl(),
};

interface Shown {
  status: string;
  output?: unknown;
  error?: unknown;
  steps: Array<{ key: string; childRunId?: string }>;
}

async function expectCompleted(db: string, cwd: string, id: string): Promise<void> {
  const run = await duroJson<Shown>(["runs", "show", id, "--db", db], { cwd });
  expect(run.error).toBeUndefined();
  expect(run.status).toBe("completed");
  expect(run.output).toEqual({ total: TOTAL });
  expect(run.steps.map((s) => s.key)).toEqual(Array.from({ length: CHILDREN }, (_, n) => `c${n}#0`));
  const children = await duroJson<{ runs: Array<{ status: string }> }>(
    ["runs", "list", "--db", db, "--workflow", "leaf", "--limit", "1000"],
    { cwd },
  );
  expect(children.runs).toHaveLength(CHILDREN);
  expect(children.runs.every((r) => r.status === "completed")).toBe(true);
}

describe.each(Object.keys(STORES) as Array<keyof typeof STORES>)("%s", (store) => {
  const file = fixture("fan.ts");
  const input = JSON.stringify({ children: CHILDREN });

  it("duro run executes the parent and its 200 children to completion", { timeout: 120_000 }, async () => {
    const cwd = freshDir();
    const db = STORES[store]();
    const result = await duro(["run", file, "--workflow", "fan", "--db", db, "--id", "fan1", "--input", input], {
      cwd,
      timeoutMs: 110_000,
    });
    expect(result.stderr).not.toContain("non_determinism");
    expect(result.code).toBe(0);
    await expectCompleted(db, cwd, "fan1");
  });

  it.each([1, 3])("%i worker process(es) execute a detached parent and its 200 children", { timeout: 120_000 }, async (workers) => {
    const cwd = freshDir();
    const db = STORES[store]();
    const started = await duro(["run", file, "--workflow", "fan", "--db", db, "--id", "fan1", "--detach", "--input", input], { cwd });
    expect(started.code).toBe(0);
    const results = await Promise.all(
      Array.from({ length: workers }, () => duro(["worker", file, "--db", db, "--until-idle"], { cwd, timeoutMs: 110_000 })),
    );
    expect(results.map((r) => r.code)).toEqual(results.map(() => 0));
    await expectCompleted(db, cwd, "fan1");
  });
});
