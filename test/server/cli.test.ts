// The real `duro keys`, `duro approvals link` and `duro serve` commands (node bin/duro.js, built code).
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { createEngine } from "duro";
import { afterEach, describe, expect, it } from "vitest";
import { openSqliteStore } from "../../src/store/sqlite/index.js";
import { DURO_BIN, duro, duroJson, freshDir, REPO_ROOT, removeTempDirs } from "../support/cli.js";
import { all } from "./workflows.js";

const WORKFLOWS = join(REPO_ROOT, "test", "server", "workflows.ts");
const servers: ChildProcess[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) {
    if (server.exitCode !== null || server.signalCode !== null) continue;
    const exited = new Promise((resolve) => server.once("exit", resolve));
    server.kill("SIGTERM");
    await exited;
  }
  removeTempDirs();
});

function setup() {
  const cwd = freshDir("duro-server-cli-");
  return { cwd, db: `sqlite:${join(cwd, "duro.db")}` };
}

/** Starts `duro serve` and resolves with its URL and what it wrote to stderr so far. */
async function serve(args: string[], cwd: string): Promise<{ url: string; address: string; stderr: () => string }> {
  const child = spawn(process.execPath, [DURO_BIN, "serve", ...args, "--port", "0", "--json"], { cwd, stdio: ["ignore", "pipe", "pipe"] });
  servers.push(child);
  let stderr = "";
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  const { url, address } = await new Promise<{ url: string; address: string }>((resolve, reject) => {
    let out = "";
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      out += chunk;
      const match = /"url":\s*"([^"]+)",\s*"address":\s*"([^"]+)"/.exec(out);
      if (match) resolve({ url: match[1] as string, address: match[2] as string });
    });
    child.once("exit", (code) => reject(new Error(`duro serve exited with ${code}\n${out}\n${stderr}`)));
  });
  return { url, address, stderr: () => stderr };
}

describe("duro keys", () => {
  it("create prints the token once; list shows the key without token or hash; revoke marks it revoked", async () => {
    const { cwd, db } = setup();
    const created = await duroJson<{ token: string; key: { id: string } }>(
      ["keys", "create", "--tenant", "acme", "--role", "operator", "--name", "ci", "--db", db],
      { cwd },
    );
    expect(created.token).toMatch(/^duro_[\w-]{43}$/);
    const listed = await duroJson<Array<Record<string, unknown>>>(["keys", "list", "--db", db], { cwd });
    expect(listed).toEqual([expect.objectContaining({ id: created.key.id, tenant: "acme", role: "operator", name: "ci" })]);
    expect(JSON.stringify(listed)).not.toContain(created.token);
    expect(listed[0]?.hash).toBeUndefined();
    const text = await duro(["keys", "list", "--db", db], { cwd });
    expect(text.stdout).toContain(created.key.id);
    expect(text.stdout).not.toContain(created.token);

    const revoked = await duroJson<{ revokedAt: number }>(["keys", "revoke", created.key.id, "--db", db], { cwd });
    expect(revoked.revokedAt).toBeGreaterThan(0);
    expect((await duro(["keys", "list", "--db", db], { cwd })).stdout).toContain("revoked");
  });

  it("bad input exits 2 with a message: unknown role, bad tenant, missing flags, unknown key or subcommand", async () => {
    const { cwd, db } = setup();
    const cases: Array<[string[], string]> = [
      [["keys", "create", "--tenant", "acme", "--role", "root"], "invalid_role"],
      [["keys", "create", "--tenant", "Bad Tenant", "--role", "admin"], "invalid_tenant"],
      [["keys", "create", "--role", "admin"], "missing --tenant"],
      [["keys", "revoke", "k_nope"], 'no API key "k_nope"'],
      [["keys", "rotate"], 'unknown "keys rotate"'],
    ];
    for (const [args, message] of cases) {
      const result = await duro([...args, "--db", db], { cwd });
      expect(result.code, args.join(" ")).toBe(2);
      expect(result.stderr).toContain(message);
    }
  });
});

