// `duro mcp` over stdio, driven by the MCP SDK's own client: a real node process over a SQLite file, started as an MCP
// host starts it. A client finds a waiting run, approves it and sees it complete; reads resources; explains a
// failure, forks it and checks a deploy; bad arguments and unknown runs come back as tool errors with duro's codes.
import { join } from "node:path";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WORKFLOWS } from "../client/support.js";
import { duro, freshDir, removeTempDirs } from "../support/cli.js";
import { until } from "../support/poll.js";
import { call, callError, connectStdio } from "./support.js";

type Run = { id: string; status: string; waitingFor?: string; output?: unknown };

let cwd: string;
let db: string;
let client: Client;
let transport: StdioClientTransport;
let stderr = "";

beforeAll(async () => {
  cwd = freshDir("duro-mcp-stdio-");
  db = `sqlite:${join(cwd, "duro.db")}`;
  ({ client, transport } = await connectStdio([WORKFLOWS, "--db", db], cwd));
  transport.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
  });
}, 60_000);

afterAll(async () => {
  await client?.close();
  removeTempDirs();
});

const runOf = async (runId: string) => (await call<{ run: Run }>(client, "get_run", { runId })).run;
const settled = (runId: string, status: string) =>
  until(
    () => runOf(runId),
    (run) => run.status === status,
    `run ${runId} ${status}`,
  );

