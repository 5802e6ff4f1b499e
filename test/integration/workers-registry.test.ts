// The live workers registry with real processes: a `duro worker` holding v1 is listed with v1 while it runs and
// `duro versions` counts it for v1; a clean stop (SIGTERM) removes it at once; with v1 runs waiting and only a v2
// worker alive, `duro versions --check` exits 1 and names the stranded version; a SIGKILLed worker cannot remove
// itself and drops out of the list once its announcement's ttl (its lease, --lease-ms) passes. SQLite and PostgreSQL.
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { VersionCoverage } from "../../src/engine/index.js";
import { createEngine } from "../../src/index.js";
import type { WorkerRecord } from "../../src/store/index.js";
import { openStore } from "../../src/store/open.js";
import { duro, duroJson, fixture, freshDir, removeTempDirs, spawnDuro, sqliteUrl } from "../support/cli.js";
import { until } from "../support/poll.js";
import { freshPgUrl } from "../support/postgres.js";
import v1 from "../support/workflows/versions/v1.js";
import v2 from "../support/workflows/versions/v2.js";

afterAll(removeTempDirs);

const V1_FILE = fixture("versions/v1.ts");
const V2_FILE = fixture("versions/v2.ts");
/** Each worker's announcement lasts its lease; short, so a killed worker drops out within the test. */
const TTL_MS = "2000";
const WAITING_V1 = 3;

interface VersionsReport {
  versions: unknown[];
  liveWorkers: number;
  coverage: VersionCoverage[];
  problems: Array<{ workflow: string; version: string; state: string; message: string }>;
}

async function scenario(db: string): Promise<void> {
  const cli = { cwd: freshDir("duro-workers-"), timeoutMs: 60_000 };
  const listed = async () => (await duroJson<{ workers: WorkerRecord[] }>(["workers", "list", "--db", db], cli)).workers;
  const engine = createEngine({ store: openStore(db), workflows: [v1, v2], inlineWaitMs: 0 });
  try {
    for (let n = 1; n <= WAITING_V1; n++) {
      await engine.start("shipment", { n, express: false }, { id: `old-${n}`, version: "v1" });
      expect((await engine.runUntilSettled(`old-${n}`)).status).toBe("waiting");
    }

    // A v1 worker runs: listed with v1, and counted for v1 by duro versions.
    const workerV1 = spawnDuro(["worker", V1_FILE, "--db", db, "--lease-ms", TTL_MS], cli);
    const [w1] = await until(listed, (workers) => workers.length === 1, "the v1 worker to be listed");
    expect(w1).toMatchObject({ pid: workerV1.child.pid, workflows: { shipment: ["v1"] }, pinned: true, active: 0, concurrency: 16 });
    const covered = await duroJson<VersionsReport>(["versions", "--db", db, "--check"], cli);
    expect(covered.coverage).toEqual([
      {
        workflow: "shipment",
        version: "v1",
        unfinished: WAITING_V1,
        workers: 1,
        anyVersionWorkers: 0,
        state: "covered",
        heldElsewhere: [],
      },
    ]);
    expect(covered.problems).toEqual([]);

    // A clean stop retires it: gone without waiting for its ttl.
    workerV1.child.kill("SIGTERM");
    const stopped = await workerV1.result;
    expect(stopped.code, stopped.stderr).toBe(0);
    expect(await listed()).toEqual([]);

    // Only v2 is alive now: the v1 runs are stranded, and the post-deploy gate says so.
    const workerV2 = spawnDuro(["worker", V2_FILE, "--db", db, "--lease-ms", TTL_MS], cli);
    try {
      const [w2] = await until(listed, (workers) => workers.length === 1, "the v2 worker to be listed");
      expect(w2).toMatchObject({ pid: workerV2.child.pid, workflows: { shipment: ["v2"] } });
      const gate = await duro(["versions", "--db", db, "--check"], cli);
      expect(gate.code, gate.stderr).toBe(1);
      expect(gate.stdout).toMatch(/shipment {2}v1 {2}queued 0 {2}running 0 {2}waiting 3 {2}workers 0/);
      expect(gate.stdout).toContain('STRANDED: 3 unfinished runs of shipment version "v1" are stranded');
      expect(gate.stdout).toContain("duro runs fork");
      expect(gate.stdout).toContain("--any-version");
      const report = JSON.parse((await duro(["versions", "--db", db, "--check", "--json"], cli)).stdout) as VersionsReport;
      expect(report.problems.map((p) => [p.workflow, p.version, p.state])).toEqual([["shipment", "v1", "stranded"]]);
      expect(report.coverage.find((c) => c.version === "v2")).toMatchObject({ unfinished: 0, workers: 1, state: "idle" });
    } finally {
      workerV2.child.kill("SIGKILL");
    }
    expect((await workerV2.result).signal).toBe("SIGKILL");

    // Killed, it could not retire: its row stays, and it drops out of the live list once its ttl has passed.
    await until(listed, (workers) => workers.length === 0, "the killed worker's announcement to lapse");
    const rows = await engine.store.listWorkers({ includeExpired: true });
    expect(rows.map((w) => w.pid)).toEqual([workerV2.child.pid]);
    const unserved = await duro(["versions", "--db", db, "--check"], cli);
    expect(unserved.code).toBe(1);
    expect(unserved.stdout).toContain('NO WORKER: 3 unfinished runs of shipment version "v1" wait for a worker');
  } finally {
    await engine.close();
  }
}

describe("the live workers registry with worker processes", () => {
  it("on a SQLite file", async () => {
    await scenario(sqliteUrl(join(freshDir("duro-workers-db-"), "duro.db")));
  }, 120_000);

  it("on PostgreSQL", async () => {
    await scenario(freshPgUrl());
  }, 120_000);
});
