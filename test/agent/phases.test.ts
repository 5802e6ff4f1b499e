// Phase templates: personas bound and journaled at start, artifacts validated and stored by hash, gates that
// approve, reject (redo with the comment) or abort, completed phases never redone, and a report (phases.json,
// phases.md) for every outcome: completed, aborted, failed.
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Persona, type PhaseReport, type PhaseTemplate, runPhases, workflow } from "duro";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { writeRunFolder } from "../../src/observe/run-folder.js";
import { harness } from "../support/engine.js";
import { mockLlm } from "../support/llm.js";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const template: PhaseTemplate = {
  name: "article",
  phases: [
    {
      name: "plan",
      role: "planner",
      instructions: "Outline the article.",
      artifact: { name: "outline", schema: z.object({ sections: z.array(z.string()) }) },
    },
    {
      name: "draft",
      role: "writer",
      instructions: "Write the article from the outline.",
      artifact: { name: "draft", schema: { type: "object", required: ["text"], properties: { text: { type: "string" } } } },
    },
    {
      name: "review",
      role: "reviewer",
      instructions: "Review the draft.",
      artifact: { name: "review", schema: z.object({ verdict: z.enum(["ship", "hold"]) }) },
      gates: [],
    },
  ],
};

const personas: Record<string, Persona> = {
  planner: { model: "openai:gpt-planner", system: "You plan." },
  writer: { model: "anthropic:claude-writer", system: "You write." },
  reviewer: { model: "openai:gpt-reviewer", system: "You review." },
};

function setup() {
  const reportDir = mkdtempSync(join(tmpdir(), "duro-phases-"));
  dirs.push(reportDir);
  const live = { personas: structuredClone(personas) };
  const wf = workflow("write-article", async (ctx, input: { topic: string }) =>
    runPhases(ctx, template, { personas: live.personas, task: input, reportDir }),
  );
  return { reportDir, live, ...harness("sqlite", [wf]), wf };
}

