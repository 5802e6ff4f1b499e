// Workspaces: the file tools work only inside the run's folder (absolute paths, `..` and symlinks out are refused),
// each write is journaled with its sha256, and a resumed run whose files changed fails with workspace_mismatch
// before anything runs.

import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type JournalEvent, type PhaseReport, type PhaseTemplate, runPhases, Workspace, workflow, workspaceOptions } from "duro";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { harness, STORES } from "../support/engine.js";
import { mockLlm } from "../support/llm.js";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "duro-ws-"));
  dirs.push(dir);
  return dir;
}
const sha = (text: string) => createHash("sha256").update(text).digest("hex");
const completed = (events: JournalEvent[], key: string) =>
  events.find((e): e is Extract<JournalEvent, { type: "step_completed" }> => e.type === "step_completed" && e.key === key);

describe("workspace paths", () => {
  it("absolute paths, .. escapes and symlinks leading out are refused with workspace_path_outside", () => {
    const root = tempDir();
    const ws = new Workspace(join(root, "ws"));
    mkdirSync(ws.dir);
    mkdirSync(join(root, "secret"));
    writeFileSync(join(root, "secret", "key.txt"), "s3cret");
    symlinkSync(join(root, "secret"), join(ws.dir, "linked"));
    symlinkSync(join(root, "secret", "key.txt"), join(ws.dir, "key-link.txt"));
    const refused = { code: "workspace_path_outside" };
    expect(() => ws.readFile("/etc/passwd")).toThrow(expect.objectContaining(refused));
    expect(() => ws.writeFile("../escape.txt", "x")).toThrow(expect.objectContaining(refused));
    expect(() => ws.writeFile("notes/../../escape.txt", "x")).toThrow(expect.objectContaining(refused));
    expect(() => ws.readFile("linked/key.txt")).toThrow(expect.objectContaining(refused));
    expect(() => ws.writeFile("linked/new.txt", "x")).toThrow(expect.objectContaining(refused));
    expect(() => ws.readFile("key-link.txt")).toThrow(expect.objectContaining(refused));
    expect(() => ws.applyPatch(["--- a/../x", "+++ b/../x", "@@ -0,0 +1 @@", "+x"].join("\n"))).toThrow(expect.objectContaining(refused));
    expect(readFileSync(join(root, "secret", "key.txt"), "utf8")).toBe("s3cret");
    expect(ws.writeFile("notes/../ok.txt", "fine")).toEqual({ workspaceFile: "ok.txt", sha256: sha("fine"), bytes: 4 });
    expect(ws.listFiles()).toEqual(["key-link.txt", "linked", "ok.txt"]);
  });
});

