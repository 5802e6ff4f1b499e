// A real database restart while a worker runs: `pg_ctl restart -m fast` terminates every connection and brings
// the server back. The worker reports the outage, reconnects and finishes every run; no journal has a gap or a
// step journaled twice. The server is the test's own (see private-postgres.ts), so other test files are not hit.
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { createEngine } from "../../src/index.js";
import { openStore } from "../../src/store/open.js";
import { fixture, freshDir, removeTempDirs, spawnDuro } from "../support/cli.js";
import { expectFiveCompleted } from "../support/five-checks.js";
import { until } from "../support/poll.js";
import { privatePostgresProblem, startPrivatePostgres } from "../support/private-postgres.js";
import five from "../support/workflows/five.js";

afterAll(removeTempDirs);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const problem = privatePostgresProblem();

it.skipIf(problem !== undefined)(
  `PostgreSQL restarted while a worker runs: nothing is lost${problem ? ` (skipped: ${problem})` : ""}`,
  async () => {
    const server = await startPrivatePostgres();
    try {
      const dir = freshDir("duro-restart-");
      const engine = createEngine({ store: openStore(server.url), workflows: [five] });
      const ids: string[] = [];
      for (let n = 0; n < 80; n++) ids.push((await engine.start(five, { n })).id);
      await engine.close();

      const worker = spawnDuro(["worker", fixture("five.ts"), "--db", server.url, "--lease-ms", "1000", "--concurrency", "4"], {
        cwd: dir,
        env: { DURO_TEST_EFFECTS: join(dir, "effects.jsonl") },
        timeoutMs: 120_000,
      });
      // Restart once the worker is working: after a fixed pause, a loaded machine's worker may not even have
      // connected yet, and then it never sees the restart.
      const probe = createEngine({ store: openStore(server.url), workflows: [five] });
      const completed = async () => (await probe.list({ status: "completed", limit: 100 })).runs.length;
      await until(completed, (n) => n > 0, "the worker to complete a first run", { timeoutMs: 60_000, everyMs: 50 });
      await probe.close();
      server.restart();

      const check = createEngine({ store: openStore(server.url), workflows: [five] });
      const deadline = Date.now() + 60_000;
      while ((await check.list({ status: "completed", limit: 100 })).runs.length < ids.length && Date.now() < deadline) await sleep(250);
      worker.child.kill("SIGTERM");
      const stopped = await worker.result;

      expect(stopped.code, stopped.stderr).toBe(0);
      // The restart happened while it worked: the worker saw the database go away.
      expect(stopped.stderr).toMatch(/db_unavailable|storage_error/);
      await expectFiveCompleted(check, ids);
      await check.close();
    } finally {
      server.stop();
    }
  },
  150_000,
);
