// External tools and workspaces through the real CLI: a run waits on an external tool (SQLite and PostgreSQL), the
// host posts the result with `duro tools result`, `duro resume` finishes it; a workspace changed behind a run's back.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { duro, duroJson, example, fixture, freshDir, removeTempDirs } from "../support/cli.js";
import { freshPgUrl } from "../support/postgres.js";

afterAll(removeTempDirs);

const DBS = {
  sqlite: (dir: string) => join(dir, "duro.db"),
  postgres: () => freshPgUrl(),
};

describe.each(Object.entries(DBS))("%s", (_name, dbOf) => {
  it("a run waits on an external tool; duro tools result resumes it to completion", async () => {
    const dir = freshDir("duro-xtools-");
    const opts = { cwd: dir, timeoutMs: 30_000 };
    const db = ["--db", dbOf(dir)];
    const mock = ["--mock-llm", example("agents/ide.mock.json")];
    const first = await duro(["run", example("agents/ide.ts"), "--id", "r_ext", ...db, ...mock], opts);
    expect(first.code, first.stderr).toBe(3);
    const hint = /duro tools result r_ext (\S+) --db .* --result '<json>'/.exec(first.stdout);
    expect(hint, first.stdout).not.toBeNull();
    const callId = hint?.[1] as string;

    const listed = await duroJson<{ pending: Array<{ runId: string; callId: string; tool: string; args: unknown }> }>(
      ["tools", "pending", "--run", "r_ext", ...db],
      opts,
    );
    expect(listed.pending).toEqual([expect.objectContaining({ runId: "r_ext", callId, tool: "open_file", args: { path: "README.md" } })]);

    const inbox = await duro(["approvals", "pending", ...db], opts);
    expect(inbox.code, inbox.stderr).toBe(0);
    expect(inbox.stdout).toMatch(
      new RegExp(`r_ext\\s+tool\\s+open_file\\(\\{"path":"README.md"\\}\\) call ${callId}\\s+duro tools result r_ext ${callId}`),
    );

    const unknown = await duro(["tools", "result", "r_ext", "call_nope", "--result", "1", ...db], opts);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('run r_ext has no tool call "call_nope"');

    const posted = await duro(["tools", "result", "r_ext", callId, "--result", JSON.stringify("# duro"), ...db], opts);
    expect(posted.code, posted.stderr).toBe(0);
    expect(posted.stdout).toContain("duro resume r_ext");
    const again = await duro(["tools", "result", "r_ext", callId, "--error", "late", ...db], opts);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain("[tool_call_answered]");

    // The resumed process starts a fresh mock: the first turn is replayed from the journal, not re-sent.
    const resumed = await duroJson<{ status: string; output: unknown }>(["resume", "r_ext", ...db, ...mock], opts);
    expect(resumed).toMatchObject({
      status: "completed",
      output: { answer: "It is duro, a durable execution engine (from README.md).", toolCalls: 1 },
    });
  });
});

describe("workspaces through the CLI", () => {
  it("duro run writes into .duro/workspaces/<runId>; a file changed while the run waited fails its resume with workspace_mismatch", async () => {
    const dir = freshDir("duro-ws-cli-");
    const opts = { cwd: dir, timeoutMs: 30_000 };
    const first = await duro(["run", fixture("workspace-writer.ts"), "--id", "r_ws"], opts);
    expect(first.code, first.stderr).toBe(3);
    const file = join(dir, ".duro", "workspaces", "r_ws", "plan.md");
    expect(readFileSync(file, "utf8")).toBe("# Plan\n");
    writeFileSync(file, "# Plan, edited\n");
    expect((await duro(["approve", "r_ws", "review"], opts)).code).toBe(0);
    const resumed = await duro(["resume", "r_ws"], opts);
    expect(resumed.code).not.toBe(0);
    expect(`${resumed.stdout}${resumed.stderr}`).toContain("workspace_mismatch");
    expect(`${resumed.stdout}${resumed.stderr}`).toContain("plan.md should have sha256");
  });
});