describe.each(STORES)("%s store", (kind) => {
  it("an agent writes, patches, lists and reads files through the built-in tools; each write is journaled with its sha256", async () => {
    const root = tempDir();
    const patch = ["--- a/plan.md", "+++ b/plan.md", "@@ -1,2 +1,2 @@", " # Plan", "-draft", "+final", ""].join("\n");
    const server = await mockLlm({
      replies: [
        { toolCalls: [{ name: "write_file", arguments: { path: "plan.md", content: "# Plan\ndraft\n" } }] },
        { toolCalls: [{ name: "apply_patch", arguments: { patch } }] },
        {
          toolCalls: [
            { name: "list_files", arguments: {} },
            { name: "read_file", arguments: { path: "plan.md" } },
          ],
        },
        { toolCalls: [{ name: "read_file", arguments: { path: "../outside.md" } }] },
        { content: "planned" },
      ],
    });
    const wf = workflow("planner", async (ctx) => {
      const result = await ctx.agent("planner", { model: "gpt-test", prompt: "plan", tools: ctx.workspace.tools() });
      return { text: result.text, dir: ctx.workspace.dir };
    });
    const { engine, settle } = harness(kind, [wf], { extensions: [workspaceOptions({ root })] });
    const { id } = await engine.start(wf, {});
    expect(await settle(id)).toMatchObject({ status: "completed", output: { text: "planned", dir: join(root, id) } });
    expect(readFileSync(join(root, id, "plan.md"), "utf8")).toBe("# Plan\nfinal\n");
    const events = await engine.events(id);
    expect(completed(events, "planner/tool:write_file#0")?.result).toEqual({
      workspaceFile: "plan.md",
      sha256: sha("# Plan\ndraft\n"),
      bytes: 13,
    });
    expect(completed(events, "planner/tool:apply_patch#0")?.result).toEqual({
      patched: [{ workspaceFile: "plan.md", sha256: sha("# Plan\nfinal\n"), bytes: 13 }],
    });
    const toolMessages = ((server.requests[3]?.body.messages ?? []) as Array<{ role: string; content: string }>).filter(
      (m) => m.role === "tool",
    );
    expect(toolMessages.slice(-2).map((m) => m.content)).toEqual(['["plan.md"]', "# Plan\nfinal\n"]);
    const refused = ((server.requests[4]?.body.messages ?? []) as Array<{ role: string; content: string }>).at(-1);
    expect(refused?.content).toMatch(/^error: read_file failed: "..\/outside.md" is outside the workspace/);
  });

  it("a resumed run whose workspace file changed fails with workspace_mismatch naming the path and both hashes", async () => {
    const root = tempDir();
    let afterGate = 0;
    const wf = workflow("writer", async (ctx) => {
      await ctx.workspace.writeFile("plan.md", "v1");
      await ctx.approval("review");
      afterGate++;
      return ctx.workspace.readFile("plan.md");
    });
    const { engine, settle } = harness(kind, [wf], { extensions: [workspaceOptions({ root })] });
    const { id } = await engine.start(wf, {});
    expect((await settle(id)).status).toBe("waiting");
    writeFileSync(join(root, id, "plan.md"), "edited by hand");
    await engine.approve(id, "review", { action: "approve" });
    const run = await settle(id);
    expect(run.status).toBe("failed");
    expect(run.error).toMatchObject({
      code: "workspace_mismatch",
      details: { path: "plan.md", expected: sha("v1"), found: sha("edited by hand") },
    });
    expect(run.error?.message).toContain(`plan.md should have sha256 ${sha("v1")} but has ${sha("edited by hand")}`);
    expect(afterGate).toBe(0);
  });

  it("an unchanged workspace resumes; a deleted file is a mismatch too", async () => {
    const root = tempDir();
    const wf = workflow("keeper", async (ctx) => {
      await ctx.workspace.writeFile("a.txt", "A");
      await ctx.approval("one");
      await ctx.approval("two");
      return ctx.workspace.readFile("a.txt");
    });
    const { engine, settle } = harness(kind, [wf], { extensions: [workspaceOptions({ root })] });
    const { id } = await engine.start(wf, {});
    await settle(id);
    await engine.approve(id, "one", { action: "approve" });
    expect((await settle(id)).status).toBe("waiting");
    rmSync(join(root, id, "a.txt"));
    await engine.approve(id, "two", { action: "approve" });
    expect((await settle(id)).error).toMatchObject({
      code: "workspace_mismatch",
      details: { path: "a.txt", expected: sha("A"), found: null },
    });
  });
});

describe("phase templates with a workspace", () => {
  it("an artifact can be a workspace file validated against its schema; an invalid file goes back to the agent once", async () => {
    const root = tempDir();
    const server = await mockLlm({
      replies: [
        { toolCalls: [{ name: "write_file", arguments: { path: "plan.json", content: '{"steps":[]}' } }] },
        { content: "written" },
        { toolCalls: [{ name: "write_file", arguments: { path: "plan.json", content: '{"steps":["research","write"]}' } }] },
        { content: "fixed" },
      ],
    });
    const template: PhaseTemplate = {
      name: "planning",
      workspace: true,
      phases: [
        {
          name: "plan",
          role: "planner",
          instructions: "Plan the work.",
          artifact: { name: "plan", file: "plan.json", schema: z.object({ steps: z.array(z.string()).min(1) }) },
          gates: [],
        },
      ],
    };
    const wf = workflow("plan-in-workspace", async (ctx) =>
      runPhases(ctx, template, { personas: { planner: { model: "gpt-test", system: "You plan." } }, task: "x", reportDir: root }),
    );
    const { engine, settle } = harness("sqlite", [wf], { extensions: [workspaceOptions({ root })] });
    const { id } = await engine.start(wf, {});
    const run = await settle(id);
    expect(run.status, JSON.stringify(run.error)).toBe("completed");
    expect((run.output as PhaseReport).artifacts.plan?.value).toEqual({ steps: ["research", "write"] });
    const repairPrompt = ((server.requests[2]?.body.messages ?? []) as Array<{ role: string; content: string }>).find(
      (m) => m.role === "user",
    );
    expect(repairPrompt?.content).toContain('The workspace file "plan.json" is not a valid plan');
    const reads = (await engine.events(id)).filter((e) => e.type === "step_completed" && e.key.startsWith("plan/artifact-file"));
    expect(reads.map((e) => (e as { result: { sha256: string } }).result.sha256)).toEqual([
      sha('{"steps":[]}'),
      sha('{"steps":["research","write"]}'),
    ]);
  });
});
