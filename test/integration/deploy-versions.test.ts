// Issue 8, must-show 1: version 2 of a workflow is deployed while 20 runs of version 1 wait. `duro check` names
// exactly the runs v2 would break (the express ones, whose journal has a step v2 no longer asks for); then a worker
// process holding only v2 and one holding only v1 run side by side: every v1 run finishes on v1 code (in the v1
// worker), every new run starts and finishes on v2 code (in the v2 worker), and no run fails. On a SQLite file and
// on PostgreSQL.
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createEngine, type JournalEvent } from "../../src/index.js";
import { openStore } from "../../src/store/open.js";
import { duro, duroJson, fixture, freshDir, removeTempDirs, spawnDuro, sqliteUrl } from "../support/cli.js";
import { until } from "../support/poll.js";
import { freshPgUrl } from "../support/postgres.js";
import v1 from "../support/workflows/versions/v1.js";
import v2 from "../support/workflows/versions/v2.js";

afterAll(removeTempDirs);

const OLD_RUNS = 20;
const NEW_RUNS = 10;
const express = (n: number) => n % 4 === 0;
const oldId = (n: number) => `old-${n}`;
const newId = (n: number) => `new-${n}`;
const V1_FILE = fixture("versions/v1.ts");
const V2_FILE = fixture("versions/v2.ts");

interface CheckReport {
  ok: boolean;
  checked: number;
  broken: Array<{ runId: string; expected: string; requested: string; location?: string }>;
}

async function scenario(db: string): Promise<void> {
  const dir = freshDir("duro-versions-");
  const cli = { cwd: dir, timeoutMs: 60_000 };
  const engine = createEngine({ store: openStore(db), workflows: [v1, v2], inlineWaitMs: 0 });
  try {
    for (let n = 1; n <= OLD_RUNS; n++) {
      await engine.start("shipment", { n, express: express(n) }, { id: oldId(n), version: "v1" });
      expect((await engine.runUntilSettled(oldId(n))).status).toBe("waiting");
    }

    // v2 is about to be deployed: the check names the express runs, and only those.
    const check = await duro(["check", V2_FILE, "--db", db, "--json"], cli);
    expect(check.code, check.stderr).toBe(1);
    const report = JSON.parse(check.stdout) as CheckReport;
    const expressIds = Array.from({ length: OLD_RUNS }, (_, i) => i + 1)
      .filter(express)
      .map(oldId);
    expect(report.checked).toBe(OLD_RUNS);
    expect(report.broken.map((r) => r.runId).sort()).toEqual(expressIds.sort());
    for (const run of report.broken) {
      expect(run).toMatchObject({ expected: "reserve-courier#0", requested: "book-drone#0" });
      expect(run.location).toMatch(/versions[\\/]v2\.ts:8:\d+$/);
    }
    const inFlight = await duroJson<{ versions: unknown[] }>(["versions", "--db", db], cli);
    expect(inFlight.versions).toEqual([{ workflow: "shipment", version: "v1", queued: 0, running: 0, waiting: OLD_RUNS }]);
    expect((await duro(["runs", "list", "--db", db], cli)).stdout).toMatch(
      /ID\s+WORKFLOW\s+VERSION\s+STATUS[\s\S]*old-1\s+shipment\s+v1\s+waiting/,
    );

    // v2's code alone cannot resume a v1 run: a clear refusal, and the run is untouched.
    await engine.signal("ship:1", null);
    const refused = await duro(["resume", oldId(1), V2_FILE, "--db", db], cli);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("version_mismatch");
    expect(refused.stderr).toMatch(/version "v1", but the loaded code has version "v2"/);
    expect((await engine.get(oldId(1))).steps.map((s) => s.key)).not.toContain("ship-v2#0");

    // Deploy: one worker with only v2, one with only v1, side by side.
    const workerV2 = spawnDuro(["worker", V2_FILE, "--db", db, "--concurrency", "8", "--json"], cli);
    const workerV1 = spawnDuro(["worker", V1_FILE, "--db", db, "--concurrency", "8", "--json"], cli);
    try {
      for (let n = 2; n <= OLD_RUNS; n++) await engine.signal(`ship:${n}`, null);
      for (let n = 1; n <= NEW_RUNS; n++) {
        const { run } = await engine.start("shipment", { n: 100 + n, express: express(n) }, { id: newId(n) });
        expect(run.version).toBe("v2");
      }
      for (let n = 1; n <= NEW_RUNS; n++) await engine.signal(`ship:${100 + n}`, null);
      const ids = [...range(OLD_RUNS).map(oldId), ...range(NEW_RUNS).map(newId)];
      await until(
        () => Promise.all(ids.map((id) => engine.get(id))),
        (runs) => runs.every((r) => ["completed", "failed", "cancelled"].includes(r.status)),
        "every run to end",
        { timeoutMs: 60_000 },
      );
    } finally {
      workerV1.child.kill("SIGTERM");
      workerV2.child.kill("SIGTERM");
    }
    const [endedV1, endedV2] = await Promise.all([workerV1.result, workerV2.result]);
    expect(endedV1.code, endedV1.stderr).toBe(0);
    expect(endedV2.code, endedV2.stderr).toBe(0);

    for (let n = 1; n <= OLD_RUNS; n++) {
      const run = await engine.get(oldId(n));
      expect(run, oldId(n)).toMatchObject({ status: "completed", version: "v1", output: { n, code: "v1", pid: workerV1.child.pid } });
      const steps = completedSteps(await engine.events(oldId(n)));
      expect(steps).toEqual(["quote#0", ...(express(n) ? ["reserve-courier#0"] : []), "ship-v1#0"]);
    }
    for (let n = 1; n <= NEW_RUNS; n++) {
      const run = await engine.get(newId(n));
      expect(run, newId(n)).toMatchObject({ status: "completed", version: "v2", output: { code: "v2", pid: workerV2.child.pid } });
      expect(completedSteps(await engine.events(newId(n)))).toEqual(["quote#0", ...(express(n) ? ["book-drone#0"] : []), "ship-v2#0"]);
    }
    expect((await engine.list({ status: "failed" })).runs).toEqual([]);
    // v1 can be retired: nothing of it is in flight any more.
    expect((await duroJson<{ versions: unknown[] }>(["versions", "--db", db], cli)).versions).toEqual([]);
  } finally {
    await engine.close();
  }
}

function range(count: number): number[] {
  return Array.from({ length: count }, (_, i) => i + 1);
}

function completedSteps(events: JournalEvent[]): string[] {
  return events.flatMap((e) => (e.type === "step_completed" ? [e.key] : []));
}

describe("deploying v2 next to v1 with version-pinned workers", () => {
  it("on a SQLite file", async () => {
    await scenario(sqliteUrl(join(freshDir("duro-versions-db-"), "duro.db")));
  }, 180_000);

  it("on PostgreSQL", async () => {
    await scenario(freshPgUrl());
  }, 180_000);
});
