// Flow files through the real `duro` command: the examples run, a broken document is refused with every
// problem, and a flow SIGKILLed in the middle of a `map` is finished by a worker without redoing items.
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { JournalEvent, RunDetails } from "../../src/index.js";
import {
  type CliOptions,
  duro,
  duroJson,
  effectsByKey,
  freshDir,
  REPO_ROOT,
  readEffects,
  removeTempDirs,
  sqliteUrl,
} from "../support/cli.js";

afterAll(removeTempDirs);

const EXAMPLES = join(REPO_ROOT, "examples", "flows");
const FIXTURES = join(REPO_ROOT, "test", "flow", "fixtures");
const TIMEOUT = 60_000;

function scene() {
  const dir = freshDir("duro-flow-");
  const effects = join(dir, "effects.jsonl");
  const db = sqliteUrl(join(dir, "duro.db"));
  const cli = (env: Record<string, string> = {}): CliOptions => ({
    cwd: dir,
    env: { DURO_TEST_EFFECTS: effects, ...env },
    timeoutMs: 30_000,
  });
  return { dir, effects, db, cli };
}

describe.concurrent("example flows with duro run", () => {
  it("support triage waits for a refund approval, then refunds", { timeout: TIMEOUT }, async () => {
    const { db, cli } = scene();
    const ticket = { ticketId: "T-9", email: "ana@example.com", subject: "Refund", body: "Please refund 30 EUR, the item broke" };
    const first = await duro(
      ["run", join(EXAMPLES, "support-triage.yaml"), "--id", "r_triage", "--input", JSON.stringify(ticket), "--db", db],
      cli(),
    );
    expect(first.code, first.stderr).toBe(3);
    expect(first.stdout).toContain("Refund 30 EUR to Ana for ticket T-9?");
    expect((await duro(["approve", "r_triage", "refund_approval", "--db", db], cli())).code).toBe(0);
    const resumed = await duroJson<RunDetails>(["resume", "r_triage", "--db", db], cli());
    expect(resumed).toMatchObject({ status: "completed", output: { ticket: "T-9", category: "refund", outcome: "refunded" } });
  });

  it("support triage answers a plain question at once", { timeout: TIMEOUT }, async () => {
    const { db, cli } = scene();
    const ticket = { ticketId: "T-10", email: "new@example.com", subject: "Invoices", body: "Where do I find my invoices?" };
    const run = await duroJson<RunDetails>(
      ["run", join(EXAMPLES, "support-triage.yaml"), "--input", JSON.stringify(ticket), "--db", db],
      cli(),
    );
    expect(run).toMatchObject({ status: "completed", output: { category: "question", outcome: "answered" } });
  });

  it("the document pipeline stores valid documents and quarantines the rest", { timeout: TIMEOUT }, async () => {
    const { db, cli } = scene();
    const documents = [
      { name: "a.txt", text: "Invoice INV-1001 total: 120.50 EUR" },
      { name: "b.txt", text: "Invoice INV-1002 total: 99 GBP" },
      { name: "c.txt", text: "hello" },
      { name: "d.txt", text: "Invoice no. INV-7 Total 10 USD" },
    ];
    const run = await duroJson<RunDetails>(
      ["run", join(EXAMPLES, "document-pipeline.yaml"), "--input", JSON.stringify({ documents }), "--db", db],
      cli(),
    );
    expect(run.status).toBe("completed");
    expect(run.output).toMatchObject({
      stored: 2,
      quarantined: ["b.txt", "c.txt"],
      results: [
        { name: "a.txt", status: "stored", id: "rec-INV-1001" },
        { name: "b.txt", status: "quarantined", reasons: ["/currency must be equal to one of the allowed values"] },
        { name: "c.txt", status: "quarantined" },
        { name: "d.txt", status: "stored", id: "rec-INV-7" },
      ],
    });
  });

  it("onboarding runs welcome-sequence.yaml (found by id in the same folder) as a child run", { timeout: TIMEOUT }, async () => {
    const { db, cli } = scene();
    const input = { email: "ana@example.com", name: "Ana", plan: "pro", followUpAfter: "1s" };
    const run = await duroJson<RunDetails>(
      ["run", join(EXAMPLES, "onboarding.yaml"), "--id", "r_onboard", "--input", JSON.stringify(input), "--db", db],
      cli(),
    );
    expect(run).toMatchObject({
      status: "completed",
      output: {
        accountId: "acct-ana",
        billing: "cus-acct-ana",
        workspace: "https://acct-ana.workspace.example",
        emails: ["welcome", "pro-tips"],
      },
    });
    const children = await duroJson<{ runs: Array<{ workflow: string; status: string; parentRunId?: string }> }>(
      ["runs", "list", "--workflow", "welcome-sequence", "--db", db],
      cli(),
    );
    expect(children.runs).toEqual([expect.objectContaining({ status: "completed", parentRunId: "r_onboard" })]);
  });
});