describe("duro serve", () => {
  it("serves the tenant of a key; a key revoked with the CLI gets 401; an approval link from the CLI approves once", async () => {
    const { cwd, db } = setup();
    const { token, key } = await duroJson<{ token: string; key: { id: string } }>(
      ["keys", "create", "--tenant", "acme", "--role", "admin", "--db", db],
      { cwd },
    );
    const { url } = await serve([WORKFLOWS, "--db", db], cwd);
    const auth = { authorization: `Bearer ${token}`, "content-type": "application/json" };

    const started = await fetch(`${url}/v1/runs`, {
      method: "POST",
      headers: auth,
      body: JSON.stringify({ workflow: "expense", input: { amount: 5 } }),
    });
    expect(started.status).toBe(201);
    const { id } = (await started.json()) as { id: string };
    // The server's worker runs it until it waits; the stream shows that happening.
    const link = await duroJson<{ url: string }>(["approvals", "link", id, "manager", "--expires", "1h", "--base-url", url, "--db", db], {
      cwd,
    });
    const page = await fetch(link.url);
    expect(page.status).toBe(200);
    const token1 = new URL(link.url).pathname.split("/").pop();
    // The server's worker suspends the run on its gate (a process-level test: poll, bounded by the test timeout).
    while (((await (await fetch(`${url}/v1/runs/${id}`, { headers: auth })).json()) as { status: string }).status !== "waiting") {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const decided = await fetch(`${url}/v1/links/${token1}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"action":"approve"}',
    });
    expect(decided.status).toBe(200);
    const reused = await fetch(`${url}/v1/links/${token1}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"action":"approve"}',
    });
    // Refused again: 410 link_used, or 409 not_waiting once the worker has taken the decision (links.test.ts pins each).
    expect([409, 410]).toContain(reused.status);

    const stream = await fetch(`${url}/v1/runs/${id}/stream`, { headers: auth });
    expect(await stream.text()).toContain('event: end\ndata: "completed"');

    await duro(["keys", "revoke", key.id, "--db", db], { cwd });
    expect((await fetch(`${url}/v1/runs`, { headers: auth })).status).toBe(401);
  });

  it("--dev serves without a key on 127.0.0.1 and warns loudly; --dev with another host is refused (exit 2)", async () => {
    const { cwd, db } = setup();
    const server = await serve([WORKFLOWS, "--db", db, "--dev"], cwd);
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.stderr()).toContain("NO AUTHENTICATION");
    expect((await fetch(`${server.url}/v1/runs`)).status).toBe(200);

    const refused = await duro(["serve", WORKFLOWS, "--db", db, "--dev", "--host", "0.0.0.0"], { cwd });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("only on 127.0.0.1");
  });

  it("without --dev it also listens on 127.0.0.1 only, unless --host says otherwise", async () => {
    const { cwd, db } = setup();
    const server = await serve([WORKFLOWS, "--db", db], cwd);
    expect(server.address).toBe("127.0.0.1");
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });
});

describe("duro approvals link", () => {
  // Each bound's edges (0s, 30d, 31d) are in links.test.ts; here the CLI's face of three refusals, one spawn each.
  it("refuses an expiry past 30 days, a gate the run does not wait on, and a run that ended: exit 2 with a code", async () => {
    const { cwd, db } = setup();
    const engine = createEngine({ store: openSqliteStore(join(cwd, "duro.db")), workflows: all, inlineWaitMs: 0 });
    const waiting = (await engine.start("expense", { amount: 5 })).id;
    const done = (await engine.start("validated", { sku: "A", qty: 1 })).id;
    for (const id of [waiting, done]) await engine.runUntilSettled(id, { maxWaitMs: 0 });
    await engine.close();

    const cases: Array<[string[], string]> = [
      [[waiting, "manager", "--expires", "99999999999d"], "invalid_link_expiry"],
      [[waiting, "finance"], "gate_not_found"],
      [[done, "manager"], "run_terminal"],
    ];
    for (const [args, code] of cases) {
      const result = await duro(["approvals", "link", ...args, "--db", db], { cwd });
      expect(result.code, args.join(" ")).toBe(2);
      expect(result.stderr, args.join(" ")).toContain(code);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    }
  }, 60_000);
});
