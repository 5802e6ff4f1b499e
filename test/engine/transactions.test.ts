// Transactional steps and transactional starts on the SQL stores: the user's statements and the journal record
// commit together or not at all; a run started in the caller's transaction exists only if the caller commits.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { createEngine, type Engine, type TransactionClient, workflow } from "duro";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { MemoryStore, type Store } from "../../src/store/index.js";
import { openPostgresStore } from "../../src/store/postgres/index.js";
import { openSqliteStore } from "../../src/store/sqlite/index.js";
import { FakeClock } from "../../src/testing/store-conformance/index.js";
import { freshSchema, PG_URL } from "../support/postgres.js";

interface Scene {
  engine: Engine;
  store: Store;
  clock: FakeClock;
  /** The table this test's steps write to. */
  table: string;
  /** Rows of the table, read on the test's own connection (committed data only). */
  rows(): Promise<Array<{ id: string; note: string }>>;
  /** Opens a transaction on the test's own connection, runs `work` in it, and commits or rolls back. */
  inTransaction(work: (tx: unknown) => Promise<void>, outcome: "commit" | "rollback"): Promise<void>;
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function sqliteScene(workflows: Parameters<typeof createEngine>[0]["workflows"]): Promise<Scene> {
  const dir = mkdtempSync(join(tmpdir(), "duro-tx-"));
  const file = join(dir, "duro.db");
  const clock = new FakeClock();
  const store = openSqliteStore(file, { clock: () => clock.now() });
  const engine = createEngine({ store, workflows: workflows ?? [], clock: () => clock.now(), inlineWaitMs: 0, leaseMs: 10_000 });
  const own = new Database(file);
  own.exec("CREATE TABLE orders (id TEXT PRIMARY KEY, note TEXT NOT NULL)");
  cleanups.push(async () => {
    own.close();
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    engine,
    store,
    clock,
    table: "orders",
    rows: async () => own.prepare("SELECT id, note FROM orders ORDER BY id").all() as Array<{ id: string; note: string }>,
    inTransaction: async (work, outcome) => {
      own.exec("BEGIN");
      await work(own);
      own.exec(outcome === "commit" ? "COMMIT" : "ROLLBACK");
    },
  };
}

async function postgresScene(workflows: Parameters<typeof createEngine>[0]["workflows"]): Promise<Scene> {
  const schema = freshSchema();
  const clock = new FakeClock();
  const store = openPostgresStore(PG_URL, { schema, clock: () => clock.now(), poolSize: 4 });
  const engine = createEngine({ store, workflows: workflows ?? [], clock: () => clock.now(), inlineWaitMs: 0, leaseMs: 10_000 });
  await store.listRuns({ limit: 1 }); // creates the schema
  const own = new pg.Client({ connectionString: PG_URL });
  await own.connect();
  const table = `"${schema}".orders`;
  await own.query(`CREATE TABLE ${table} (id text PRIMARY KEY, note text NOT NULL)`);
  cleanups.push(async () => {
    await engine.close();
    await own.query(`DROP SCHEMA "${schema}" CASCADE`);
    await own.end();
  });
  return {
    engine,
    store,
    clock,
    table,
    rows: async () => (await own.query(`SELECT id, note FROM ${table} ORDER BY id`)).rows,
    inTransaction: async (work, outcome) => {
      await own.query("BEGIN");
      await work(own);
      await own.query(outcome === "commit" ? "COMMIT" : "ROLLBACK");
    },
  };
}

/** An insert in the dialect of the transaction's backend. */
function insert(tx: TransactionClient, table: string, id: string, note: string) {
  return tx.dialect === "postgres"
    ? tx.query(`INSERT INTO ${table} (id, note) VALUES ($1, $2)`, [id, note])
    : tx.query(`INSERT INTO ${table} (id, note) VALUES (?, ?)`, [id, note]);
}

describe.each([
  ["sqlite", sqliteScene],
  ["postgres", postgresScene],
] as const)("%s store", (_kind, makeScene) => {
  it("a transaction's statements and its journal record commit together, and a replay does not run it again", async () => {
    let calls = 0;
    const wf = workflow("place", async (ctx, input: { table: string }) => {
      const id = await ctx.transaction("insert", async (tx, step) => {
        calls++;
        await insert(tx, input.table, step.idempotencyKey, "placed");
        const [row] = await tx.query<{ n: number }>(`SELECT count(*) AS n FROM ${input.table}`);
        return { id: step.idempotencyKey, seen: Number(row?.n) };
      });
      return ctx.step("confirm", () => `confirmed ${id.id} (${id.seen})`);
    });
    const scene = await makeScene([wf]);
    const { id } = await scene.engine.start(wf, { table: scene.table });

    await scene.engine.runUntilSettled(id, { maxWaitMs: 0 });

    expect(await scene.engine.get(id)).toMatchObject({ status: "completed", output: `confirmed ${id}:insert#0 (1)` });
    expect(await scene.rows()).toEqual([{ id: `${id}:insert#0`, note: "placed" }]);
    const events = await scene.engine.events(id);
    expect(events.filter((e) => e.type === "step_completed").map((e) => (e as { key: string }).key)).toEqual(["insert#0", "confirm#0"]);
    expect(calls).toBe(1);
  });

  it("an attempt that throws rolls its statements back and the retry's statements are the ones kept", async () => {
    const wf = workflow("flaky", async (ctx, input: { table: string }) =>
      ctx.transaction(
        "insert",
        async (tx, step) => {
          await insert(tx, input.table, `attempt-${step.attempt}`, "tried");
          if (step.attempt === 1) throw new Error("the payment provider said no");
          return step.attempt;
        },
        { retry: { maxAttempts: 2, initialDelay: 10 } },
      ),
    );
    const scene = await makeScene([wf]);
    const { id } = await scene.engine.start(wf, { table: scene.table });

    await scene.engine.runUntilSettled(id, { maxWaitMs: 0 });
    scene.clock.advance(10);
    await scene.engine.runUntilSettled(id, { maxWaitMs: 0 });

    expect(await scene.engine.get(id)).toMatchObject({ status: "completed", output: 2 });
    expect(await scene.rows()).toEqual([{ id: "attempt-2", note: "tried" }]);
    const failed = (await scene.engine.events(id)).find((e) => e.type === "step_failed");
    expect(failed).toMatchObject({ key: "insert#0", attempt: 1, error: { message: "the payment provider said no" } });
  });

  it("a worker that lost its lease while the transaction ran commits neither the statements nor the record", async () => {
    let scene: Scene | undefined;
    const wf = workflow("slow", async (ctx, input: { table: string }) =>
      ctx.transaction("insert", async (tx) => {
        await insert(tx, input.table, "late", "should not exist");
        scene?.clock.advance(60_000); // longer than the lease: another worker may have the run now
        return "done";
      }),
    );
    scene = await makeScene([wf]);
    const { id } = await scene.engine.start(wf, { table: scene.table });

    const outcome = await scene.engine.execute(id);

    expect(outcome?.status).toBe("lease_lost");
    expect(await scene.rows()).toEqual([]);
    expect((await scene.engine.events(id)).some((e) => e.type === "step_completed")).toBe(false);
  });

  it("a run started in the caller's transaction exists only if the caller commits", async () => {
    const wf = workflow("welcome", async (_ctx, input: { user: string }) => `hello ${input.user}`);
    const scene = await makeScene([wf]);

    let rolledBack = "";
    await scene.inTransaction(async (tx) => {
      rolledBack = (await scene.engine.start(wf, { user: "ann" }, { tx })).id;
    }, "rollback");
    let committed = "";
    await scene.inTransaction(async (tx) => {
      committed = (await scene.engine.start(wf, { user: "bob" }, { tx })).id;
    }, "commit");

    await expect(scene.engine.get(rolledBack)).rejects.toMatchObject({ code: "run_not_found" });
    await scene.engine.runUntilSettled(committed, { maxWaitMs: 0 });
    expect(await scene.engine.get(committed)).toMatchObject({ status: "completed", output: "hello bob" });
  });

  it("a tx option that is not an open transaction on this database is refused", async () => {
    const wf = workflow("w", async () => 1);
    const scene = await makeScene([wf]);

    await expect(scene.engine.start(wf, {}, { tx: {} })).rejects.toMatchObject({ code: "invalid_transaction", category: "input" });
    expect((await scene.engine.list()).runs).toEqual([]);
  });
});

describe("memory store", () => {
  it("ctx.transaction fails its step with transaction_unsupported, and so does a start with tx", async () => {
    const wf = workflow("needs-sql", async (ctx) => ctx.transaction("write", async () => 1));
    const engine = createEngine({ store: new MemoryStore(), workflows: [wf] });
    const { id } = await engine.start(wf, {});

    await engine.runUntilSettled(id);

    expect(await engine.get(id)).toMatchObject({ status: "failed", error: { code: "step_failed" } });
    const failed = (await engine.events(id)).find((e) => e.type === "step_failed");
    expect(failed).toMatchObject({ error: { code: "transaction_unsupported" } });
    await expect(engine.start(wf, {}, { tx: {} })).rejects.toMatchObject({ code: "transaction_unsupported" });
  });
});