describe("subflows from the CLI", () => {
  it("a subflow named by a relative path is loaded from that file, with its own components", { timeout: TIMEOUT }, async () => {
    const { db, cli } = scene();
    const run = await duroJson<RunDetails>(["run", join(FIXTURES, "by-path.yaml"), "--input", '{"name":"ana"}', "--db", db], cli());
    expect(run).toMatchObject({ status: "completed", output: "HELLO ANA" });
  });
});

describe("refusals", () => {
  it("a document with five mistakes is refused (exit 2) with all five, each with file, line, column and path", {
    timeout: TIMEOUT,
  }, async () => {
    const { dir, cli } = scene();
    const result = await duro(["run", join(FIXTURES, "five-mistakes.yaml"), "--db", sqliteUrl(join(dir, "never.db"))], cli());
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("[flow_invalid]");
    expect(result.stderr).toContain("has 5 problems");
    for (const where of [
      "five-mistakes.yaml:5:5 nodes.lookup.call",
      "five-mistakes.yaml:7:3 nodes.classify",
      "five-mistakes.yaml:14:9 nodes.route.switch[1].when",
      "five-mistakes.yaml:15:9 nodes.route.switch[1].next",
      "five-mistakes.yaml:10:3 nodes.route",
    ])
      expect(result.stderr).toContain(where);
    expect(existsSync(join(dir, "never.db"))).toBe(false);
  });

  it("input that does not match the flow's input schema is refused before anything runs", { timeout: TIMEOUT }, async () => {
    const { cli, db } = scene();
    const result = await duro(
      ["run", join(EXAMPLES, "document-pipeline.yaml"), "--input", '{"documents":[{"name":1}]}', "--db", db],
      cli(),
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("input_invalid");
    expect(result.stderr).toContain("documents[0]");
  });
});

describe("what loading prints", () => {
  it("an unreachable node is printed as a warning on stderr, and the flow still runs", { timeout: TIMEOUT }, async () => {
    const { dir, db, cli } = scene();
    writeFileSync(join(dir, "unreachable.yaml"), "id: unreachable\nnodes:\n  a: { set: { x: 1 } }\n  b: { set: { y: 1 } }\n");
    const result = await duro(["run", "unreachable.yaml", "--db", db], cli());
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('duro: warning: unreachable.yaml:4:3 nodes.b: node "b" can never run');
    expect(result.stderr).toContain("[unreachable_node]");
  });

  it("a pack without flows is refused with no_workflows, not 'exports several workflows ()'", { timeout: TIMEOUT }, async () => {
    const { dir, db, cli } = scene();
    mkdirSync(join(dir, "empty"));
    writeFileSync(join(dir, "empty", "pack.yaml"), "id: test.empty\nversion: 0.1.0\n");
    const result = await duro(["run", "empty", "--signing", "dev", "--db", db], cli());
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("[no_workflows]");
    expect(result.stderr).toContain("holds no flow");
    expect(result.stderr).not.toContain("several workflows");
  });
});

describe("a runaway expression", () => {
  it("does not freeze `duro run`: the node's timeout fires (step_timeout) and the run fails", { timeout: TIMEOUT }, async () => {
    const { dir, db, cli } = scene();
    writeFileSync(
      join(dir, "spin.yaml"),
      'id: spin\nnodes:\n  spin:\n    set: { x: "=($f := function($n){ $f($n + 1) }; $f(0))" }\n    timeout: 1s\n',
    );
    // Before expressions yielded, this process spun until the test's SIGKILL.
    const result = await duro(["run", "spin.yaml", "--db", db], cli());
    expect(result.signal).toBeNull();
    expect(result.code).toBe(1);
    expect(result.stdout + result.stderr).toContain('step "spin#0" did not finish within 1000 ms');
  });
});

describe("a flow's run timeout", () => {
  it("`duro check` refuses a malformed timeout at its line; `duro run` fails a run past it with run_timeout", {
    timeout: TIMEOUT,
  }, async () => {
    const { dir, db, cli } = scene();
    writeFileSync(join(dir, "bad.yaml"), "id: timed\ntimeout: soon\nnodes:\n  nap: { wait: { duration: 1h } }\n");
    writeFileSync(join(dir, "timed.yaml"), "id: timed\ntimeout: 300ms\nnodes:\n  nap: { wait: { duration: 1h } }\n");
    const check = await duro(["check", "bad.yaml"], cli());
    expect(check.code).toBe(2);
    expect(check.stderr).toContain('bad.yaml:2:1 timeout: "soon" is not a duration');
    const run = await duro(["run", "timed.yaml", "--db", db], cli());
    expect(run.code).toBe(1);
    expect(run.stdout + run.stderr).toContain("error [run_timeout]");
  });
});

describe("crash in the middle of a map", () => {
  it("a flow SIGKILLed after the 4th of 8 items is finished by `duro worker flow.yaml` without redoing finished items", {
    timeout: TIMEOUT,
  }, async () => {
    const { effects, db, cli } = scene();
    const flow = join(FIXTURES, "map-crash.yaml");
    const items = [1, 2, 3, 4, 5, 6, 7, 8];
    const killed = await duro(
      ["run", flow, "--id", "r_batch", "--input", JSON.stringify({ items }), "--db", db, "--lease-ms", "500"],
      cli({ DURO_FAILPOINTS: "after_step_journaled:items[3].work#0" }),
    );
    expect(killed.signal, `${killed.stdout}\n${killed.stderr}`).toBe("SIGKILL");
    const atKill = await duroJson<JournalEvent[]>(["runs", "events", "r_batch", "--db", db], cli());
    const finished = atKill.flatMap((e) => (e.type === "step_completed" ? [e.key] : []));
    expect(finished).toContain("items[3].work#0");
    expect(finished.length).toBeLessThan(items.length);

    const worker = await duro(["worker", flow, "--until-idle", "--lease-ms", "500", "--db", db, "--json"], cli());
    expect(worker.code, worker.stderr).toBe(0);
    expect(JSON.parse(worker.stdout)).toMatchObject({ completed: 1, failed: 0 });

    const run = await duroJson<RunDetails>(["runs", "show", "r_batch", "--db", db], cli());
    expect(run).toMatchObject({ status: "completed", output: { squares: items.map((n) => n * n) } });
    const byKey = effectsByKey(readEffects(effects));
    const keys = items.map((_, i) => `items[${i}].work#0`);
    expect([...byKey.keys()].sort()).toEqual([...keys].sort());
    // Items whose result was journaled before the kill ran once, in the killed process; the rest ran in the worker.
    for (const key of finished)
      expect(
        byKey.get(key)?.map((e) => e.pid),
        key,
      ).toEqual([killed.pid]);
    for (const key of keys.filter((k) => !finished.includes(k))) expect(byKey.get(key)?.at(-1)?.pid, key).toBe(worker.pid);
    const events = await duroJson<JournalEvent[]>(["runs", "events", "r_batch", "--db", db], cli());
    for (const key of keys)
      expect(
        events.filter((e) => e.type === "step_completed" && e.key === key),
        key,
      ).toHaveLength(1);
  });
});
