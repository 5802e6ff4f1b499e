// The PostgreSQL store against a real server (DURO_TEST_PG, as the suite's global setup chose it).
// Every store gets a schema of its own, dropped when the file is done, so runs of this file never collide.
import { randomBytes } from "node:crypto";
import { createServer } from "node:net";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { type Lease, parseDbUrl } from "../../src/store/index.js";
import { openStore } from "../../src/store/open.js";
import { openPostgresStore, type PostgresStore } from "../../src/store/postgres/index.js";
import { FakeClock, storeConformance } from "../../src/testing/store-conformance/index.js";
import { DROP_TIMEOUT_MS, PG_URL } from "../support/postgres.js";

const URL = PG_URL;
const PREFIX = `duro_t_${process.pid}_${randomBytes(3).toString("hex")}`;

const schemas: string[] = [];
function freshSchema(): string {
  const schema = `${PREFIX}_${schemas.length}`;
  schemas.push(schema);
  return schema;
}

const stores: PostgresStore[] = [];
function open(schema: string, clock: FakeClock, poolSize?: number): PostgresStore {
  const store = openPostgresStore(URL, { schema, clock: () => clock.now(), ...(poolSize === undefined ? {} : { poolSize }) });
  stores.push(store);
  return store;
}

afterAll(async () => {
  for (const store of stores) await store.close();
  const admin = new pg.Pool({ connectionString: URL, max: 1 });
  try {
    for (const schema of schemas) await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await admin.end();
  }
}, DROP_TIMEOUT_MS);

let lastSchema = "";
storeConformance(
  "postgres",
  async (clock) => {
    lastSchema = freshSchema();
    return open(lastSchema, clock);
  },
  { reopen: async (clock) => open(lastSchema, clock) },
);

const newRun = (id: string) => ({ id, workflow: "order", version: "1", input: null, tenant: "default", options: {} });

