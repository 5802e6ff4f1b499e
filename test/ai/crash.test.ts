// End to end through the AI SDK's real OpenAI provider (@ai-sdk/openai) and duro's mock LLM server, in real `duro`
// processes on a SQLite file: a run SIGKILLed mid-run (node itself, at a failpoint or from outside during a streamed
// call) resumes in another process, whose replay sends no model call that was journaled; the key is never journaled.
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import type { JournalEvent, RunDetails } from "../../src/index.js";
import { duro, duroJson, fixture, freshDir, removeTempDirs, spawnDuro, sqliteUrl } from "../support/cli.js";
import { mockLlm, mockLlmEnv, TEST_API_KEY } from "../support/llm.js";

afterAll(removeTempDirs);

const NOTES = fixture("ai-sdk.ts");
const INPUT = JSON.stringify({ topics: ["journals", "leases", "replay"] });
// Long enough that a busy machine never makes the first process lose its lease; the recovering worker waits it out.
const RUN_LEASE_MS = "2500";
const SCRIPT = {
  replies: [
    { match: "One line on journals", content: "Journals are append-only." },
    { match: "One line on leases", content: "Leases fence writers." },
    { match: "One line on replay", content: "Replay skips done work." },
    { match: "Summarize", content: "Durable runs replay their journal." },
  ],
};

/** Runs `duro worker --until-idle` until the run has ended (a worker leaves early while the dead lease is live). */
async function finishRun(db: string, dir: string, env: Record<string, string>): Promise<RunDetails> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const worker = await duro(["worker", NOTES, "--until-idle", "--lease-ms", "500", "--db", db], { cwd: dir, env, timeoutMs: 20_000 });
    expect(worker.code, worker.stderr).toBe(0);
    const run = await duroJson<RunDetails>(["runs", "show", "r_notes", "--db", db], { cwd: dir });
    if (run.status !== "running") return run;
  }
  throw new Error("the run was not finished by 10 workers in a row");
}

const prompts = (server: Awaited<ReturnType<typeof mockLlm>>) =>
  server.requests.map((r) => JSON.stringify(r.body.messages).match(/One line on \w+|Summarize/)?.[0]);

it("a run killed right after its second journaled model call resumes without sending either again", async () => {
  const server = await mockLlm(SCRIPT);
  const dir = freshDir("duro-ai-crash-");
  const db = sqliteUrl(join(dir, "duro.db"));
  const env = mockLlmEnv(server.url);
  const killed = await duro(["run", NOTES, "--db", db, "--id", "r_notes", "--input", INPUT, "--lease-ms", RUN_LEASE_MS], {
    cwd: dir,
    env: { ...env, DURO_FAILPOINTS: "after_step_journaled:ai/gpt-4o-mini#1" },
    timeoutMs: 20_000,
  });

  expect(killed.signal, killed.stderr).toBe("SIGKILL");
  const midRun = await duroJson<RunDetails>(["runs", "show", "r_notes", "--db", db], { cwd: dir });
  expect(midRun.status).toBe("running");
  expect(prompts(server)).toEqual(["One line on journals", "One line on leases"]);

  const run = await finishRun(db, dir, env);
  expect(run).toMatchObject({
    status: "completed",
    output: {
      notes: ["Journals are append-only.", "Leases fence writers.", "Replay skips done work."],
      summary: "Durable runs replay their journal.",
    },
  });
  expect(prompts(server)).toEqual(["One line on journals", "One line on leases", "One line on replay", "Summarize"]);
  expect(server.requests.every((r) => r.authorized)).toBe(true);
  const events = await duroJson<JournalEvent[]>(["runs", "events", "r_notes", "--db", db], { cwd: dir });
  expect(events.flatMap((e) => (e.type === "usage_recorded" ? [e.key] : []))).toEqual([
    "ai/gpt-4o-mini#0",
    "ai/gpt-4o-mini#1",
    "ai/gpt-4o-mini#2",
    "ai/gpt-4o-mini#3",
  ]);
  expect(`${JSON.stringify(events)}${killed.stdout}${killed.stderr}`).not.toContain(TEST_API_KEY);
});

it("a run killed from outside while its streamed call is in flight sends only that call again", async () => {
  const server = await mockLlm({
    replies: [
      ...SCRIPT.replies.slice(0, 3),
      // The process is killed while it waits for this stream; the resumed run is answered by the next reply.
      { match: "Summarize", delayMs: 15_000, content: "never delivered" },
      { match: "Summarize", content: "Durable runs replay their journal." },
    ],
  });
  const dir = freshDir("duro-ai-crash-");
  const db = sqliteUrl(join(dir, "duro.db"));
  const env = mockLlmEnv(server.url);
  const { child, result } = spawnDuro(["run", NOTES, "--db", db, "--id", "r_notes", "--input", INPUT, "--lease-ms", RUN_LEASE_MS], {
    cwd: dir,
    env,
    timeoutMs: 20_000,
  });
  // Bounded poll: kill once the streamed call has reached the server.
  for (let i = 0; i < 400 && server.requests.length < 4; i++) await new Promise((resolve) => setTimeout(resolve, 25));
  expect(server.requests).toHaveLength(4);
  expect(server.requests[3]?.body.stream).toBe(true);
  expect(child.exitCode).toBeNull();
  child.kill("SIGKILL");
  expect((await result).signal).toBe("SIGKILL");
  expect((await duroJson<RunDetails>(["runs", "show", "r_notes", "--db", db], { cwd: dir })).status).toBe("running");

  const run = await finishRun(db, dir, env);
  expect(run).toMatchObject({ status: "completed", output: { summary: "Durable runs replay their journal." } });
  expect(prompts(server)).toEqual(["One line on journals", "One line on leases", "One line on replay", "Summarize", "Summarize"]);
});
