// The agent examples run offline with `duro run … --mock-llm <script.json>`, and `duro limits raise`
// continues a run that its budget suspended.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { duro, duroJson, example, fixture, freshDir, removeTempDirs } from "../support/cli.js";

afterAll(removeTempDirs);

const opts = (cwd: string) => ({ cwd, timeoutMs: 30_000 });

describe("agent examples, offline", () => {
  it("the research agent answers from its two tools within its cost budget", async () => {
    const dir = freshDir("duro-agent-ex-");
    const run = await duroJson<{ status: string; output: { sources: string[]; iterations: number } }>(
      [
        "run",
        example("agents/research.ts"),
        "--input",
        '{"question":"Why a journal?"}',
        "--mock-llm",
        example("agents/research.mock.json"),
      ],
      opts(dir),
    );
    expect(run).toMatchObject({ status: "completed", output: { sources: ["journal", "llm-cost"], iterations: 3 } });
  });

  it("the article template waits at its gates, redoes a rejected phase and writes its report", async () => {
    const dir = freshDir("duro-agent-ex-");
    const mock = ["--mock-llm", example("agents/article.mock.json")];
    const first = await duro(
      ["run", example("agents/article.ts"), "--id", "r_article", "--input", '{"topic":"durable agents"}', ...mock],
      opts(dir),
    );
    expect(first.code, first.stderr).toBe(3);
    expect(first.stdout).toContain("duro approve r_article plan");
    expect((await duro(["approve", "r_article", "plan", "--reject", "--comment", "shorter"], opts(dir))).code).toBe(0);
    expect((await duro(["resume", "r_article", ...mock], opts(dir))).code).toBe(3);
    expect((await duro(["approve", "r_article", "plan"], opts(dir))).code).toBe(0);
    expect((await duro(["resume", "r_article", ...mock], opts(dir))).code).toBe(3);
    expect((await duro(["approve", "r_article", "draft"], opts(dir))).code).toBe(0);
    const last = await duro(["resume", "r_article", ...mock], opts(dir));
    expect(last.code, last.stderr).toBe(0);
    const report = JSON.parse(readFileSync(join(dir, ".duro", "runs", "r_article", "phases.json"), "utf8"));
    expect(report.phases.map((p: { attempts: unknown[] }) => p.attempts.length)).toEqual([2, 1, 1]);
    expect(existsSync(join(dir, ".duro", "runs", "r_article", "phases.md"))).toBe(true);
  });
});

it("a missing mock script is bad input: exit 2, nothing started", async () => {
  const dir = freshDir("duro-agent-ex-");
  const result = await duro(
    ["run", example("agents/research.ts"), "--input", '{"question":"q"}', "--mock-llm", join(dir, "nope.json")],
    opts(dir),
  );
  expect(result.code).toBe(2);
  expect(result.stderr).toContain("cannot read the mock LLM script");
  expect(existsSync(join(dir, ".duro"))).toBe(false);
});

describe("duro limits raise", () => {
  it("continues a run its budget suspended; without a limit to raise it exits 2", async () => {
    const dir = freshDir("duro-agent-limits-");
    const script = join(dir, "script.json");
    const toolCall = { toolCalls: [{ name: "noop", arguments: {} }], usage: { inputTokens: 500, outputTokens: 500 } };
    writeFileSync(
      script,
      JSON.stringify({ replies: [toolCall, toolCall, { content: "done", usage: { inputTokens: 500, outputTokens: 500 } }] }),
    );
    const first = await duro(["run", fixture("agent-budget.ts"), "--id", "r_budget", "--mock-llm", script], opts(dir));
    expect(first.code, first.stderr).toBe(3);
    expect(first.stdout).toContain("limit-raise#0");
    const bad = await duro(["limits", "raise", "r_budget"], opts(dir));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--max-cost-usd");
    expect((await duro(["limits", "raise", "r_budget", "--max-cost-usd", "5"], opts(dir))).code).toBe(0);
    // The resumed process starts a fresh mock: the two paid calls are replayed from the journal, not re-sent.
    writeFileSync(script, JSON.stringify({ replies: [{ content: "done", usage: { inputTokens: 500, outputTokens: 500 } }] }));
    const resumed = await duroJson<{ status: string; output: unknown }>(["resume", "r_budget", "--mock-llm", script], opts(dir));
    expect(resumed).toMatchObject({ status: "completed", output: { text: "done", costUsd: 0.75 } });
  });
});
