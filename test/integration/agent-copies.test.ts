// A workflow file run from the repository root imports duro through tsconfig's `paths` (src/), while the CLI
// executing it is dist/: two copies of duro in one process. The agent toolkit must work across them.
import { readdirSync, rmdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import type { RunDetails } from "../../src/index.js";
import { type CliOptions, duro, example, freshDir, REPO_ROOT, removeTempDirs, sqliteUrl } from "../support/cli.js";

afterAll(removeTempDirs);

it("examples/agents/article.ts completes when run from the repository root", { timeout: 120_000 }, async () => {
  const dir = freshDir("duro-article-");
  const cli: CliOptions = { cwd: REPO_ROOT, timeoutMs: 60_000 };
  const db = ["--db", sqliteUrl(join(dir, "duro.db"))];
  const mock = ["--mock-llm", example("agents/article.mock.json")];
  const json = async (args: string[], expected: number): Promise<RunDetails> => {
    const result = await duro([...args, ...db, "--json"], cli);
    expect(result.code, result.stderr).toBe(expected);
    return JSON.parse(result.stdout) as RunDetails;
  };

  const started = await json(
    ["run", "examples/agents/article.ts", "--input", '{"topic":"durable agents"}', ...mock, "--artifacts-dir", join(dir, "run")],
    3,
  );
  expect(started.waits).toMatchObject([{ kind: "approval", gate: "plan" }]);
  await json(["approve", started.id, "plan"], 0);
  expect((await json(["resume", started.id, ...mock], 3)).waits).toMatchObject([{ kind: "approval", gate: "draft" }]);
  await json(["approve", started.id, "draft"], 0);
  const finished = await json(["resume", started.id, ...mock], 0);

  expect(finished.status).toBe("completed");
  removeRunFolder(started.id);
});

/** The phase template writes phases.md under .duro/runs/ of the working directory whatever --artifacts-dir says. */
function removeRunFolder(runId: string): void {
  const runs = join(REPO_ROOT, ".duro", "runs");
  rmSync(join(runs, runId), { recursive: true, force: true });
  for (const dir of [runs, join(REPO_ROOT, ".duro")]) if (readdirSync(dir).length === 0) rmdirSync(dir);
}
