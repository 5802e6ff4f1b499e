// The AI SDK example runs offline as its header says, and the commands the CLI prints while it waits (approve or
// reject the tool call, then resume) finish it, with the mock LLM server standing in for OpenAI.
import { afterAll, expect, it } from "vitest";
import type { JournalEvent, RunDetails } from "../../src/index.js";
import { duro, duroJson, example, freshDir, removeTempDirs } from "../support/cli.js";
import { mockLlm, mockLlmEnv, TEST_API_KEY } from "../support/llm.js";

afterAll(removeTempDirs);

const NOTES = example("ai-sdk/release-notes.ts");
const SCRIPT = example("ai-sdk/release-notes.mock.json");
const INPUT = '{"version":"1.2.0","since":"v1.1.0"}';

/** Runs the example until it waits on the publish tool; returns the folder it ran in. */
async function runToApproval(): Promise<string> {
  const dir = freshDir("duro-ai-example-");
  const first = await duro(["run", NOTES, "--id", "r_notes", "--input", INPUT, "--mock-llm", SCRIPT], { cwd: dir, timeoutMs: 30_000 });
  expect(first.code, first.stderr).toBe(3);
  expect(first.stdout).toContain("duro approve r_notes tool:publish");
  expect(first.stdout).toContain("duro resume r_notes");
  return dir;
}

it("the release-notes agent waits for approval to publish, then publishes and completes", async () => {
  const dir = await runToApproval();
  expect((await duro(["approve", "r_notes", "tool:publish"], { cwd: dir })).code).toBe(0);
  const resumed = await duro(["resume", "r_notes", "--mock-llm", SCRIPT], { cwd: dir, timeoutMs: 30_000 });

  expect(resumed.code, resumed.stderr).toBe(0);
  const run = await duroJson<RunDetails>(["runs", "show", "r_notes"], { cwd: dir });
  expect(run).toMatchObject({
    status: "completed",
    output: { summary: "Published the notes for 1.2.0 at https://example.com/releases/1.2.0.", modelCalls: 3, tokens: 1490 },
  });
  // The resumed process replayed the two journaled model calls: each model call was started once.
  const events = await duroJson<JournalEvent[]>(["runs", "events", "r_notes"], { cwd: dir });
  const modelStarts = events.flatMap((e) => (e.type === "step_started" && e.key.startsWith("ai/gpt-4o-mini") ? [e.key] : []));
  expect(modelStarts).toEqual(["ai/gpt-4o-mini#0", "ai/gpt-4o-mini#1", "ai/gpt-4o-mini#2"]);
});

it("a rejected publication is not published: the model is told and the run completes", async () => {
  const dir = await runToApproval();
  expect((await duro(["approve", "r_notes", "tool:publish", "--reject", "--comment", "wait for 1.2.1"], { cwd: dir })).code).toBe(0);
  const server = await mockLlm({ replies: [{ match: "wait for 1.2.1", content: "Not published: the release waits for 1.2.1." }] });
  const resumed = await duro(["resume", "r_notes"], { cwd: dir, env: mockLlmEnv(server.url), timeoutMs: 30_000 });

  expect(resumed.code, resumed.stderr).toBe(0);
  const run = await duroJson<RunDetails>(["runs", "show", "r_notes"], { cwd: dir });
  expect(run).toMatchObject({ status: "completed", output: { summary: "Not published: the release waits for 1.2.1." } });
  const events = await duroJson<JournalEvent[]>(["runs", "events", "r_notes"], { cwd: dir });
  expect(events.some((e) => e.type === "step_started" && e.key.startsWith("ai/tool:publish"))).toBe(false);
  expect(server.requests).toHaveLength(1);
  expect(JSON.stringify(events)).not.toContain(TEST_API_KEY);
});
