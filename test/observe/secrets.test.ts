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

// A GitHub-shaped token made from a filler, never a real one.
const GITHUB_TOKEN = `ghp_${"0123456789abcdefghijklmnopqrstuvwxyz".slice(0, 36)}`;

const child = workflow("child", async () => "done");

/** Emits a domain event holding a secret, and one with a secret-named field that only the transcript redacts. */
const emitter = workflow("emitter", async (ctx) => {
  let refused = "";
  try {
    ctx.emit("charged", { header: `key=${ctx.secrets.get("PAYMENTS_KEY")}` });
  } catch (error) {
    refused = (error as { code: string }).code;
  }
  ctx.emit("plain", { ok: true });
  return refused;
});

/** Puts a secret read through ctx.secrets in one place the journal would store. */
const placed = workflow("placed", async (ctx, input: { where: string }) => {
  const key = () => ctx.secrets.get("PAYMENTS_KEY");
  const token = await ctx.step("read", () => ctx.secrets.get("PAYMENTS_KEY").length);
  switch (input.where) {
    case "step":
      await ctx.step(`charge ${GITHUB_TOKEN}`, () => 1);
      break;
    case "event":
      await ctx.waitForEvent("paid", { key: `paid/${GITHUB_TOKEN}` });
      break;
    case "approval":
      await ctx.approval("manager", { summary: `refund with ${GITHUB_TOKEN}` });
      break;
    case "ask":
      await ctx.ask("which", { prompt: `which account for ${GITHUB_TOKEN}?` });
      break;
    case "child":
      await ctx.child(`spawn-${GITHUB_TOKEN}`, child, {});
      break;
    case "result-key":
      await ctx.step("index", () => ({ [key()]: 1 }));
      break;
    case "output-key":
      return { [GITHUB_TOKEN]: token };
    case "none":
      await ctx.waitForEvent("never", { key: "never" });
  }
  return { token };
});

function setup() {
  const dev = secretsSetup({}, { values: { PAYMENTS_KEY: API_KEY }, env: {} });
  const h = harness("memory", [leaky, placed, child, emitter], { secrets: dev.secrets, journalGuard: dev.journalGuard });
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

  it("a domain event holding a secret is refused at ctx.emit with secret_in_journal; the run goes on without it", async () => {
    const { engine, settle, store, journalText } = setup();
    const { id } = await engine.start(emitter, {});
    expect(await settle(id)).toMatchObject({ status: "completed", output: "secret_in_journal" });
    expect((await store.read(id)).flatMap((e) => (e.type === "domain_event" ? [e.name] : []))).toEqual(["plain"]);
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

  it("a GitHub token in a run's input is refused before the run exists", async () => {
    const { engine, store } = setup();
    await expect(engine.start(leaky, { leak: "none", note: `use ${GITHUB_TOKEN}` } as never)).rejects.toMatchObject({
      code: "secret_in_journal",
      details: { paths: ["$.note"] },
    });
    expect((await store.listRuns({})).runs).toHaveLength(0);
  });

  it.each([
    ["a step name", "step"],
    ["a wait's event key", "event"],
    ["an approval summary", "approval"],
    ["a question's prompt", "ask"],
    ["a child's step name", "child"],
    ["an object key of a step result", "result-key"],
    ["an object key of the run's output", "output-key"],
  ] as const)("a secret in %s fails the run with secret_in_journal and never reaches the journal", async (_what, where) => {
    const { engine, settle, journalText } = setup();
    const { id } = await engine.start(placed, { where });
    const run = await settle(id);
    expect(run.status).toBe("failed");
    const errors = [run.error, ...run.steps.map((s) => s.error)].filter((e) => e !== undefined);
    expect(errors.map((e) => e?.code)).toContain("secret_in_journal");
    const journal = await journalText(id);
    expect(journal).not.toContain(API_KEY);
    expect(journal).not.toContain(GITHUB_TOKEN);
  });

  it("an event key or a cancellation reason holding a secret is refused", async () => {
    const { engine, store } = setup();
    await expect(engine.signal(`deploy/${GITHUB_TOKEN}`, { ok: true })).rejects.toMatchObject({ code: "secret_in_journal" });
    expect(await store.listInbox({})).toHaveLength(0);
    const { id } = await engine.start(placed, { where: "none" });
    await expect(engine.cancel(id, `revoked ${GITHUB_TOKEN}`)).rejects.toMatchObject({ code: "secret_in_journal" });
    expect(JSON.stringify(await store.read(id))).not.toContain(GITHUB_TOKEN);
  });

  it("a secret shorter than the redaction minimum is refused when read, so it is never handed out unredactable", () => {
    const dev = secretsSetup({}, { values: { PIN: "123" }, env: {} });
    expect(() => dev.secrets.get("PIN")).toThrow(
      expect.objectContaining({ code: "secret_too_short", details: { secret: "PIN", minLength: 4 } }),
    );
    expect(dev.secrets.read.has("PIN")).toBe(false);
  });

  it("a missing secret fails with secret_not_found naming it", async () => {
    const dev = secretsSetup({}, { env: {} });
    expect(() => dev.secrets.get("NOPE")).toThrow(expect.objectContaining({ code: "secret_not_found" }));
  });
});
