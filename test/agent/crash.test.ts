// A real `duro run` is SIGKILLed in the middle of an agent loop; a worker resumes the run, and the mock
// server's request log shows that no completed model call was sent again.
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { JournalEvent, RunDetails } from "../../src/index.js";
import { duro, duroJson, fixture, freshDir, removeTempDirs, spawnDuro, sqliteUrl } from "../support/cli.js";
import { callTool, mockLlm, mockLlmEnv, TEST_API_KEY } from "../support/llm.js";

afterAll(removeTempDirs);

const AGENT = fixture("agent-loop.ts");
// Long enough that a busy machine never makes the first process lose its lease (which would legitimately
// re-send the call it was making); the recovering worker waits for it to expire.
const RUN_LEASE_MS = "2500";

/** Runs `duro worker --until-idle` until the run has ended (a worker leaves early while the dead lease is live). */
async function recover(db: string, dir: string, env: Record<string, string>): Promise<RunDetails> {
  for (let i = 0; i < 10; i++) {
    const worker = await duro(["worker", AGENT, "--until-idle", "--lease-ms", "500", "--db", db, "--json"], {
      cwd: dir,
      env,
      timeoutMs: 20_000,
    });
    expect(worker.code, worker.stderr).toBe(0);
    const run = await duroJson<RunDetails>(["runs", "show", "r_agent", "--db", db], { cwd: dir });
    if (run.status !== "running") return run;
  }
  throw new Error("the run was not recovered by 10 workers in a row");
}

describe("an agent loop killed with SIGKILL", () => {
  it.each(["after_step_journaled:research/turn#2", "after_step_effect:research/tool:lookup#2"])(
    "resumes without re-sending a completed model call (%s)",
    async (failpoint) => {
      const server = await mockLlm({
        replies: [
          callTool("lookup", { topic: "journals" }),
          callTool("lookup", { topic: "leases" }),
          callTool("lookup", { topic: "replay" }),
          callTool("lookup", { topic: "fencing" }),
          { content: "Durable runs replay their journal." },
        ],
      });
      const dir = freshDir("duro-agent-crash-");
      const db = sqliteUrl(join(dir, "duro.db"));
      const env = mockLlmEnv(server.url);
      const killed = await duro(
        ["run", AGENT, "--db", db, "--id", "r_agent", "--input", '{"question":"How do durable runs work?"}', "--lease-ms", RUN_LEASE_MS],
        { cwd: dir, env: { ...env, DURO_FAILPOINTS: failpoint }, timeoutMs: 20_000 },
      );
      expect(killed.signal, killed.stderr).toBe("SIGKILL");
      const sentBeforeKill = server.requests.length;
      const run = await recover(db, dir, env);
      expect(run).toMatchObject({
        status: "completed",
        output: { answer: "Durable runs replay their journal.", iterations: 5, toolCalls: 4 },
      });

      // Turn n sends 2n+1 messages; each turn whose result was journaled before the kill was sent exactly once.
      const sizes = server.requests.map((r) => (r.body.messages as unknown[]).length);
      expect(sizes).toEqual([1, 3, 5, 7, 9]);
      expect(sentBeforeKill).toBe(3);
      const events = await duroJson<JournalEvent[]>(["runs", "events", "r_agent", "--db", db], { cwd: dir });
      expect(`${JSON.stringify(events)}${killed.stdout}${killed.stderr}`).not.toContain(TEST_API_KEY);
      const usage = events.filter((e) => e.type === "usage_recorded");
      expect(usage.map((e) => (e.type === "usage_recorded" ? e.key : ""))).toEqual([
        "research/turn#0",
        "research/turn#1",
        "research/turn#2",
        "research/turn#3",
        "research/turn#4",
      ]);
    },
  );
});

it("a run killed from outside while a model call is in flight sends only that call again", async () => {
  const server = await mockLlm({
    replies: [
      callTool("lookup", { topic: "journals" }),
      callTool("lookup", { topic: "leases" }),
      callTool("lookup", { topic: "replay" }),
      // The process is killed while waiting for this one; the resumed run gets the next reply instead.
      { delayMs: 15_000, content: "never delivered" },
      callTool("lookup", { topic: "fencing" }),
      { content: "Durable runs replay their journal." },
    ],
  });
  const dir = freshDir("duro-agent-crash-");
  const db = sqliteUrl(join(dir, "duro.db"));
  const env = mockLlmEnv(server.url);
  const { child, result } = spawnDuro(
    ["run", AGENT, "--db", db, "--id", "r_agent", "--input", '{"question":"q"}', "--lease-ms", RUN_LEASE_MS],
    {
      cwd: dir,
      env,
      timeoutMs: 20_000,
    },
  );
  // Bounded poll: kill once the fourth model call has reached the server.
  for (let i = 0; i < 400 && server.requests.length < 4; i++) await new Promise((resolve) => setTimeout(resolve, 25));
  expect(server.requests).toHaveLength(4);
  child.kill("SIGKILL");
  expect((await result).signal).toBe("SIGKILL");
  const run = await recover(db, dir, env);
  expect(run).toMatchObject({ status: "completed", output: { iterations: 5, toolCalls: 4 } });
  expect(server.requests.map((r) => (r.body.messages as unknown[]).length)).toEqual([1, 3, 5, 7, 7, 9]);
});
