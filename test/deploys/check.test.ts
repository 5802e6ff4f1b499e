// The pre-deploy check: 20 runs of v1 wait (plus 2 not started yet); v2 changes the step order on the gold path only.
// The check, as a library call and as `duro check`, names exactly the gold runs that had passed that point, and
// writes nothing.
import { join } from "node:path";
import { checkDeploy, createEngine } from "duro";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openSqliteStore } from "../../src/store/sqlite/index.js";
import { duro, duroJson, fixture, freshDir, removeTempDirs, sqliteUrl } from "../support/cli.js";
import v1 from "../support/workflows/deploy/v1.js";
import v2 from "../support/workflows/deploy/v2.js";

afterAll(removeTempDirs);

const dir = freshDir("duro-check-");
const file = join(dir, "duro.db");
const gold = (n: number) => n % 3 === 0;
const idOf = (n: number) => `order-${n}`;
/** The source location of v2's `ctx.step("charge", …)`: file, line 6, column 29 (the `step` of `ctx.step`). */
const CHARGE_IN_V2 = /[\\/]test[\\/]support[\\/]workflows[\\/]deploy[\\/]v2\.ts:6:29$/;
/** Waiting runs whose journal went past the gold path's changed order: the ones v2 breaks. */
const breaking = Array.from({ length: 20 }, (_, i) => i + 1)
  .filter(gold)
  .map(idOf);

beforeAll(async () => {
  const engine = createEngine({ store: openSqliteStore(file), workflows: [v1], inlineWaitMs: 0 });
  try {
    for (let n = 1; n <= 20; n++) {
      const { id } = await engine.start(v1, { n, tier: gold(n) ? "gold" : "basic" }, { id: idOf(n) });
      expect((await engine.runUntilSettled(id)).status).toBe("waiting");
    }
    // Queued, never executed: nothing journaled past run_created, so any code is fine for them.
    await engine.start(v1, { n: 21, tier: "gold" }, { id: idOf(21) });
    await engine.start(v1, { n: 22, tier: "basic" }, { id: idOf(22) });
  } finally {
    await engine.close();
  }
});

describe("checkDeploy", () => {
  it("names exactly the runs v2 would break, with the first diverging step, and writes nothing", async () => {
    const store = openSqliteStore(file);
    try {
      const heads = await Promise.all(Array.from({ length: 22 }, (_, i) => store.head(idOf(i + 1))));
      const report = await checkDeploy({ store, workflows: [v2] });

      expect(report.checked).toBe(22);
      expect(report.ok).toBe(false);
      expect(report.broken.map((r) => r.runId).sort()).toEqual([...breaking].sort());
      for (const run of report.broken) {
        expect(run).toMatchObject({ expected: "bonus#0", requested: "charge#0", status: "waiting", error: { code: "non_determinism" } });
        // Where v2 asks for "charge": line 6 of the fixture, at the ctx.step call.
        expect(run.location).toMatch(CHARGE_IN_V2);
      }
      expect(await Promise.all(Array.from({ length: 22 }, (_, i) => store.head(idOf(i + 1))))).toEqual(heads);

      const same = await checkDeploy({ store, workflows: [v1] });
      expect(same).toMatchObject({ ok: true, checked: 22, broken: [] });
      expect(await checkDeploy({ store, workflows: [] })).toMatchObject({ ok: true, checked: 0 });
    } finally {
      await store.close();
    }
  });
});

describe("duro check", () => {
  it("exits 1 naming the broken runs for v2, and 0 for v1", async () => {
    const db = sqliteUrl(file);
    const bad = await duro(["check", fixture("deploy/v2.ts"), "--db", db], { cwd: dir });
    expect(bad.code, bad.stderr).toBe(1);
    const named = [...bad.stdout.matchAll(/BREAKS run (\S+) .*: the journal has "bonus#0", the code asks for "charge#0"/g)].map(
      (m) => m[1],
    );
    expect(named.sort()).toEqual([...breaking].sort());
    const locations = [...bad.stdout.matchAll(/ at (\S+) \[non_determinism\]/g)].map((m) => m[1]);
    expect(locations).toHaveLength(breaking.length);
    for (const location of locations) expect(location).toMatch(CHARGE_IN_V2);
    expect(bad.stdout).toContain("22 runs checked, 6 would break");

    const good = await duro(["check", fixture("deploy/v1.ts"), "--db", db], { cwd: dir });
    expect(good.code, good.stderr).toBe(0);
    expect(good.stdout).toContain("22 runs checked, 0 would break");

    const missing = await duro(["check", "--db", db], { cwd: dir });
    expect(missing.code).toBe(2);
  });

  it("duro versions counts the unfinished runs per version", async () => {
    const report = await duroJson<{ versions: unknown[] }>(["versions", "--db", sqliteUrl(file), "--json"], { cwd: dir });
    expect(report.versions).toEqual([{ workflow: "order", version: v1.version, queued: 2, running: 0, waiting: 20 }]);
  });
});