describe("duro mcp (stdio)", () => {
  it("lists its tools with JSON Schemas, and which of them only read", async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual([
      "list_runs",
      "list_pending",
      "get_run",
      "read_events",
      "start_run",
      "send_event",
      "approve_run",
      "reject_run",
      "answer_question",
      "cancel_run",
      "fork_run",
      "check_deploy",
      "explain_failure",
    ]);
    const approve = tools.find((t) => t.name === "approve_run");
    expect(approve?.inputSchema).toMatchObject({ type: "object", required: ["runId"] });
    expect(approve?.annotations?.readOnlyHint).toBe(false);
    expect(tools.find((t) => t.name === "list_runs")?.annotations?.readOnlyHint).toBe(true);
  });

  it("starts a run, finds it waiting for approval, approves it with a comment and sees it complete", async () => {
    const started = await call<{ created: boolean; run: Run }>(client, "start_run", { workflow: "expense", input: { amount: 40 } });
    expect(started.created).toBe(true);
    const waiting = await until(
      () => call<{ runs: Run[] }>(client, "list_runs", { status: "waiting", waitingFor: "approval" }),
      (page) => page.runs.some((r) => r.id === started.run.id),
      "the run to wait for approval",
    );
    expect(waiting.runs.find((r) => r.id === started.run.id)).toMatchObject({ workflow: "expense", waitingFor: "approval" });
    const { pending } = await call<{ pending: Array<{ runId: string; gate: string }> }>(client, "list_pending");
    expect(pending).toContainEqual(expect.objectContaining({ runId: started.run.id, gate: "manager" }));

    const decided = await call(client, "approve_run", { runId: started.run.id, comment: "fine by me" });
    expect(decided).toMatchObject({ runId: started.run.id, gate: "manager", action: "approve" });
    const done = await settled(started.run.id, "completed");
    expect(done.output).toEqual({ paid: true, amount: 40, comment: "fine by me" });

    const shown = await call<{ timeline: string }>(client, "get_run", { runId: started.run.id });
    expect(shown.timeline).toContain("manager");
    const { events } = await call<{ events: Array<{ seq: number; type: string }> }>(client, "read_events", { runId: started.run.id });
    expect(events[0]).toMatchObject({ seq: 1, type: "run_created" });
    expect(events.at(-1)?.type).toBe("run_completed");
  });

  it("lists and reads runs and workflows as resources", async () => {
    const started = await call<{ run: Run }>(client, "start_run", { workflow: "validated", input: { sku: "pen", qty: 2 } });
    const { resources } = await client.listResources();
    expect(resources.map((r) => r.uri)).toContain(`duro://runs/${started.run.id}`);
    expect(resources.map((r) => r.uri)).toContain("duro://workflows/expense");
    const read = await client.readResource({ uri: `duro://runs/${started.run.id}` });
    expect(JSON.parse((read.contents[0] as { text: string }).text)).toMatchObject({ id: started.run.id, workflow: "validated" });
    const workflow = await client.readResource({ uri: "duro://workflows/validated" });
    expect(JSON.parse((workflow.contents[0] as { text: string }).text)).toMatchObject({
      name: "validated",
      inputSchema: { type: "object", required: ["sku", "qty"] },
    });
  });

  it("explains a failure (the step, its error, its transcript lines) and forks the run from the failing step", async () => {
    const started = await call<{ run: Run }>(client, "start_run", { workflow: "failing" });
    await settled(started.run.id, "failed");
    const explained = await call<{
      failingStep: string;
      failures: Array<{ step: string | null; error: { code: string; message: string }; attempts?: number; transcript: unknown[] }>;
    }>(client, "explain_failure", { runId: started.run.id });
    expect(explained.failingStep).toBe("charge#0");
    const step = explained.failures.find((f) => f.step === "charge#0");
    expect(step).toMatchObject({ error: { code: "non_retryable", message: "card declined" }, attempts: 1 });
    expect(step?.transcript).toContainEqual(expect.objectContaining({ step: "charge#0", phase: "error" }));

    const fork = await call<{ run: Run }>(client, "fork_run", { runId: started.run.id, fromStep: "charge" });
    expect(fork.run.id).not.toBe(started.run.id);
    const { events } = await call<{ events: Array<{ type: string; key?: string }> }>(client, "read_events", { runId: fork.run.id });
    expect(events.filter((e) => e.type === "step_completed").map((e) => e.key)).toEqual(["load#0"]);
  });

  it("checks a deploy: the unfinished runs replay against the loaded code", async () => {
    await call(client, "start_run", { workflow: "survey" });
    const report = await call<{ ok: boolean; checked: number; broken: unknown[] }>(client, "check_deploy");
    expect(report).toMatchObject({ ok: true, broken: [] });
    expect(report.checked).toBeGreaterThan(0);
  });

  it("answers bad arguments and unknown runs with tool errors that carry duro's code", async () => {
    const bad = await callError(client, "approve_run", { runId: 42 });
    expect(bad.code).toBe("invalid_arguments");
    expect(bad.message).toMatch(/^invalid arguments for approve_run: runId: /);
    expect(bad.details).toMatchObject({ tool: "approve_run", issues: [expect.objectContaining({ path: "runId" })] });
    expect((await callError(client, "get_run", { runId: "r_missing" })).code).toBe("run_not_found");
    expect((await callError(client, "start_run", { workflow: "nope" })).code).toBe("workflow_not_found");
    const done = await call<{ runs: Run[] }>(client, "list_runs", { status: "completed", limit: 1 });
    expect((await callError(client, "approve_run", { runId: done.runs[0]?.id })).code).toBe("not_waiting");
  });

  it("closing the client ends the duro mcp process itself (node, no wrapper)", async () => {
    const { client: other, transport: otherTransport } = await connectStdio(["--db", db, "--role", "viewer"], cwd);
    const pid = otherTransport.pid as number;
    expect((await callError(other, "cancel_run", { runId: "r_x" })).code).toBe("forbidden");
    expect((await callError(other, "check_deploy")).message).toContain("start it with the workflow files (duro mcp <file...>)");
    await other.close();
    await until(
      async () => isAlive(pid),
      (alive) => !alive,
      `duro mcp (pid ${pid}) to exit`,
    );
  });

  it("fails with a clear error and exit 2 for a bad --role", async () => {
    const result = await duro(["mcp", "--role", "owner", "--db", db], { cwd });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--role must be admin, operator or viewer, not "owner"');
  });

  it("says what it serves on stderr, keeping stdout for the protocol", () => {
    expect(stderr).toContain('duro mcp: serving tenant "default" as admin over stdio; worker for expense');
  });
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