describe("phase templates", () => {
  it("runs plan, draft (rejected once, redone with the comment) and review, and writes the report", async () => {
    const server = await mockLlm({
      replies: [
        { match: "Phase: plan", content: '{"sections":["why","how"]}' },
        { match: "Phase: draft", content: '{"text":"first draft"}' },
        { match: "Phase: draft", content: '{"text":"second draft, with examples"}' },
        { match: "Phase: review", content: '{"verdict":"ship"}' },
      ],
    });
    const { engine, settle, live, reportDir, wf } = setup();
    const { id } = await engine.start(wf, { topic: "durable agents" });
    let run = await settle(id);
    expect(run.waits).toEqual([expect.objectContaining({ key: "plan#0" })]);
    // The code's personas change while the run waits: the run keeps the ones it bound at start.
    live.personas.writer = { model: "openai:gpt-changed", system: "changed" };
    await engine.approve(id, "plan", { action: "approve", by: "ana" });
    run = await settle(id);
    expect(run.waits).toEqual([expect.objectContaining({ key: "draft#0" })]);
    await engine.approve(id, "draft", { action: "reject", by: "ana", comment: "add examples" });
    run = await settle(id);
    expect(run.waits).toEqual([expect.objectContaining({ key: "draft#1" })]);
    await engine.approve(id, "draft", { action: "approve", by: "ana" });
    run = await settle(id);
    expect(run.status).toBe("completed");
    expect(Object.entries(run.usage?.byScope ?? {}).map(([scope, u]) => [scope, u.calls])).toEqual([
      ["plan", 1],
      ["draft", 2],
      ["review", 1],
    ]);

    expect(server.requests.map((r) => [r.protocol, r.model])).toEqual([
      ["openai", "gpt-planner"],
      ["anthropic", "claude-writer"],
      ["anthropic", "claude-writer"],
      ["openai", "gpt-reviewer"],
    ]);
    expect(JSON.stringify(server.requests[2]?.body)).toContain("add examples");
    const report = JSON.parse(readFileSync(join(reportDir, "phases.json"), "utf8")) as PhaseReport;
    expect(report).toEqual(run.output);
    expect(report).toMatchObject({ status: "completed", error: null });
    expect(report.phases.map((p) => [p.name, p.attempts.map((a) => a.decision?.action ?? "none")])).toEqual([
      ["plan", ["approve"]],
      ["draft", ["reject", "approve"]],
      ["review", ["none"]],
    ]);
    const draft = report.artifacts.draft;
    expect(draft?.value).toEqual({ text: "second draft, with examples" });
    const stored = await engine.store.getArtifact(draft?.sha256 as string);
    expect(Buffer.from(stored as Uint8Array).toString("utf8")).toBe(JSON.stringify(draft?.value));
    const drafts = await engine.store.listArtifacts({ runId: id, tag: "phase:draft" });
    expect(drafts.map((a) => [a.name, a.tags])).toEqual([
      ["draft", ["article", "phase:draft"]],
      ["draft", ["article", "phase:draft"]],
    ]);
    expect(Object.keys(report.usage.byPersona)).toEqual(["planner", "writer", "reviewer"]);
    // The run folder written into the same directory (as duro run does) keeps the template's report.
    await writeRunFolder(engine.store, id, reportDir);
    const markdown = readFileSync(join(reportDir, "phases.md"), "utf8");
    expect(markdown).toContain("| draft | writer | 1 | draft |");
    expect(markdown).toContain("## Last events");
    expect(report.lastEvents?.map((e) => `${e.type} ${e.key ?? ""}`).slice(-3)).toEqual([
      "step_started review/artifact#0",
      "step_completed review/artifact#0",
      "step_started report#0",
    ]);
  });

  it("abort at a gate ends the template: no later phase runs, the report says aborted and why, and the run fails with phase_aborted", async () => {
    const server = await mockLlm({ replies: [{ match: "Phase: plan", content: '{"sections":["a"]}' }] });
    const { engine, settle, reportDir, wf } = setup();
    const { id } = await engine.start(wf, { topic: "t" });
    await settle(id);
    await engine.approve(id, "plan", { action: "abort", by: "ana", comment: "wrong topic" });
    const run = await settle(id);
    expect(run).toMatchObject({ status: "failed", error: { code: "phase_aborted", details: { phase: "plan" } } });
    expect(run.error?.message).toContain("aborted by ana at its gate: wrong topic");
    expect(server.requests).toHaveLength(1);
    const report = JSON.parse(readFileSync(join(reportDir, "phases.json"), "utf8")) as PhaseReport;
    expect(report).toMatchObject({
      status: "aborted",
      error: { code: "phase_aborted", phase: "plan" },
      phases: [{ name: "plan", status: "aborted" }],
    });
    const { summary } = await writeRunFolder(engine.store, id, reportDir);
    expect(summary.status).toBe("failure");
    expect(readFileSync(join(reportDir, "phases.md"), "utf8")).toContain("**aborted** in phase plan: [phase_aborted]");
  });

  it("an artifact that never matches its schema fails the run with schema_invalid, and the report says failed with that error", async () => {
    await mockLlm({ replies: [{ content: '{"sections":"one"}' }, { content: '{"sections":"still one"}' }] });
    const { engine, settle, wf, reportDir } = setup();
    const { id } = await engine.start(wf, { topic: "t" });
    const run = await settle(id);
    expect(run.error).toMatchObject({ code: "schema_invalid", details: { agent: "plan" } });
    const report = JSON.parse(readFileSync(join(reportDir, "phases.json"), "utf8")) as PhaseReport;
    expect(report).toMatchObject({
      status: "failed",
      error: { code: "schema_invalid", phase: "plan" },
      phases: [{ name: "plan", status: "failed" }],
    });
    expect(existsSync(join(reportDir, "phases.md"))).toBe(true);
  });
});
