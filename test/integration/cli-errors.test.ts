// The `duro` command with bad input: every mistake exits 2 with its error code on stderr and leaves the store
// exactly as it was. Also the inbox for events nobody waits for yet, and the README's quick start end to end.
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { JournalEvent, RunDetails, RunPage } from "../../src/index.js";
import { type CliOptions, duro, duroJson, example, fixture, freshDir, readEffects, removeTempDirs, sqliteUrl } from "../support/cli.js";

afterAll(removeTempDirs);

const VALIDATED = fixture("validated.ts");
const WAITING = fixture("waiting.ts");
const NO_WORKFLOW = fixture("no-workflow.ts");
const MISSING_FILE = fixture("does-not-exist.ts");
const GOOD_INPUT = JSON.stringify({ sku: "A1", qty: 2 });
const TEST_TIMEOUT = 60_000;

interface InboxEntry {
  id: number;
  eventKey: string;
  payload: unknown;
}

interface StoreSnapshot {
  runs: RunPage;
  inbox: InboxEntry[];
  sha256: string;
  files: string[];
}

function cliIn(dir: string): CliOptions {
  return { cwd: dir, env: { DURO_TEST_EFFECTS: join(dir, "effects.jsonl") }, timeoutMs: 20_000 };
}

/**
 * What the CLI lists (runs and inbox) plus the database file's bytes and the files beside it. The two listings
 * run one after the other: the last connection to close checkpoints and removes the WAL, and two closing at once
 * could each leave that to the other.
 */
async function snapshot(path: string, options: CliOptions): Promise<StoreSnapshot> {
  const db = sqliteUrl(path);
  const runs = await duroJson<RunPage>(["runs", "list", "--db", db], options);
  const inbox = await duroJson<InboxEntry[]>(["runs", "list", "--inbox", "--db", db], options);
  return { runs, inbox, sha256: createHash("sha256").update(readFileSync(path)).digest("hex"), files: readdirSync(options.cwd).sort() };
}

