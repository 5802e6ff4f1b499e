// Group commit: writes of one turn share a transaction, and a writer that has been alone commits without waiting a
// turn, until writes meet again. A second connection tells whether a write's row was committed by itself.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GroupCommit } from "../../../src/store/sqlite/group-commit.js";

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe("group commit", () => {
  let dir: string;
  let db: Database.Database;
  let observer: Database.Database;
  let writes: GroupCommit;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "duro-group-commit-"));
    db = new Database(join(dir, "db.sqlite"));
    db.pragma("journal_mode = WAL");
    db.exec("CREATE TABLE t (v TEXT NOT NULL)");
    observer = new Database(join(dir, "db.sqlite"));
    writes = new GroupCommit(db);
  });

  afterEach(() => {
    observer.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Inserts `v`; returns whether the other connection saw `before` committed at that point. */
  const insertSeeing = (v: string, before?: string) => () => {
    db.prepare("INSERT INTO t (v) VALUES (?)").run(v);
    return before === undefined ? undefined : observer.prepare("SELECT 1 FROM t WHERE v = ?").get(before) !== undefined;
  };

  async function writeAloneFor(turns: number): Promise<void> {
    for (let i = 0; i < turns; i++) {
      await writes.submit(insertSeeing(`lone ${i}`));
      await nextTurn();
    }
  }

  it("commits the writes of one turn in one transaction", async () => {
    const [, second] = await Promise.all([writes.submit(insertSeeing("a")), writes.submit(insertSeeing("b", "a"))]);

    expect(second).toBe(false);
  });

  it("commits a write at once, without waiting a turn, once the writer has been alone for a while", async () => {
    await writeAloneFor(8);
    let ran = false;
    const done = writes.submit(() => {
      ran = true;
    });
    const ranInSubmit = ran;
    await done;

    expect(ranInSubmit).toBe(true);
  });

  it("shares commits again as soon as two writes meet in one turn", async () => {
    await writeAloneFor(8);
    await Promise.all([writes.submit(insertSeeing("a")), writes.submit(insertSeeing("b"))]);
    await nextTurn();
    const [, second] = await Promise.all([writes.submit(insertSeeing("c")), writes.submit(insertSeeing("d", "c"))]);

    expect(second).toBe(false);
  });

  it("a write that fails when committed at once rejects and leaves no transaction open; the next write commits", async () => {
    await writeAloneFor(8);
    const failing = writes.submit(() => {
      throw new Error("boom");
    });

    await expect(failing).rejects.toThrow("boom");
    await nextTurn();
    await expect(writes.submit(insertSeeing("after"))).resolves.toBeUndefined();
    expect(db.inTransaction).toBe(false);
  });
});
