// A worker stopped with SIGTERM lets the running step finish and commit, starts nothing new, releases the
// lease and exits 0; the next worker continues at once without running the finished step again.
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import type { RunDetails } from "../../src/index.js";
import { duro, duroJson, fixture, freshDir, readEffects, removeTempDirs, spawnDuro, sqliteUrl } from "../support/cli.js";

afterAll(removeTempDirs);

it("SIGTERM lets the running step finish, releases the lease, and another worker completes the run", async () => {
  const dir = freshDir("duro-shutdown-");
  const effects = join(dir, "effects.jsonl");
  const db = sqliteUrl(join(dir, "duro.db"));
  const options = { cwd: dir, env: { DURO_TEST_EFFECTS: effects }, timeoutMs: 20_000 };
  const file = fixture("slow.ts");

  const started = await duro(["run", file, "--detach", "--id", "r_slow", "--db", db], options);
  expect(started.code, started.stderr).toBe(0);
  const worker = spawnDuro(["worker", file, "--db", db, "--lease-ms", "60000"], options);
  // Wait until the slow step has started in the worker, then ask it to stop.
  const deadline = Date.now() + 10_000;
  while (readEffects(effects).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  worker.child.kill("SIGTERM");
  const stopped = await worker.result;
  expect(stopped.code, stopped.stderr).toBe(0);

  const afterStop = await duroJson<RunDetails>(["runs", "show", "r_slow", "--db", db, "--json"], options);
  expect(afterStop.status).toBe("queued");
  expect(afterStop.steps.map((s) => [s.key, s.status])).toEqual([["slow#0", "completed"]]);

  // The lease was released: a worker with the same 60 s lease finishes the run right away.
  const next = await duro(["worker", file, "--until-idle", "--db", db, "--json"], options);
  expect(next.code, next.stderr).toBe(0);
  const done = await duroJson<RunDetails>(["runs", "show", "r_slow", "--db", db, "--json"], options);
  expect(done).toMatchObject({ status: "completed", output: "AB" });
  expect(readEffects(effects).map((e) => e.key)).toEqual(["slow#0", "after#0"]);
}, 60_000);
