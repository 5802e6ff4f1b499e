// Secrets never reach the journal: values read through ctx.secrets, secret-named keys and secret-shaped values
// are refused with secret_in_journal (naming the path, never the value), in inputs, results, errors and outputs.
import { workflow } from "duro";
import { describe, expect, it } from "vitest";
import { secretsSetup } from "../../src/observe/secrets.js";
import { harness } from "../support/engine.js";

const API_KEY = "live-key-7d2f9a61c0";

const leaky = workflow("leaky", async (ctx, input: { leak: "result" | "error" | "output" | "none" }) => {
  const key = await ctx.step("read-key", () => ctx.secrets.get("PAYMENTS_KEY").length);
  if (input.leak === "result") await ctx.step("echo", () => ({ header: `key=${ctx.secrets.get("PAYMENTS_KEY")}` }));
  if (input.leak === "error")
    await ctx.step(
      "call",
      () => {
        throw new Error(`upstream refused key ${ctx.secrets.get("PAYMENTS_KEY")}`);
      },
      { retry: { maxAttempts: 1 } },
    );
  if (input.leak === "output") return { used: ctx.secrets.get("PAYMENTS_KEY") };
  return { keyLength: key };
});

function setup() {
  const dev = secretsSetup({}, { values: { PAYMENTS_KEY: API_KEY }, env: {} });
  const h = harness("memory", [leaky], { secrets: dev.secrets, journalGuard: dev.journalGuard });
  const journalText = async (runId: string) => JSON.stringify(await h.store.read(runId));
  return { ...h, journalText };
}

describe("secrets and the journal", () => {
  it("a run that only uses a secret inside a step completes and its journal never holds it", async () => {
    const { engine, settle, journalText } = setup();
    const { id } = await engine.start(leaky, { leak: "none" });
    const run = await settle(id);
    expect(run.status).toBe("completed");
    expect(run.output).toEqual({ keyLength: API_KEY.length });
    expect(await journalText(id)).not.toContain(API_KEY);
  });

  it("a step result holding a secret fails the step with secret_in_journal naming the path", async () => {
    const { engine, settle, journalText } = setup();
    const { id } = await engine.start(leaky, { leak: "result" });
    const run = await settle(id);
    expect(run.status).toBe("failed");
    const echo = run.steps.find((s) => s.key === "echo#0");
    expect(echo?.error?.code).toBe("secret_in_journal");
    expect(echo?.error?.message).toContain("$.header");
    expect(await journalText(id)).not.toContain(API_KEY);
  });

  it("an error message holding a secret is journaled as secret_in_journal, keeping the original code", async () => {
    const { engine, settle, journalText } = setup();
    const { id } = await engine.start(leaky, { leak: "error" });
    const run = await settle(id);
    const call = run.steps.find((s) => s.key === "call#0");
    expect(call?.error).toMatchObject({ code: "secret_in_journal", details: { originalCode: "step_error", paths: ["$.message"] } });
    expect(await journalText(id)).not.toContain(API_KEY);
  });

  it("a run output holding a secret fails the run instead of being journaled", async () => {
    const { engine, settle, journalText } = setup();
    const { id } = await engine.start(leaky, { leak: "output" });
    const run = await settle(id);
    expect(run.status).toBe("failed");
    expect(run.error?.code).toBe("secret_in_journal");
    expect(await journalText(id)).not.toContain(API_KEY);
  });

  it("an input with a secret-named key or a secret-shaped value is refused before the run exists", async () => {
    const { engine, store } = setup();
    await expect(engine.start(leaky, { leak: "none", password: "pw-123456" } as never)).rejects.toMatchObject({
      code: "secret_in_journal",
      details: { paths: ["$.password"] },
    });
    await expect(engine.start(leaky, { leak: "none", note: "sk-abcdefghijklmnopqrstuv" } as never)).rejects.toMatchObject({
      code: "secret_in_journal",
    });
    expect((await store.listRuns({})).runs).toHaveLength(0);
  });

  it("event payloads, answers and approval comments holding a secret are refused before they reach the inbox", async () => {
    const { engine, store } = setup();
    await expect(engine.signal("payment", { authorization: "Bearer abcdefgh12345678" })).rejects.toMatchObject({
      code: "secret_in_journal",
      details: { paths: ["$.authorization"] },
    });
    expect(await store.listInbox({})).toHaveLength(0);
  });

  it("a missing secret fails with secret_not_found naming it", async () => {
    const dev = secretsSetup({}, { env: {} });
    expect(() => dev.secrets.get("NOPE")).toThrow(expect.objectContaining({ code: "secret_not_found" }));
  });
});
