// duro's MCP tools over streamable HTTP at /mcp on a real `duro serve`, driven by the MCP SDK's own client with the
// API keys: an operator lists waiting runs, approves one and sees it complete; another tenant's key sees nothing and
// cannot approve; a viewer key cannot approve; a request without a key is refused. The same flow on PostgreSQL.
import { join } from "node:path";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createKeys, type ServeProcess, serve } from "../client/support.js";
import { duroJson, freshDir, removeTempDirs } from "../support/cli.js";
import { until } from "../support/poll.js";
import { freshPgUrl } from "../support/postgres.js";
import { call, callError, connectHttp } from "./support.js";

type Run = { id: string; status: string; waitingFor?: string; output?: unknown };

const clients: Client[] = [];
const servers: ServeProcess[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) await client.close();
});
afterAll(async () => {
  for (const server of servers.splice(0)) await server.stop();
  removeTempDirs();
});

interface Setup {
  server: ServeProcess;
  keys: { admin: string; operator: string; viewer: string; otherTenant: string };
}

async function setUp(db: string, cwd: string): Promise<Setup> {
  const keys = await createKeys(db, cwd);
  const other = await duroJson<{ token: string }>(["keys", "create", "--tenant", "globex", "--role", "admin", "--db", db], { cwd });
  const server = await serve(db, cwd);
  servers.push(server);
  return { server, keys: { ...keys, otherTenant: other.token } };
}

async function connect(setup: Setup, key: keyof Setup["keys"]): Promise<Client> {
  const client = await connectHttp(setup.server.url, setup.keys[key]);
  clients.push(client);
  return client;
}

const waitingForApproval = (client: Client, count: number) =>
  until(
    () => call<{ runs: Run[] }>(client, "list_runs", { status: "waiting", waitingFor: "approval" }),
    (page) => page.runs.length >= count,
    `${count} runs waiting for approval`,
  );

/** The flow of the issue: list waiting runs, approve one, see it complete while the other still waits. */
async function approveAndComplete(setup: Setup): Promise<void> {
  const admin = await connect(setup, "admin");
  const first = await call<{ run: Run }>(admin, "start_run", { workflow: "expense", input: { amount: 10 } });
  const second = await call<{ run: Run }>(admin, "start_run", { workflow: "expense", input: { amount: 20 } });
  const operator = await connect(setup, "operator");
  const waiting = await waitingForApproval(operator, 2);
  expect(waiting.runs.map((r) => r.id).sort()).toEqual([first.run.id, second.run.id].sort());

  await call(operator, "approve_run", { runId: first.run.id, gate: "manager", comment: "ok over MCP" });
  const done = await until(
    async () => (await call<{ run: Run }>(operator, "get_run", { runId: first.run.id })).run,
    (run) => run.status === "completed",
    "the approved run to complete",
  );
  expect(done.output).toEqual({ paid: true, amount: 10, comment: "ok over MCP" });
  const still = await call<{ runs: Run[] }>(operator, "list_runs", { status: "waiting" });
  expect(still.runs.map((r) => r.id)).toEqual([second.run.id]);
}