describe("PostgresStore", () => {
  it("an unreachable port fails fast with db_unavailable naming the URL without its password", async () => {
    const store = openPostgresStore("postgres://duro:s3cret-pw@127.0.0.1:1/test", { connectTimeoutMs: 1_000 });
    stores.push(store);

    const error = await store.getRun("r1").catch((e: unknown) => e);

    expect(error).toMatchObject({ code: "db_unavailable", category: "storage", retryable: true });
    expect((error as Error).message).toContain("postgres://duro:[REDACTED]@127.0.0.1:1/test");
    expect(JSON.stringify(error)).not.toContain("s3cret-pw");
    expect(`${(error as Error).message} ${(error as Error).stack}`).not.toContain("s3cret-pw");
  });

  it("a host that never answers fails with db_unavailable after the connect timeout instead of hanging", { timeout: 10_000 }, async () => {
    // A listener on loopback that accepts the connection and never says a word: the server's greeting never comes.
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const { port } = silent.address() as { port: number };
    try {
      const store = openPostgresStore(`postgresql://duro:pw-xyz@127.0.0.1:${port}/test`, { connectTimeoutMs: 300 });
      stores.push(store);

      const error = await store.createRun(newRun("r1")).catch((e: unknown) => e);

      expect(error).toMatchObject({ code: "db_unavailable", retryable: true });
      expect((error as Error).message).not.toContain("pw-xyz");
    } finally {
      silent.close();
    }
  });

  it("a connection killed mid-statement gives db_unavailable, and the next call works on a new connection", async () => {
    const schema = freshSchema();
    const store = open(schema, new FakeClock());
    await store.createRun(newRun("r1"));
    const admin = new pg.Client({ connectionString: URL });
    const watcher = new pg.Client({ connectionString: URL });
    await Promise.all([admin.connect(), watcher.connect()]);
    try {
      await admin.query(`BEGIN; LOCK TABLE "${schema}".runs IN EXCLUSIVE MODE`);
      const claim = store.claim({ workerId: "w1", limit: 1, leaseMs: 30_000, workflows: ["order"] }).catch((e: unknown) => e);
      await blockedOn(watcher, schema, 1);
      await watcher.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND position($1 in query) > 0",
        [`"${schema}"`],
      );

      expect(await claim).toMatchObject({ code: "db_unavailable", retryable: true });
      await admin.query("COMMIT");
    } finally {
      await Promise.all([admin.end(), watcher.end()]);
    }
    expect(await store.claim({ workerId: "w1", limit: 1, leaseMs: 30_000, workflows: ["order"] })).toHaveLength(1);
  });

  it("processes starting at once on a new schema agree on one migration", async () => {
    const schema = freshSchema();
    const clock = new FakeClock();
    const handles = [open(schema, clock, 2), open(schema, clock, 2), open(schema, clock, 2), open(schema, clock, 2)];

    await Promise.all(handles.map((h) => h.ready()));
    await handles[0]?.createRun(newRun("r1"));

    expect(await Promise.all(handles.map(async (h) => (await h.getRun("r1"))?.id))).toEqual(["r1", "r1", "r1", "r1"]);
  });

  it("two pools claiming one schema concurrently never lease the same run twice", async () => {
    const schema = freshSchema();
    const clock = new FakeClock();
    const a = open(schema, clock);
    const b = open(schema, clock);
    const ids = Array.from({ length: 200 }, (_, i) => `r${String(i).padStart(3, "0")}`);
    for (const id of ids) await a.createRun(newRun(id));

    const leased: string[] = [];
    for (let round = 0; round < 100; round++) {
      const batches = await Promise.all(
        [a, b, a, b, a, b].map((s, i) => s.claim({ workerId: `w${i}`, limit: 7, leaseMs: 30_000, workflows: ["order"] })),
      );
      const got = batches.flat();
      if (got.length === 0) break;
      leased.push(...got.map((l) => l.runId));
    }

    expect(leased.length).toBe(ids.length);
    expect([...leased].sort()).toEqual(ids);
  });

  it("two pools pruning one schema at once delete every run exactly once", async () => {
    const schema = freshSchema();
    const clock = new FakeClock();
    const a = open(schema, clock);
    const b = open(schema, clock);
    const ids = Array.from({ length: 60 }, (_, i) => `r${String(i).padStart(3, "0")}`);
    for (const id of ids) {
      await a.createRun(newRun(id));
      const lease = (await a.claimRun(id, "w1", 30_000)) as Lease;
      await a.append(id, [{ type: "run_completed", output: null }], { lease, expectedSeq: 1 });
    }
    clock.advance(1_000);

    const pruned: string[] = [];
    for (let round = 0; round < 50; round++) {
      const batches = await Promise.all([a, b, a, b].map((s) => s.pruneRuns({ status: "completed", before: clock.now(), limit: 7 })));
      if (batches.every((batch) => batch.length === 0)) break;
      pruned.push(...batches.flat());
    }

    expect([...pruned].sort()).toEqual(ids);
  });

  it("collectArtifacts skips an unreferenced artifact whose row a put is writing, and keeps it once that put commits", async () => {
    const schema = freshSchema();
    const clock = new FakeClock();
    const store = open(schema, clock);
    await store.createRun(newRun("r_old"));
    const lease = (await store.claimRun("r_old", "w1", 30_000)) as Lease;
    await store.append("r_old", [{ type: "run_completed", output: null }], { lease, expectedSeq: 1 });
    const shared = await store.putArtifact(new TextEncoder().encode("shared"), { runId: "r_old" });
    const other = await store.putArtifact(new TextEncoder().encode("only r_old's"), { runId: "r_old" });
    clock.advance(3_600_000);
    await store.pruneRuns({ status: "completed", before: clock.now(), limit: 10 });
    const admin = new pg.Client({ connectionString: URL });
    await admin.connect();
    try {
      // What a live run's put of the same bytes does to the row, held open mid-transaction.
      await admin.query("BEGIN");
      await admin.query(`UPDATE "${schema}".artifacts SET refs = refs + 1, put_at = $2 WHERE sha256 = $1`, [shared, clock.now()]);

      expect(await store.collectArtifacts({ before: clock.now(), limit: 10 })).toEqual([other]);
      await admin.query("COMMIT");
      expect(await store.collectArtifacts({ before: clock.now() + 1, limit: 10 })).toEqual([]);
      expect(new TextDecoder().decode(await store.getArtifact(shared))).toBe("shared");
    } finally {
      await admin.end();
    }
  });

  it("a stale writer on another pool gets lease_lost after a re-claim, even when both append at once", async () => {
    const schema = freshSchema();
    const clock = new FakeClock();
    const a = open(schema, clock);
    const b = open(schema, clock);
    await a.createRun(newRun("r1"));
    const stale = (await a.claimRun("r1", "w1", 30_000)) as Lease;
    clock.advance(30_000);
    const current = (await b.claimRun("r1", "w2", 30_000)) as Lease;
    const step = [{ type: "step_started" as const, key: "a#0", attempt: 1 }];

    const [old, fresh] = await Promise.allSettled([
      a.append("r1", step, { lease: stale, expectedSeq: 1 }),
      b.append("r1", step, { lease: current, expectedSeq: 1 }),
    ]);

    expect(old).toMatchObject({ status: "rejected", reason: { code: "lease_lost", details: { reason: "reclaimed" } } });
    expect(fresh).toMatchObject({ status: "fulfilled", value: { lastSeq: 2 } });
    expect((await a.read("r1")).map((e) => e.seq)).toEqual([1, 2]);
  });

  it("a heartbeat whose update misses a lease that then reads as current tries again instead of failing the invocation", async () => {
    const clock = new FakeClock();
    const store = open(freshSchema(), clock);
    await store.createRun(newRun("r1"));
    const lease = (await store.claimRun("r1", "w1", 30_000)) as Lease;
    // Stands in for a commit landing between the update and the read that explains it: the first update matches nothing.
    const internals = store as unknown as { rows: (on: unknown, statement: string, values: unknown[]) => Promise<unknown[]> };
    const rows = internals.rows.bind(store);
    let missed = 0;
    internals.rows = async (on, statement, values) => {
      if (statement === "heartbeat" && missed++ === 0) return [];
      return rows(on, statement, values);
    };
    clock.advance(1_000);
    await expect(store.heartbeat(lease, 30_000)).resolves.toEqual({ expiresAt: clock.now() + 30_000 });
    expect(missed).toBe(2);
  });

  it("concurrent appends by the lease holder with the same expectedSeq: one lands, the other gets lease_lost", async () => {
    const schema = freshSchema();
    const clock = new FakeClock();
    const a = open(schema, clock);
    const b = open(schema, clock);
    await a.createRun(newRun("r1"));
    const lease = (await a.claimRun("r1", "w1", 30_000)) as Lease;
    const step = (key: string) => [{ type: "step_started" as const, key, attempt: 1 }];

    const results = await Promise.allSettled([
      a.append("r1", step("a#0"), { lease, expectedSeq: 1 }),
      b.append("r1", step("b#0"), { lease, expectedSeq: 1 }),
    ]);

    expect(results.map((r) => r.status).sort()).toEqual(["fulfilled", "rejected"]);
    expect(results.find((r) => r.status === "rejected")).toMatchObject({
      reason: { code: "lease_lost", details: { reason: "seq_mismatch" } },
    });
    expect(await a.head("r1")).toBe(2);
  });

  it("a delivery racing a suspend is never lost, even in the worst interleaving", async () => {
    const schema = freshSchema();
    const clock = new FakeClock();
    const a = open(schema, clock);
    const b = open(schema, clock);
    await a.createRun(newRun("r1"));
    const lease = (await a.claimRun("r1", "w1", 30_000)) as Lease;
    const admin = new pg.Client({ connectionString: URL });
    const watcher = new pg.Client({ connectionString: URL });
    await Promise.all([admin.connect(), watcher.connect()]);
    try {
      // Hold back every UPDATE of runs: the suspend stops after its pending-message check, before its status
      // change commits, and the delivery's wake-up statement takes its snapshot while the suspend is still open.
      await admin.query(`BEGIN; LOCK TABLE "${schema}".runs IN SHARE MODE`);
      const suspend = a.append("r1", [{ type: "wait_started", key: "paid#0", kind: "event", eventKey: "paid:o1" }], {
        lease,
        expectedSeq: 1,
        status: "waiting",
        release: true,
      });
      await blockedOn(watcher, schema, 1);
      const delivery = b.deliver({ eventKey: "paid:o1", payload: 5 });
      await blockedOn(watcher, schema, 2);
      await admin.query("COMMIT");
      await Promise.all([suspend, delivery]);
    } finally {
      await Promise.all([admin.end(), watcher.end()]);
    }

    expect(await a.getRun("r1")).toMatchObject({ status: "waiting", readyAt: clock.now() });
  });

  it("subscribe hears runs becoming ready on its schema from any pool, and nothing from other schemas", async () => {
    const schema = freshSchema();
    const clock = new FakeClock();
    const a = open(schema, clock);
    const b = open(schema, clock);
    const elsewhere = open(freshSchema(), clock);
    let heard = 0;
    const stop = await a.subscribe(() => heard++);
    const heardMore = async (than: number, withinMs = 1_000) => {
      for (let waited = 0; waited < withinMs && heard <= than; waited += 5) await new Promise((resolve) => setTimeout(resolve, 5));
      return heard > than;
    };

    await elsewhere.createRun(newRun("x1"));
    await b.createRun(newRun("r1"));
    expect(await heardMore(0)).toBe(true);
    expect(heard).toBe(1);

    const lease = (await b.claimRun("r1", "w1", 30_000)) as Lease;
    await b.append("r1", [{ type: "wait_started", key: "paid#0", kind: "event", eventKey: "paid:o1" }], {
      lease,
      expectedSeq: 1,
      status: "waiting",
      release: true,
    });
    await b.deliver({ eventKey: "paid:o1", payload: 1 });
    expect(await heardMore(1)).toBe(true);

    await stop();
    const before = heard;
    await b.createRun(newRun("r2"));
    await b.getRun("r2");
    expect(await heardMore(before, 200)).toBe(false);
  });

  it("keeps everything in the named schema, and openStore takes the schema from the URL", async () => {
    const schema = freshSchema();
    const store = openStore(`${URL}?schema=${schema}`) as PostgresStore;
    stores.push(store);
    await store.createRun(newRun("r1"));

    const admin = new pg.Client({ connectionString: URL });
    await admin.connect();
    try {
      const { rows } = await admin.query("SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1", [schema]);
      expect(rows.map((r) => r.table_name)).toEqual([
        "api_keys",
        "artifact_refs",
        "artifacts",
        "inbox",
        "journal",
        "maintenance_leases",
        "meta",
        "queues",
        "runs",
        "schedules",
        "secrets",
        "used_tokens",
        "waits",
        "workers",
      ]);
    } finally {
      await admin.end();
    }
    expect(parseDbUrl(`${URL}?schema=${schema}`)).toEqual({ kind: "postgres", url: URL, schema });
  });

  it("refuses a schema name that is not a plain identifier, and a schema holding someone else's tables", async () => {
    expect(() => openPostgresStore(URL, { schema: 'x"; DROP TABLE runs; --' })).toThrow(
      expect.objectContaining({ code: "db_schema_invalid" }),
    );
    expect(() => parseDbUrl(`${URL}?schema=Bad-Name`)).toThrow(expect.objectContaining({ code: "db_schema_invalid", category: "input" }));

    const schema = freshSchema();
    const admin = new pg.Client({ connectionString: URL });
    await admin.connect();
    try {
      await admin.query(`CREATE SCHEMA "${schema}"; CREATE TABLE "${schema}".people (name text)`);
    } finally {
      await admin.end();
    }
    const store = openPostgresStore(URL, { schema });
    stores.push(store);

    await expect(store.getRun("r1")).rejects.toMatchObject({ code: "db_invalid", category: "input" });
  });

  it("a closed store refuses work with store_closed", async () => {
    const store = open(freshSchema(), new FakeClock());
    await store.ready();
    await store.close();

    await expect(store.getRun("r1")).rejects.toMatchObject({ code: "store_closed" });
  });
});

/** Waits until `count` sessions working on `schema` wait for a lock (`watcher` must not be in a transaction: it would see a frozen pg_stat_activity). */
async function blockedOn(watcher: pg.Client, schema: string, count: number): Promise<void> {
  for (let i = 0; i < 500; i++) {
    const { rows } = await watcher.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND position($1 in query) > 0",
      [`"${schema}"`],
    );
    if ((rows[0]?.n ?? 0) >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`fewer than ${count} statements on ${schema} ever waited for a lock`);
}
