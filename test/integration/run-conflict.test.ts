// `duro run --id X` for an existing run: the same workflow and input show the run again (exit 0); another input or
// another workflow is refused with run_conflict (non-zero exit), not answered with the old run's result.
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { duro, fixture, freshDir, removeTempDirs, sqliteUrl } from "../support/cli.js";

afterAll(removeTempDirs);

const VALIDATED = fixture("validated.ts");
const WAITING = fixture("waiting.ts");

describe("duro run --id for an existing run", () => {
  it("is idempotent for the same input and refuses another input or workflow with run_conflict", { timeout: 60_000 }, async () => {
    const dir = freshDir("duro-conflict-");
    const db = sqliteUrl(join(dir, "duro.db"));
    const cli = { cwd: dir, timeoutMs: 30_000 };
    const run = (file: string, input: string, ...more: string[]) =>
      duro(["run", file, "--id", "r_x", "--input", input, "--db", db, ...more], cli);

    expect((await run(VALIDATED, '{"sku":"A1","qty":2}')).code).toBe(0);
    const again = await run(VALIDATED, '{"qty":2,"sku":"A1"}');
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain("already exists");

    const otherInput = await run(VALIDATED, '{"sku":"B2","qty":5}');
    expect(otherInput.code).not.toBe(0);
    expect(otherInput.stderr).toContain("run_conflict");
    expect(otherInput.stdout).not.toContain('"total": 40');

    const otherWorkflow = await run(WAITING, '{"key":"k"}', "--workflow", "awaits-event");
    expect(otherWorkflow.code).not.toBe(0);
    expect(otherWorkflow.stderr).toMatch(/run_conflict.*workflow \("validated", not "awaits-event"\)/s);
  });
});