// Every group runs at once (each test has its own directory); the slow quick start goes first.
describe.concurrent("the duro command", () => {
  describe("the README quick start", () => {
    it("order.ts waits for approval, then for payment, then completes with its child run's shipment", {
      timeout: TEST_TIMEOUT,
    }, async () => {
      const dir = freshDir("duro-quickstart-");
      const cli = cliIn(dir);
      const order = example("order.ts");

      const started = await duro(["run", order, "--input", '{"sku":"A1","qty":2}', "--json"], cli);
      expect(started.code, started.stderr).toBe(3);
      const waitingForApproval = JSON.parse(started.stdout) as RunDetails;
      expect(waitingForApproval).toMatchObject({ status: "waiting", waits: [{ kind: "approval", gate: "manager", summary: "2 x A1" }] });
      const runId = waitingForApproval.id;
      expect(existsSync(join(dir, ".duro", "duro.db"))).toBe(true);

      const approved = await duro(["approve", runId, "manager"], cli);
      expect(approved.code, approved.stderr).toBe(0);
      expect(approved.stdout).toContain(`approve recorded for "manager" of run ${runId}`);

      const resumed = await duro(["resume", runId, "--json"], cli);
      expect(resumed.code, resumed.stderr).toBe(3);
      const reservation = `res-${runId.slice(-6)}`;
      expect(JSON.parse(resumed.stdout)).toMatchObject({ status: "waiting", waits: [{ kind: "event", eventKey: `order:${reservation}` }] });

      const paid = await duro(["signal", `order:${reservation}`, "--payload", '{"amount":40}'], cli);
      expect(paid.code, paid.stderr).toBe(0);
      expect(paid.stdout).toContain(`delivered to ${runId}`);

      const finished = await duro(["resume", runId, "--json"], cli);
      expect(finished.code, finished.stderr).toBe(0);
      const label = { labelId: `LBL-${reservation}`, carrier: "post" };
      expect((JSON.parse(finished.stdout) as RunDetails).output).toEqual({
        invoice: { invoiceNo: `INV-${reservation}`, total: 40 },
        label,
        payment: { amount: 40 },
        shipment: { shipped: true, pickupAt: "tomorrow 9:00", label: label.labelId },
      });
      const runs = await duroJson<RunPage>(["runs", "list"], cli);
      expect(runs.runs.map((r) => [r.workflow, r.status, r.parentRunId])).toEqual([
        ["ship", "completed", runId],
        ["order", "completed", undefined],
      ]);
      const events = await duroJson<JournalEvent[]>(["runs", "events", runId], cli);
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
      expect(events.at(-1)?.type).toBe("run_completed");
    });
  });

  describe("events nobody waits for yet", () => {
    it("a signal before any run waits is kept in the inbox and received by the run that later waits on its key", {
      timeout: TEST_TIMEOUT,
    }, async () => {
      const dir = freshDir("duro-inbox-");
      const db = sqliteUrl(join(dir, "duro.db"));
      const cli = cliIn(dir);
      // signal does not create a database (a wrong --db would otherwise park the event in a new empty one).
      expect((await duro(["db", "migrate", "--db", db], cli)).code).toBe(0);

      const sent = await duro(["signal", "some:key", "--payload", '{"a":1}', "--db", db], cli);
      expect(sent.code, sent.stderr).toBe(0);
      expect(sent.stdout).toContain('no run is waiting on "some:key" yet; the event is kept in the inbox');
      expect(await duroJson<InboxEntry[]>(["runs", "list", "--inbox", "--db", db], cli)).toMatchObject([
        { eventKey: "some:key", payload: { a: 1 } },
      ]);

      const run = await duro(
        ["run", WAITING, "--workflow", "awaits-event", "--id", "r_late", "--input", '{"key":"some:key"}', "--db", db, "--json"],
        cli,
      );

      expect(run.code, run.stderr).toBe(0);
      expect(JSON.parse(run.stdout)).toMatchObject({
        status: "completed",
        output: { order: "order-for-some:key", payment: { a: 1 }, receipt: 'order-for-some:key paid {"a":1}' },
      });
      expect(await duroJson<InboxEntry[]>(["runs", "list", "--inbox", "--db", db], cli)).toEqual([]);
    });
  });

  describe("bad input is refused with exit 2 and changes nothing", () => {
    // One store with a completed run, a run waiting for approval "manager", a run waiting for an event and a kept
    // event; each test works on its own byte-for-byte copy and compares it with the seed's snapshot afterwards.
    let seedPath = "";
    let seedSnapshot: StoreSnapshot;

    beforeAll(async () => {
      const dir = freshDir("duro-seed-");
      seedPath = join(dir, "duro.db");
      const db = sqliteUrl(seedPath);
      const cli = cliIn(dir);
      const done = await duro(["run", VALIDATED, "--id", "r_done", "--input", GOOD_INPUT, "--db", db], cli);
      expect(done.code, done.stderr).toBe(0);
      const approval = await duro(
        ["run", WAITING, "--workflow", "awaits-approval", "--id", "r_approval", "--input", '{"item":"desk"}', "--db", db],
        cli,
      );
      expect(approval.code, approval.stderr).toBe(3);
      const event = await duro(
        ["run", WAITING, "--workflow", "awaits-event", "--id", "r_event", "--input", '{"key":"pay:seed"}', "--db", db],
        cli,
      );
      expect(event.code, event.stderr).toBe(3);
      const kept = await duro(["signal", "unclaimed:key", "--payload", '{"n":1}', "--db", db], cli);
      expect(kept.code, kept.stderr).toBe(0);
      seedSnapshot = await snapshot(seedPath, cli);
      expect(seedSnapshot.runs.runs.map((r) => [r.id, r.status])).toEqual([
        ["r_event", "waiting"],
        ["r_approval", "waiting"],
        ["r_done", "completed"],
      ]);
      expect(seedSnapshot.inbox).toMatchObject([{ eventKey: "unclaimed:key", payload: { n: 1 } }]);
    }, TEST_TIMEOUT);

    /** A fresh directory holding a copy of the seeded store (the seed is checkpointed: no WAL beside it). */
    function seededCopy() {
      const dir = freshDir("duro-bad-");
      const path = join(dir, "duro.db");
      expect(existsSync(`${seedPath}-wal`)).toBe(false);
      copyFileSync(seedPath, path);
      return { dir, path, db: sqliteUrl(path), cli: cliIn(dir) };
    }

    const cases: Array<{ name: string; args: (db: string) => string[]; code: string; mentions: string[] }> = [
      {
        name: "malformed --input JSON",
        args: (db) => ["run", VALIDATED, "--input", '{"sku": "A1", qty}', "--db", db],
        code: "input_malformed",
        mentions: ["--input is not valid JSON"],
      },
      {
        name: "an input that fails the workflow's schema, naming the bad field",
        args: (db) => ["run", VALIDATED, "--input", '{"sku":"A1","qty":"two"}', "--db", db],
        code: "input_invalid",
        mentions: ['workflow "validated"', "qty:"],
      },
      {
        name: "an unknown --workflow",
        args: (db) => ["run", WAITING, "--workflow", "nope", "--input", GOOD_INPUT, "--db", db],
        code: "workflow_not_found",
        mentions: ['"nope"', "awaits-event", "awaits-approval"],
      },
      {
        name: "a file that exports no workflow",
        args: (db) => ["run", NO_WORKFLOW, "--db", db],
        code: "no_workflows",
        mentions: ["no-workflow.ts exports no workflow"],
      },
      {
        name: "a workflow file that does not exist",
        args: (db) => ["run", MISSING_FILE, "--input", GOOD_INPUT, "--db", db],
        code: "file_not_found",
        mentions: [MISSING_FILE],
      },
      {
        name: "approving a completed run",
        args: (db) => ["approve", "r_done", "--db", db],
        code: "not_waiting",
        mentions: ["r_done", "it is completed"],
      },
      {
        name: "approving a run that waits for an event, not an approval",
        args: (db) => ["approve", "r_event", "--db", db],
        code: "not_waiting",
        mentions: ["r_event", "not waiting for approval"],
      },
      {
        name: "approving a gate the run does not have",
        args: (db) => ["approve", "r_approval", "finance", "--db", db],
        code: "not_waiting",
        mentions: ['"finance"', "it waits for: manager"],
      },
      {
        name: "an unknown command",
        args: (db) => ["frobnicate", "--db", db],
        code: "usage",
        mentions: ['unknown command "frobnicate"', "usage:"],
      },
      {
        name: "an unknown flag",
        args: (db) => ["run", VALIDATED, "--input", GOOD_INPUT, "--frobnicate", "--db", db],
        code: "unknown_flag",
        mentions: ["--frobnicate", "duro run --help"],
      },
    ];

    for (const { name, args, code, mentions } of cases) {
      it(`${name} exits 2 with [${code}] and leaves the store unchanged`, { timeout: TEST_TIMEOUT }, async () => {
        const { path, db, cli } = seededCopy();

        const result = await duro(args(db), cli);

        expect(result.code, result.stderr).toBe(2);
        expect(result.stderr).toContain(`duro: error [${code}]: `);
        for (const text of mentions) expect(result.stderr).toContain(text);
        expect(result.stdout).toBe("");
        expect(await snapshot(path, cli)).toEqual({ ...seedSnapshot, files: ["duro.db"] });
        expect(readEffects(join(cli.cwd, "effects.jsonl"))).toEqual([]);
      });
    }

    // Exit 2 promises that nothing was changed; that includes not creating the default database on the way.
    const refusedStarts: Array<{ code: string; args: string[] }> = [
      { code: "input_malformed", args: ["run", VALIDATED, "--input", "{not json"] },
      { code: "workflow_not_found", args: ["run", VALIDATED, "--workflow", "nope", "--input", GOOD_INPUT] },
      { code: "input_invalid", args: ["run", VALIDATED, "--input", '{"sku":"A1","qty":"two"}'] },
    ];
    for (const { code, args } of refusedStarts) {
      it(`a start refused with [${code}] creates no database where there was none`, { timeout: TEST_TIMEOUT }, async () => {
        const dir = freshDir("duro-bad-");

        const result = await duro(args, cliIn(dir));

        expect(result.code, result.stderr).toBe(2);
        expect(result.stderr).toContain(`duro: error [${code}]: `);
        expect(readdirSync(dir)).toEqual([]);
      });
    }

    it("a --db in a missing directory exits 2 with [db_not_found] and creates no directory", { timeout: TEST_TIMEOUT }, async () => {
      const dir = freshDir("duro-bad-");
      const missing = join(dir, "missing", "deeper");

      const result = await duro(["run", VALIDATED, "--input", GOOD_INPUT, "--db", sqliteUrl(join(missing, "duro.db"))], cliIn(dir));

      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toContain("duro: error [db_not_found]: ");
      expect(result.stderr).toContain(missing);
      expect(readdirSync(dir)).toEqual([]);
    });

    it("a --db that is not a database exits 2 with [db_invalid] and leaves the file's bytes alone", { timeout: TEST_TIMEOUT }, async () => {
      const dir = freshDir("duro-bad-");
      const path = join(dir, "notes.db");
      const bytes = Buffer.from("my notes, not a database\n".repeat(300));
      writeFileSync(path, bytes);

      const result = await duro(["run", VALIDATED, "--input", GOOD_INPUT, "--db", sqliteUrl(path)], cliIn(dir));

      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toContain("duro: error [db_invalid]: ");
      expect(result.stderr).toContain(path);
      expect(readFileSync(path).equals(bytes)).toBe(true);
      expect(readdirSync(dir)).toEqual(["notes.db"]);
    });

    it("a --db that is another program's SQLite database exits 2 with [db_invalid] and leaves it alone", {
      timeout: TEST_TIMEOUT,
    }, async () => {
      const dir = freshDir("duro-bad-");
      const path = join(dir, "other.db");
      const other = new Database(path);
      other.exec("CREATE TABLE people (name TEXT); INSERT INTO people VALUES ('ada')");
      other.close();
      const bytes = readFileSync(path);

      const result = await duro(["runs", "list", "--db", sqliteUrl(path)], cliIn(dir));

      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toContain("duro: error [db_invalid]: ");
      expect(readFileSync(path).equals(bytes)).toBe(true);
      expect(readdirSync(dir)).toEqual(["other.db"]);
    });
  });
});
