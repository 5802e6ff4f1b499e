// The database goes away while a worker runs (every connection dropped, new ones refused), then comes back:
// the worker reports the outage, backs off, reconnects and finishes every run; no journal has a gap or a
// step journaled twice. The outage is made with a TCP proxy, so the shared test server keeps running.
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { createEngine } from "../../src/index.js";
import { openStore } from "../../src/store/open.js";
import { fixture, freshDir, removeTempDirs, spawnDuro } from "../support/cli.js";
import { expectFiveCompleted } from "../support/five-checks.js";
import { freshPgUrl } from "../support/postgres.js";
import { startTcpProxy } from "../support/tcp-proxy.js";
import five from "../support/workflows/five.js";

afterAll(removeTempDirs);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

it("PostgreSQL: a worker survives the database going away and coming back, and loses nothing", async () => {
  const direct = new URL(freshPgUrl());
  const proxy = await startTcpProxy(direct.hostname, Number(direct.port || 5432));
  const viaProxy = new URL(direct);
  viaProxy.port = String(proxy.port);
  viaProxy.password = "s3cret-pw"; // trust auth ignores it; it must never show up in a message
  const dir = freshDir("duro-outage-");
  const engine = createEngine({ store: openStore(direct.toString()), workflows: [five] });
  const ids: string[] = [];
  for (let n = 0; n < 60; n++) ids.push((await engine.start(five, { n })).id);

  const worker = spawnDuro(["worker", fixture("five.ts"), "--db", viaProxy.toString(), "--lease-ms", "1000", "--concurrency", "4"], {
    cwd: dir,
    env: { DURO_TEST_EFFECTS: join(dir, "effects.jsonl") },
    timeoutMs: 90_000,
  });
  await sleep(1_500);
  await proxy.down();
  await sleep(2_000);
  await proxy.up();

  const deadline = Date.now() + 45_000;
  while ((await engine.list({ status: "completed", limit: 100 })).runs.length < ids.length && Date.now() < deadline) await sleep(200);
  worker.child.kill("SIGTERM");
  const stopped = await worker.result;
  await proxy.close();

  expect(stopped.code, stopped.stderr).toBe(0);
  expect(stopped.stderr).toContain("db_unavailable");
  expect(stopped.stderr).toContain("[REDACTED]");
  expect(stopped.stderr).not.toContain("s3cret-pw");
  await expectFiveCompleted(engine, ids);
  await engine.close();
}, 90_000);
