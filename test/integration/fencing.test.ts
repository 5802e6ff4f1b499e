// A worker frozen past its lease (SIGSTOP) loses the run to another worker; once thawed (SIGCONT) it must not
// append a single event: its late step result and heartbeats meet `lease_lost`. On SQLite and PostgreSQL.
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { JournalEvent, RunDetails } from "../../src/index.js";
import { duro, duroJson, fixture, freshDir, readEffects, removeTempDirs, spawnDuro, sqliteUrl } from "../support/cli.js";
import { freshPgUrl } from "../support/postgres.js";

afterAll(removeTempDirs);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each([
  ["SQLite", () => sqliteUrl(join(freshDir("duro-fence-db-"), "duro.db"))],
  ["PostgreSQL", freshPgUrl],
])("%s", (_name, makeDb) => {
  it("a worker frozen past its lease cannot append after it is thawed", async () => {
    const dir = freshDir("duro-fence-");
    const effects = join(dir, "effects.jsonl");
    const db = makeDb();
    const options = { cwd: dir, env: { DURO_TEST_EFFECTS: effects }, timeoutMs: 30_000 };
    const file = fixture("slow.ts");
    const journal = () => duroJson<JournalEvent[]>(["runs", "events", "r_fence", "--db", db], options);

    expect((await duro(["run", file, "--detach", "--id", "r_fence", "--db", db], options)).code).toBe(0);
    const frozen = spawnDuro(["worker", file, "--db", db, "--lease-ms", "1000"], options);
    while (readEffects(effects).length === 0) await sleep(20);
    frozen.child.kill("SIGSTOP");

    // After the lease expires another worker takes the run over and finishes it.
    await sleep(1_500);
    const rescuer = await duro(["worker", file, "--db", db, "--lease-ms", "1000", "--until-idle", "--json"], options);
    expect(rescuer.code, rescuer.stderr).toBe(0);
    const before = await journal();
    expect(before.at(-1)?.type).toBe("run_completed");

    // Thawed, the frozen worker's slow step returns and its heartbeat fires: both must be refused.
    frozen.child.kill("SIGCONT");
    await sleep(1_500);
    frozen.child.kill("SIGTERM");
    const stopped = await frozen.result;
    expect(stopped.code, stopped.stderr).toBe(0);

    expect(await journal()).toEqual(before);
    const run = await duroJson<RunDetails>(["runs", "show", "r_fence", "--db", db], options);
    expect(run).toMatchObject({ status: "completed", output: "AB" });
    const ran = readEffects(effects);
    expect(ran.filter((e) => e.key === "slow#0").map((e) => [e.attempt, e.pid])).toEqual([
      [1, stopped.pid],
      [2, expect.any(Number)],
    ]);
    expect(ran.filter((e) => e.key === "slow#0")[1]?.pid).not.toBe(stopped.pid);
    expect(before.filter((e) => e.type === "step_completed").map((e) => (e.type === "step_completed" ? e.key : ""))).toEqual([
      "slow#0",
      "after#0",
    ]);
  }, 60_000);
});
