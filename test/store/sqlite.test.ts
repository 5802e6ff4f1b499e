import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it, vi } from "vitest";
import type { Lease } from "../../src/store/index.js";
import { Checkpointer } from "../../src/store/sqlite/checkpointer.js";
import { openSqliteStore } from "../../src/store/sqlite/index.js";
import { MIGRATIONS } from "../../src/store/sqlite/schema.js";
import { FakeClock, storeConformance } from "../../src/testing/store-conformance/index.js";

const dirs: string[] = [];
function freshDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "duro-sqlite-"));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

let lastPath = "";
storeConformance(
  "sqlite",
  async (clock) => {
    lastPath = join(freshDir(), "duro.db");
    return openSqliteStore(lastPath, { clock: () => clock.now() });
  },
  { reopen: async (clock) => openSqliteStore(lastPath, { clock: () => clock.now() }) },
);

describe("SqliteStore", () => {
  it("refuses a path in a missing directory with db_not_found naming the directory", () => {
    const missing = join(freshDir(), "nope", "deeper");

    expect(() => openSqliteStore(join(missing, "duro.db"))).toThrow(
      expect.objectContaining({ code: "db_not_found", category: "input", message: expect.stringContaining(missing) }),
    );
  });

  it("refuses a file that is not a SQLite database with db_invalid and leaves it untouched", () => {
    const path = join(freshDir(), "notes.db");
    const bytes = Buffer.from("these are my notes, not a database\n".repeat(200));
    writeFileSync(path, bytes);

    expect(() => openSqliteStore(path)).toThrow(expect.objectContaining({ code: "db_invalid", category: "input" }));
    expect(readFileSync(path).equals(bytes)).toBe(true);
  });

  it("refuses a SQLite database that another program made, leaving it untouched", () => {
    const path = join(freshDir(), "other.db");
    const other = new Database(path);
    other.exec("CREATE TABLE people (name TEXT)");
    other.close();
    const before = readFileSync(path);

    expect(() => openSqliteStore(path)).toThrow(expect.objectContaining({ code: "db_invalid" }));
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  it("keeps runs and journals across close and reopen", async () => {
    const path = join(freshDir(), "duro.db");
    const clock = new FakeClock();
    const first = openSqliteStore(path, { clock: () => clock.now() });
    await first.createRun({ id: "r1", workflow: "order", version: "1", input: { n: 1 }, tenant: "default", options: {} });
    const lease = (await first.claimRun("r1", "w1", 30_000)) as Lease;
    await first.append("r1", [{ type: "step_started", key: "a#0", attempt: 1 }], { lease, expectedSeq: 1 });
    await first.close();

    const second = openSqliteStore(path, { clock: () => clock.now() });

    expect((await second.read("r1")).map((e) => e.type)).toEqual(["run_created", "step_started"]);
    expect(await second.getRun("r1")).toMatchObject({ status: "running", leaseOwner: "w1", lastSeq: 2 });
    await second.close();
  });

  it("checkpoints the WAL in the background: it stays bounded under load and is folded in on close", async () => {
    const path = join(freshDir(), "duro.db");
    const store = openSqliteStore(path);
    await store.createRun({ id: "r1", workflow: "w", version: "1", input: null, tenant: "default", options: {} });
    const lease = (await store.claimRun("r1", "w1", 60_000)) as Lease;
    const padding = "x".repeat(3_000);
    // About 40 MiB of journal through the WAL; without checkpoints the WAL file would hold all of it.
    for (let seq = 1; seq <= 12_000; seq++) {
      await store.append("r1", [{ type: "value_recorded", key: `v#${seq}`, value: padding }], { lease, expectedSeq: seq });
    }
    // Two checkpointer ticks after the load stops, the WAL holds at most the truncation threshold (16 MiB).
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(walSize(path)).toBeLessThan(20 * 1024 * 1024);
    await store.close();
    expect(walSize(path)).toBe(0);
    const reopened = openSqliteStore(path);
    expect(await reopened.head("r1")).toBe(12_001);
    await reopened.close();
  });

  it("a store that commits a few times and closes (no checkpoint thread yet) folds its WAL in on close", async () => {
    const path = join(freshDir(), "duro.db");
    const store = openSqliteStore(path);
    await store.createRun({ id: "r1", workflow: "w", version: "1", input: null, tenant: "default", options: {} });
    const lease = (await store.claimRun("r1", "w1", 60_000)) as Lease;
    await store.append("r1", [{ type: "run_completed", output: 1 }], { lease, expectedSeq: 1, release: true });
    expect(walSize(path)).toBeGreaterThan(0);
    await store.close();
    expect(walSize(path)).toBe(0);
    const reopened = openSqliteStore(path);
    expect((await reopened.getRun("r1"))?.status).toBe("completed");
    await reopened.close();
  });

  it("the checkpoint thread starts after enough commits, or after a while however few there were", () => {
    const path = join(freshDir(), "duro.db");
    openSqliteStore(path).close();
    const byCommits = new Checkpointer(path, () => {}, { startAfterCommits: 3, startAfterMs: 3_600_000 });
    byCommits.committed();
    byCommits.committed();
    expect(byCommits.started).toBe(false);
    byCommits.committed();
    expect(byCommits.started).toBe(true);
    vi.useFakeTimers();
    try {
      const byTime = new Checkpointer(path, () => {}, { startAfterCommits: 1_000, startAfterMs: 2_000 });
      vi.advanceTimersByTime(1_999);
      expect(byTime.started).toBe(false);
      vi.advanceTimersByTime(1);
      expect(byTime.started).toBe(true);
      return Promise.all([byCommits.stop(), byTime.stop()]);
    } finally {
      vi.useRealTimers();
    }
  });

  it("applies the synchronous option (normal by default, full on request) and WAL mode", async () => {
    const dir = freshDir();
    const pragmas = (path: string) => {
      const db = new Database(path, { readonly: true });
      const result = { journal: db.pragma("journal_mode", { simple: true }) };
      db.close();
      return result;
    };
    const normal = openSqliteStore(join(dir, "normal.db"));
    const full = openSqliteStore(join(dir, "full.db"), { synchronous: "full" });

    // synchronous is a per-connection setting, so read it through the store's own connection.
    expect(synchronousOf(normal)).toBe(1);
    expect(synchronousOf(full)).toBe(2);
    expect(pragmas(join(dir, "normal.db")).journal).toBe("wal");
    await normal.close();
    await full.close();
  });

  it("a closed store refuses work with store_closed", async () => {
    const store = openSqliteStore(join(freshDir(), "duro.db"));
    await store.close();

    await expect(store.getRun("r1")).rejects.toMatchObject({ code: "store_closed" });
  });
});

function synchronousOf(store: object): unknown {
  const db = (store as { db: Database.Database }).db;
  return db.pragma("synchronous", { simple: true });
}

function walSize(path: string): number {
  return existsSync(`${path}-wal`) ? statSync(`${path}-wal`).size : 0;
}

describe("SqliteStore journal chain", () => {
  it("a database from before the chain keeps its old runs verifiable, and a newer run with its hashes removed fails", async () => {
    const { verifyRun } = await import("../../src/cli/commands/verify.js");
    const path = join(freshDir(), "duro.db");
    const clock = new FakeClock();
    const newRun = (id: string) => ({ id, workflow: "order", version: "1", input: { n: 1 }, tenant: "default", options: {} });
    let store = openSqliteStore(path, { clock: () => clock.now() });
    await store.createRun(newRun("r_legacy"));
    clock.advance(1_000);
    await store.createRun(newRun("r_chained"));
    await store.close();
    // Make it the database of a duro from before migration 9, whose r_legacy was written before the chain existed, and
    // apply migration 9 as that duro's upgrade did (the later migrations are already there and do not run twice).
    const raw = new Database(path);
    raw.exec(`UPDATE journal SET hash = NULL WHERE run_pk = (SELECT pk FROM runs WHERE id = 'r_legacy')`);
    raw.exec(`DELETE FROM meta WHERE key = 'chain_since'`);
    raw.exec(MIGRATIONS[8] as string);
    raw.close();

    store = openSqliteStore(path, { clock: () => clock.now() });
    expect(await store.chainSince()).toBe((await store.getRun("r_legacy"))?.createdAt);
    expect(await verifyRun(store, "r_legacy")).toMatchObject({ ok: true, unchained: 1 });
    await store.close();

    const tamper = new Database(path);
    tamper.exec(`UPDATE journal SET hash = NULL WHERE run_pk = (SELECT pk FROM runs WHERE id = 'r_chained')`);
    tamper.close();
    store = openSqliteStore(path, { clock: () => clock.now() });
    expect(await verifyRun(store, "r_chained")).toMatchObject({ ok: false, firstBadSeq: 1 });
    await store.close();
  });
});
