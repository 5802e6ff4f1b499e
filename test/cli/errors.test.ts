// Mistakes that used to end in a stack trace: each is a coded error on stderr with a message that says what to do.

import { writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type CliOptions, duro, fixture, freshDir, removeTempDirs, sqliteUrl } from "../support/cli.js";

afterAll(removeTempDirs);

describe.concurrent("coded errors, not stack traces", { timeout: 60_000 }, () => {
  const dir = freshDir("duro-errors-");
  const db = ["--db", sqliteUrl(join(dir, "duro.db"))];
  const cli: CliOptions = { cwd: dir, env: { DURO_TEST_EFFECTS: join(dir, "effects.jsonl") }, timeoutMs: 30_000 };
  const refused = async (args: string[], code: string, mentions: string) => {
    const result = await duro([...args, ...db], cli);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain(`duro: error [${code}]: `);
    expect(result.stderr).toContain(mentions);
    expect(result.stderr).not.toContain("    at ");
  };

  it("runs list with a --since that is no time is invalid_time, and an unknown --sort is usage", async () => {
    await refused(["runs", "list", "--since", "yesterday"], "invalid_time", "write an ISO 8601 date or date-time");
    await refused(["runs", "list", "--sort", "name"], "usage", "--sort must be created or updated");
  });

  it("keys create with --all-tenants and a non-admin role, or with --tenant too, is refused", async () => {
    await refused(["keys", "create", "--all-tenants", "--role", "viewer"], "invalid_tenant", "must have the admin role");
    await refused(["keys", "create", "--all-tenants", "--tenant", "acme", "--role", "admin"], "usage", "not both");
  });

  it("--input nested deeper than the API allows is input_too_deep", async () => {
    await refused(["run", fixture("echo.ts"), "--input", `${"[".repeat(20_000)}${"]".repeat(20_000)}`], "input_too_deep", "64 levels");
  });

  it("a module that throws null at its top level is module_load_failed", async () => {
    const file = join(dir, "throws-null.mjs");
    writeFileSync(file, "throw null;\n");
    await refused(["run", file], "module_load_failed", "it threw null");
  });

  it("an error thrown by the workflow's own code (here on --input null) is workflow_error, not step_error", async () => {
    const result = await duro(["run", fixture("echo.ts"), "--input", "null", ...db], cli);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stdout).toContain("error [workflow_error]: Cannot read properties of null");
  });

  it("--port 99999 is port_invalid", async () => {
    await refused(["serve", "--port", "99999"], "port_invalid", '"99999"');
  });

  it("a port in use is port_in_use", async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, "127.0.0.1", resolve));
    const { port } = holder.address() as { port: number };
    try {
      await refused(["serve", "--port", String(port)], "port_in_use", `port ${port} is in use`);
    } finally {
      holder.close();
    }
  });

  it("approvals link refuses a bad expiry, an unknown gate and a finished run with codes", async () => {
    const waiting = await duro(
      ["run", fixture("waiting.ts"), "--workflow", "awaits-approval", "--input", '{"item":"pen"}', "--id", "r_gate", ...db],
      cli,
    );
    expect(waiting.code, waiting.stderr).toBe(3);
    await refused(["approvals", "link", "r_gate", "manager", "--expires", "99999999999d"], "invalid_link_expiry", "at most 30 days");
    await refused(["approvals", "link", "r_gate", "manager", "--expires", "0s"], "invalid_link_expiry", "more than 0");
    await refused(["approvals", "link", "r_gate", "finance"], "gate_not_found", '"manager"');
    const done = await duro(["run", fixture("echo.ts"), "--id", "r_finished", ...db], cli);
    expect(done.code, done.stderr).toBe(0);
    await refused(["approvals", "link", "r_finished", "manager"], "run_terminal", "completed");
  });
});
