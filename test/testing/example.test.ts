// The testing kit as a user's suite would use it (docs/dev-loop.md shows this file): fake clock, mocks, and
// helpers to run, approve and look at the journal. The three-day sleep passes at once: no real waiting.
import { workflow } from "duro";
import { createTestEngine } from "duro/testing";
import { afterAll, describe, expect, it } from "vitest";

const onboarding = workflow("onboarding", async (ctx, input: { email: string }) => {
  const account = await ctx.step("create-account", async () => {
    const response = await fetch("https://accounts.example.test/users", { method: "POST", body: JSON.stringify(input) });
    return (await response.json()) as { id: string };
  });
  await ctx.sleep("trial", "3d");
  const decision = await ctx.approval("upgrade", { summary: `upgrade ${account.id}?` });
  await ctx.sleep("grace", "1h");
  const sent = await ctx.step("welcome", () => ({ to: input.email, upgraded: decision.action === "approve" }));
  return { account: account.id, ...sent };
});

const kit = createTestEngine({
  workflows: [onboarding],
  mocks: { http: [{ method: "POST", url: "https://accounts.example.test/users", response: { status: 201, body: { id: "u_1" } } }] },
});
afterAll(() => kit.close());

describe("the testing kit (example)", () => {
  it("runs a workflow that sleeps three days and waits for an approval, with a fake clock", async () => {
    const runId = await kit.start(onboarding, { email: "ann@example.test" });

    const waiting = await kit.runToCompletion(runId);
    expect(waiting.status).toBe("waiting");
    expect(waiting.waits.map((w) => w.kind)).toEqual(["approval"]);

    await kit.approve(runId, "upgrade", { by: "manager" });
    const paused = await kit.runToNextWait(runId);
    expect(paused.waits.map((w) => w.kind)).toEqual(["sleep"]);
    kit.advance("1h");
    const done = await kit.runToCompletion(runId);

    expect(done.status).toBe("completed");
    expect(done.output).toEqual({ account: "u_1", to: "ann@example.test", upgraded: true });
    expect(await kit.settledSteps(runId)).toEqual(["create-account#0", "welcome#0"]);
    const journal = await kit.journal(runId);
    const trial = journal.find((e) => e.type === "wait_started" && e.key === "trial#0");
    expect(trial).toMatchObject({ kind: "sleep", until: "2025-01-04T00:00:00.000Z" });
    expect(kit.hits.map((h) => [h.kind, h.step])).toEqual([
      ["http", "create-account#0"],
      ["clock", undefined], // the jump over the three-day trial
    ]);
  });
});