describe("MCP over streamable HTTP on duro serve (SQLite)", () => {
  let setup: Setup;
  beforeAll(async () => {
    const cwd = freshDir("duro-mcp-http-");
    setup = await setUp(`sqlite:${join(cwd, "duro.db")}`, cwd);
  }, 60_000);

  it("an operator lists the waiting runs, approves one and sees it complete", async () => {
    await approveAndComplete(setup);
  });

  it("another tenant's key sees none of the runs and cannot approve, read or cancel one", async () => {
    const admin = await connect(setup, "admin");
    const run = (await call<{ run: Run }>(admin, "start_run", { workflow: "expense", input: { amount: 5 } })).run;
    await until(
      async () => (await call<{ run: Run }>(admin, "get_run", { runId: run.id })).run,
      (r) => r.status === "waiting",
      "the run to wait",
    );

    const stranger = await connect(setup, "otherTenant");
    expect(await call(stranger, "list_runs")).toEqual({ runs: [] });
    expect(await call(stranger, "list_pending")).toEqual({ pending: [] });
    expect((await stranger.listResources()).resources.filter((r) => r.uri.startsWith("duro://runs/"))).toEqual([]);
    for (const [tool, args] of [
      ["approve_run", { runId: run.id }],
      ["get_run", { runId: run.id }],
      ["cancel_run", { runId: run.id }],
      ["explain_failure", { runId: run.id }],
    ] as const) {
      const error = await callError(stranger, tool, args);
      expect(error).toMatchObject({ code: "run_not_found", details: { runId: run.id } });
    }
    await expect(stranger.readResource({ uri: `duro://runs/${run.id}` })).rejects.toThrow(/no run with id/);
    expect((await call<{ run: Run }>(admin, "get_run", { runId: run.id })).run.status).toBe("waiting");
  });

  it("a viewer key reads but cannot approve, start or cancel (forbidden, with the role it needs)", async () => {
    const viewer = await connect(setup, "viewer");
    const { runs } = await call<{ runs: Run[] }>(viewer, "list_runs", { status: "waiting" });
    const runId = runs[0]?.id as string;
    expect(runId).toBeDefined();
    const refused = await callError(viewer, "approve_run", { runId });
    expect(refused).toMatchObject({ code: "forbidden", details: { role: "viewer", needed: "operator" } });
    expect((await callError(viewer, "start_run", { workflow: "expense", input: { amount: 1 } })).details).toMatchObject({
      needed: "admin",
    });
    expect((await callError(viewer, "cancel_run", { runId })).code).toBe("forbidden");
    expect((await call<{ run: Run }>(viewer, "get_run", { runId })).run.status).toBe("waiting");
  });

  it("bad arguments get a tool error with a code and the field", async () => {
    const operator = await connect(setup, "operator");
    const error = await callError(operator, "list_runs", { status: "sleeping" });
    expect(error).toMatchObject({ code: "invalid_arguments", details: { issues: [expect.objectContaining({ path: "status" })] } });
    expect((await callError(operator, "approve_run", {})).message).toMatch(/runId: /);
  });

  it("send_event wakes the run waiting on its key, within the API's event size limit", async () => {
    const admin = await connect(setup, "admin");
    const { run } = await call<{ run: Run }>(admin, "start_run", { workflow: "payment", input: { key: "order-7" } });
    await until(
      async () => (await call<{ run: Run }>(admin, "get_run", { runId: run.id })).run,
      (r) => r.status === "waiting",
      "the run to wait for its event",
    );
    const operator = await connect(setup, "operator");
    const tooLarge = await callError(operator, "send_event", { key: "order-7", payload: { blob: "x".repeat(70_000) } });
    expect(tooLarge).toMatchObject({ code: "event_too_large", details: { limit: 65_536 } });
    const sent = await call<{ wokeRunIds: string[] }>(operator, "send_event", { key: "order-7", payload: { amount: 12 } });
    expect(sent.wokeRunIds).toEqual([run.id]);
    const done = await until(
      async () => (await call<{ run: Run }>(operator, "get_run", { runId: run.id })).run,
      (r) => r.status === "completed",
      "the run to complete",
    );
    expect(done.output).toEqual({ paid: { amount: 12 } });
  });

  it("a request without a valid key is refused with 401 before any tool runs", async () => {
    await expect(connectHttp(setup.server.url)).rejects.toMatchObject({ code: 401, message: expect.stringContaining('"unauthorized"') });
    await expect(connectHttp(setup.server.url, "duro_not-a-key")).rejects.toMatchObject({
      code: 401,
      message: expect.stringContaining("the API key is unknown or revoked"),
    });
  });

  it("answers GET with 405: the endpoint is stateless", async () => {
    const response = await fetch(`${setup.server.url}/mcp`, { headers: { authorization: `Bearer ${setup.keys.viewer}` } });
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("POST");
  });
});

describe("MCP over streamable HTTP on duro serve (PostgreSQL)", () => {
  it("an operator lists the waiting runs, approves one and sees it complete", async () => {
    const cwd = freshDir("duro-mcp-http-pg-");
    await approveAndComplete(await setUp(freshPgUrl(), cwd));
  }, 60_000);
});
