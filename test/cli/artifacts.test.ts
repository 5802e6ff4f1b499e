// `duro artifacts list|get` through the real CLI, on SQLite and PostgreSQL: a run's ctx.artifact calls are found by
// run, tag and name, and read back byte for byte on stdout or into a file.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { ArtifactInfo } from "../../src/store/index.js";
import { duro, duroJson, fixture, freshDir, removeTempDirs, sqliteUrl } from "../support/cli.js";
import { freshPgUrl } from "../support/postgres.js";

afterAll(removeTempDirs);

const PLAN = "# Plan for tides\n";
const sha = (text: string) => createHash("sha256").update(text).digest("hex");

describe.each(["sqlite", "postgres"] as const)("duro artifacts on %s", (backend) => {
  it("lists a run's artifacts by run, tag and name, and gets their bytes on stdout or into a file", { timeout: 60_000 }, async () => {
    const cwd = freshDir("duro-artifacts-");
    const db = backend === "sqlite" ? sqliteUrl(join(cwd, "duro.db")) : freshPgUrl();
    const run = await duroJson<{ id: string; output: { plan: string; data: string } }>(
      ["run", fixture("artifacts.ts"), "--input", '{"topic":"tides"}', "--db", db],
      { cwd },
    );
    expect(run.output.plan).toBe(sha(PLAN));

    const { artifacts } = await duroJson<{ artifacts: ArtifactInfo[] }>(["artifacts", "list", "--run", run.id, "--db", db], { cwd });
    expect(artifacts.map((a) => a.sha256).sort()).toEqual([run.output.plan, run.output.data].sort());
    const byTag = await duroJson<{ artifacts: ArtifactInfo[] }>(["artifacts", "list", "--tag", "draft", "--db", db], { cwd });
    expect(byTag.artifacts).toEqual([
      { sha256: sha(PLAN), name: "plan.md", tags: ["draft", "plan"], size: PLAN.length, runs: [run.id], createdAt: expect.any(Number) },
    ]);
    const table = await duro(["artifacts", "list", "--name", "plan.md", "--db", db], { cwd });
    expect(table.stdout).toMatch(/SHA256\s+NAME\s+TAGS\s+SIZE\s+RUNS\s+CREATED/);
    expect(table.stdout).toContain(`${sha(PLAN)}  plan.md  draft,plan  ${PLAN.length}`);

    const stdout = await duro(["artifacts", "get", sha(PLAN), "--db", db], { cwd });
    expect([stdout.code, stdout.stdout]).toEqual([0, PLAN]);
    expect((await duro(["artifacts", "get", run.output.data, "-o", "data.json", "--db", db], { cwd })).code).toBe(0);
    expect(JSON.parse(readFileSync(join(cwd, "data.json"), "utf8"))).toEqual({ topic: "tides", steps: 3 });
  });

  it("an unknown hash is refused with artifact_not_found and the command it suggests lists nothing", { timeout: 60_000 }, async () => {
    const cwd = freshDir("duro-artifacts-");
    const db = backend === "sqlite" ? sqliteUrl(join(cwd, "duro.db")) : freshPgUrl();
    expect((await duro(["db", "migrate", "--db", db], { cwd })).code).toBe(0);
    const missing = await duro(["artifacts", "get", "0".repeat(64), "--db", db], { cwd });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("artifact_not_found");
    expect(missing.stderr).toContain("duro artifacts list");
    const listed = await duro(["artifacts", "list", "--db", db], { cwd });
    expect([listed.code, listed.stdout.trim()]).toEqual([
      0,
      "no artifacts match; runs store them with ctx.artifact(name, content, { name, tags })",
    ]);
  });
});
