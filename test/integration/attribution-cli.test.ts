// Who did what and finding runs, through the real `duro` command on SQLite and PostgreSQL: --tenant/--session/--actor
// on `duro run`, --actor/--traceparent on decisions, `runs list` filters, `runs show`, and `duro limits show`.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { JournalEvent, RunLimits, RunPage } from "../../src/index.js";
import { type CliOptions, duro, duroJson, fixture, freshDir, removeTempDirs, sqliteUrl } from "../support/cli.js";
import { freshPgUrl } from "../support/postgres.js";

afterAll(removeTempDirs);

const TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

describe.each([
  ["sqlite", () => sqliteUrl(join(freshDir("duro-attr-db-"), "duro.db"))],
  ["postgres", () => freshPgUrl()],
])("attribution and finding runs through the CLI on %s", { timeout: 180_000 }, (_name, dbUrl) => {
  const dir = freshDir("duro-attr-");
  const cli: CliOptions = { cwd: dir, env: { DURO_TEST_EFFECTS: join(dir, "effects.jsonl") }, timeoutMs: 60_000 };
  const db = ["--db", dbUrl()];
  const started = (stdout: string) => /run (r_\w+) waiting/.exec(stdout)?.[1] as string;

  it("a run started with --tenant --session --actor is found by them, and an approval records who, when and the trace", async () => {
    const ran = await duro(
      [
        "run",
        fixture("waiting.ts"),
        "--workflow",
        "awaits-approval",
        "--input",
        '{"item":"pen"}',
        "--tenant",
        "acme",
        "--session",
        "chat-1",
        "--actor",
        "alice",
        ...db,
      ],
      cli,
    );
    expect(ran.code, ran.stderr).toBe(3);
    const runId = started(ran.stdout);
    await duro(
      ["run", fixture("waiting.ts"), "--workflow", "awaits-event", "--input", '{"key":"k-other"}', "--session", "chat-2", ...db],
      cli,
    );

    const bySession = await duroJson<RunPage>(["runs", "list", "--session", "chat-1", ...db], cli);
    const byActor = await duroJson<RunPage>(["runs", "list", "--actor", "alice", "--tenant", "acme", ...db], cli);
    const approvals = await duroJson<RunPage>(["runs", "list", "--waiting-for", "approval", ...db], cli);
    const events = await duroJson<RunPage>(["runs", "list", "--waiting-for", "event", ...db], cli);
    expect(bySession.runs.map((r) => r.id)).toEqual([runId]);
    expect(byActor.runs).toEqual([
      expect.objectContaining({ id: runId, tenant: "acme", session: "chat-1", actor: "alice", waitingFor: "approval" }),
    ]);
    expect(approvals.runs.map((r) => r.id)).toEqual([runId]);
    expect(events.runs.map((r) => r.workflow)).toEqual(["awaits-event"]);

    const approved = await duro(["approve", runId, "manager", "--actor", "bob", "--traceparent", TRACEPARENT, ...db], cli);
    expect(approved.code, approved.stderr).toBe(0);
    const resumed = await duro(["resume", runId, ...db], cli);
    expect(resumed.code, resumed.stderr).toBe(0);

    const journal = await duroJson<JournalEvent[]>(["runs", "events", runId, ...db], cli);
    expect(journal[0]).toMatchObject({ type: "run_created", tenant: "acme", session: "chat-1", actor: "alice" });
    const resolved = journal.find((e) => e.type === "wait_resolved");
    expect(resolved).toMatchObject({ by: "bob", actor: "bob", traceparent: TRACEPARENT, decidedAt: expect.any(String) });
    const shown = await duro(["runs", "show", runId, ...db], cli);
    expect(shown.stdout).toContain("session chat-1   started by alice");
    expect(shown.stdout).toMatch(/approval: approved by bob \(trace 4bf92f3577b34da6a3ce929d0e0e4736\) at \S+/);
    expect((await duroJson<RunPage>(["runs", "list", "--waiting-for", "approval", ...db], cli)).runs).toEqual([]);
  });

  it("a bad --traceparent or --waiting-for is refused with its code and nothing changes", async () => {
    const ran = await duro(["run", fixture("waiting.ts"), "--workflow", "awaits-approval", "--input", '{"item":"cup"}', ...db], cli);
    const runId = started(ran.stdout);

    const bad = await duro(["approve", runId, "--traceparent", "not-a-trace", ...db], cli);
    const badFilter = await duro(["runs", "list", "--waiting-for", "coffee", ...db], cli);

    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain("not a W3C traceparent");
    expect(badFilter.code).not.toBe(0);
    expect(badFilter.stderr).toContain("--waiting-for must be one of");
    expect((await duroJson<RunPage>(["runs", "list", "--waiting-for", "approval", ...db], cli)).runs.map((r) => r.id)).toContain(runId);
  });

  it("a cancel records who asked; --parent finds a run's children, --waiting-for child its parent", async () => {
    const ran = await duro(["run", fixture("family.ts"), "--input", '{"key":"kid-go"}', ...db], cli);
    expect(ran.code, ran.stderr).toBe(3);
    const parent = started(ran.stdout);
    const children = await duroJson<RunPage>(["runs", "list", "--parent", parent, ...db], cli);
    expect(children.runs).toEqual([expect.objectContaining({ workflow: "kid", parentRunId: parent, waitingFor: "event" })]);
    expect((await duroJson<RunPage>(["runs", "list", "--waiting-for", "child", ...db], cli)).runs.map((r) => r.id)).toContain(parent);

    const cancelled = await duro(["cancel", parent, "--actor", "carol", "--reason", "not needed", ...db], cli);
    expect(cancelled.code, cancelled.stderr).toBe(0);
    const journal = await duroJson<JournalEvent[]>(["runs", "events", parent, ...db], cli);
    expect(journal.at(-1)).toMatchObject({ type: "run_cancelled", reason: "not needed", actor: "carol" });
    const shown = await duro(["runs", "show", parent, ...db], cli);
    expect(shown.stdout).toContain("cancelled by carol");
  });

  it("duro limits show names each budget's limit, use and what is left, and whether the run is suspended", async () => {
    const script = join(dir, "script.json");
    const call = { toolCalls: [{ name: "noop", arguments: {} }], usage: { inputTokens: 500, outputTokens: 500 } };
    writeFileSync(script, JSON.stringify({ replies: [call, call, { content: "done", usage: { inputTokens: 500, outputTokens: 500 } }] }));
    const ran = await duro(["run", fixture("agent-budget.ts"), "--mock-llm", script, ...db], cli);
    expect(ran.code, ran.stderr).toBe(3);
    const runId = started(ran.stdout);
    expect((await duroJson<RunPage>(["runs", "list", "--waiting-for", "limit", ...db], cli)).runs.map((r) => r.id)).toEqual([runId]);

    const limits = await duroJson<RunLimits>(["limits", "show", runId, ...db], cli);
    expect(limits).toMatchObject({ runId, suspended: true });
    expect(limits.budgets).toEqual([
      expect.objectContaining({ scope: "run", limits: [{ limit: "maxCostUsd", max: 0.5, used: 0.5, left: 0 }] }),
      // The agent's own default budget (10 model calls) counts the same calls.
      expect.objectContaining({ scope: "agent spender", limits: [{ limit: "maxIterations", max: 10, used: 2, left: 8 }] }),
    ]);
    const shown = await duro(["limits", "show", runId, ...db], cli);
    expect(shown.stdout).toMatch(/cost \(USD\)\s+limit 0.5\s+used 0.5\s+left 0/);
    expect(shown.stdout).toContain(`duro limits raise ${runId}`);

    const raised = await duro(["limits", "raise", runId, "--max-cost-usd", "1", "--actor", "dana", ...db], cli);
    expect(raised.code, raised.stderr).toBe(0);
    writeFileSync(script, JSON.stringify({ replies: [{ content: "done", usage: { inputTokens: 500, outputTokens: 500 } }] }));
    const resumed = await duro(["resume", runId, "--mock-llm", script, ...db], cli);
    expect(resumed.code, resumed.stderr).toBe(0);
    const after = await duroJson<RunLimits>(["limits", "show", runId, ...db], cli);
    expect(after.suspended).toBe(false);
    expect(after.budgets[0]).toMatchObject({ scope: "run", limits: [{ max: 1, used: 0.75, left: 0.25 }] });
    const journal = await duroJson<JournalEvent[]>(["runs", "events", runId, ...db], cli);
    expect(journal.find((e) => e.type === "wait_resolved")).toMatchObject({ actor: "dana" });
  });

  it("run.json names the tenant, session, actor and the decisions", async () => {
    const ran = await duro(
      [
        "run",
        fixture("waiting.ts"),
        "--workflow",
        "awaits-approval",
        "--input",
        '{"item":"ink"}',
        "--session",
        "s-9",
        "--actor",
        "erin",
        ...db,
      ],
      cli,
    );
    const runId = started(ran.stdout);
    await duro(["approve", runId, "--actor", "frank", ...db], cli);
    const resumed = await duro(["resume", runId, ...db], cli);
    expect(resumed.code, resumed.stderr).toBe(0);
    const summary = JSON.parse(readFileSync(join(dir, ".duro", "runs", runId, "run.json"), "utf8"));
    expect(summary).toMatchObject({ tenant: "default", session: "s-9", actor: "erin" });
    expect(summary.decisions).toEqual([
      expect.objectContaining({ key: "manager#0", actor: "frank", text: expect.stringContaining("approved by frank") }),
    ]);
  });
});
