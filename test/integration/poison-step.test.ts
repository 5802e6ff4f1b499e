// The poison-step rule with real processes: a step that SIGKILLs its own process is started at most maxAttempts
// times in all (counted when each attempt starts), then the run fails with attempts_exhausted instead of taking
// down every worker that claims it.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { JournalEvent, RunDetails } from "../../src/index.js";
import { duro, duroJson, fixture, freshDir, readEffects, removeTempDirs, sqliteUrl } from "../support/cli.js";

afterAll(removeTempDirs);

const POISON = fixture("poison.ts");
const RUN_ID = "r_poison_1";

describe("poison steps", () => {
  it("a step that kills its process under maxAttempts 2 is started exactly twice, then the run fails with attempts_exhausted", {
    timeout: 90_000,
  }, async () => {
    const dir = freshDir("duro-poison-");
    const effects = join(dir, "effects.jsonl");
    const db = sqliteUrl(join(dir, "duro.db"));
    const cli = { cwd: dir, env: { DURO_TEST_EFFECTS: effects }, timeoutMs: 30_000 };

    const first = await duro(["run", POISON, "--id", RUN_ID, "--db", db, "--lease-ms", "500"], cli);
    expect(first.signal, `${first.stdout}\n${first.stderr}`).toBe("SIGKILL");

    // The second attempt kills the worker that runs it; the next worker finds both attempts orphaned.
    const second = await duro(["worker", POISON, "--until-idle", "--lease-ms", "500", "--db", db, "--json"], cli);
    expect(second.signal, `${second.stdout}\n${second.stderr}`).toBe("SIGKILL");
    const third = await duro(["worker", POISON, "--until-idle", "--lease-ms", "500", "--db", db, "--json"], cli);
    expect(third.code, third.stderr).toBe(0);
    expect(JSON.parse(third.stdout)).toMatchObject({ completed: 0, failed: 1 });

    expect(readEffects(effects).map((e) => [e.attempt, e.pid])).toEqual([
      [1, first.pid],
      [2, second.pid],
    ]);
    const run = await duroJson<RunDetails>(["runs", "show", RUN_ID, "--db", db], cli);
    expect(run.status).toBe("failed");
    expect(run.error?.message).toContain("the process died during it 2 time(s)");
    const events = await duroJson<JournalEvent[]>(["runs", "events", RUN_ID, "--db", db], cli);
    const steps = events.filter((e) => "key" in e && e.key === "boom#0");
    expect(steps.map((e) => e.type)).toEqual(["step_started", "attempt_orphaned", "step_started", "attempt_orphaned", "step_failed"]);
    const failed = events.find((e) => e.type === "step_failed");
    expect(failed?.type === "step_failed" && failed.error.code).toBe("attempts_exhausted");

    // What the resume journaled is what a reader sees: the timeline of runs show and the exported transcript.
    const shown = await duro(["runs", "show", RUN_ID, "--db", db], cli);
    expect(shown.stdout).toContain("attempt 1 failed [attempt_orphaned: the process died during it]");
    expect(shown.stdout).toContain("attempt 2 failed [attempt_orphaned: the process died during it]");
    const folder = join(dir, "exported");
    expect((await duro(["runs", "export", RUN_ID, "--artifacts-dir", folder, "--db", db], cli)).code).toBe(0);
    const transcript = readFileSync(join(folder, "transcript.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(transcript.filter((line) => line.status === "orphaned").map((line) => [line.step, line.attempt, line.error.code])).toEqual([
      ["boom#0", 1, "attempt_orphaned"],
      ["boom#0", 2, "attempt_orphaned"],
    ]);
  });
});
