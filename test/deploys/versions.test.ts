// Versions side by side: an engine may hold several versions of one workflow; a run executes only on the code of its
// own version (version pinning, the default), so old runs finish on old code while new runs start on new code.
// `versionPinning: false` is the escape hatch: any version is executed, with replay's divergence check as the guard.
import { join } from "node:path";
import { createEngine, type Engine, flowWorkflow, parseFlow, type RunDetails, type WorkflowContext, workflow } from "duro";
import { afterAll, describe, expect, it } from "vitest";
import { duro, duroJson, fixture, freshDir, removeTempDirs, sqliteUrl } from "../support/cli.js";
import { harness, STORES } from "../support/engine.js";

afterAll(removeTempDirs);

const v1 = workflow("order", { version: "v1" }, async (ctx: WorkflowContext, input: { id: string }) => {
  const price = await ctx.step("price", () => 10);
  await ctx.waitForEvent("ship", { key: `ship:${input.id}` });
  return { total: await ctx.step("charge-v1", () => price), code: "v1" };
});

const v2 = workflow("order", { version: "v2" }, async (ctx: WorkflowContext, input: { id: string }) => {
  const price = await ctx.step("price", () => 10);
  await ctx.waitForEvent("ship", { key: `ship:${input.id}` });
  return { total: await ctx.step("charge-v2", () => price * 2), code: "v2" };
});

describe.each(STORES)("workflow versions on the %s store", (kind) => {
  function deploy(h: ReturnType<typeof harness>, ...workflows: (typeof v1)[]): Engine {
    return createEngine({ store: h.store, workflows, clock: () => h.clock.now(), inlineWaitMs: 0, leaseMs: 10_000 });
  }

  it("an engine holding v1 and v2 starts the one registered last, and runs each run on its own version", async () => {
    const h = harness(kind, [v1, v2]);
    const fresh = await h.engine.start("order", { id: "fresh" });
    const old = await h.engine.start("order", { id: "old" }, { version: "v1" });
    const byDefinition = await h.engine.start(v1, { id: "def" });
    expect([fresh.run.version, old.run.version, byDefinition.run.version]).toEqual(["v2", "v1", "v1"]);
    expect(h.engine.workflowVersions()).toEqual({ order: ["v1", "v2"] });

    for (const [run, key] of [
      [fresh, "fresh"],
      [old, "old"],
      [byDefinition, "def"],
    ] as const) {
      await h.settle(run.id);
      await h.engine.signal(`ship:${key}`, null);
    }
    expect(await h.settle(fresh.id)).toMatchObject({ status: "completed", output: { total: 20, code: "v2" } });
    expect(await h.settle(old.id)).toMatchObject({ status: "completed", output: { total: 10, code: "v1" } });
    expect(await h.settle(byDefinition.id)).toMatchObject({ status: "completed", output: { code: "v1" } });
  });

  it("a version that is not registered cannot be started", async () => {
    const h = harness(kind, [v1]);
    await expect(h.engine.start("order", { id: "x" }, { version: "v9" })).rejects.toMatchObject({
      code: "version_not_found",
      message: expect.stringContaining('"v1"'),
    });
  });

  it("the same name and version with another function is duplicate_workflow; the same definition twice is fine", async () => {
    const impostor = workflow("order", { version: "v1" }, async () => "other code");
    const h = harness(kind, [v1, v1]);
    expect(() => h.engine.register(impostor)).toThrow(expect.objectContaining({ code: "duplicate_workflow" }));
    expect(h.engine.workflowVersions()).toEqual({ order: ["v1"] });
  });

  it("a worker with only v2 leaves v1 runs alone; a worker with v1 finishes them on v1", async () => {
    const h = harness(kind, [v1]);
    const old = await h.engine.start(v1, { id: "old" });
    expect((await h.settle(old.id)).status).toBe("waiting");
    await h.engine.signal("ship:old", null);

    const onlyV2 = deploy(h, v2);
    const fresh = await onlyV2.start("order", { id: "fresh" });
    await onlyV2.runWorker({ untilIdle: true }).done;
    expect(await onlyV2.get(old.id)).toMatchObject({ status: "waiting" });
    expect(await onlyV2.get(fresh.id)).toMatchObject({ status: "waiting", version: "v2" });

    await h.engine.runWorker({ untilIdle: true }).done;
    expect(await h.engine.get(old.id)).toMatchObject({ status: "completed", output: { code: "v1" } });
    expect(await h.engine.get(fresh.id)).toMatchObject({ status: "waiting" });
    await onlyV2.close();
  });

  it("execute of a run whose version the engine lacks fails with version_mismatch and leaves the run as it was", async () => {
    const h = harness(kind, [v1]);
    const old = await h.engine.start(v1, { id: "old" });
    await h.settle(old.id);
    const before = await h.store.getRun(old.id);

    const onlyV2 = deploy(h, v2);
    const refused = onlyV2.execute(old.id);
    await expect(refused).rejects.toMatchObject({
      code: "version_mismatch",
      details: { runId: old.id, runVersion: "v1", codeVersions: ["v2"] },
      message: expect.stringMatching(/version "v1".*version "v2".*--any-version.*duro runs fork/s),
    });
    expect(await h.store.getRun(old.id)).toEqual(before);
    await onlyV2.close();
  });

  it("an engine without a run's version can still cancel it (cancelling runs no workflow code)", async () => {
    const h = harness(kind, [v1]);
    const old = await h.engine.start(v1, { id: "old" });
    await h.settle(old.id);

    const onlyV2 = deploy(h, v2);
    expect(await onlyV2.cancel(old.id, "retired with v1")).toMatchObject({ status: "cancelled", version: "v1" });
    await onlyV2.close();
  });

  it("with versionPinning: false the newest code takes the run over, and replay's divergence check is the guard", async () => {
    const h = harness(kind, [v1]);
    const old = await h.engine.start(v1, { id: "old" });
    await h.settle(old.id);
    await h.engine.signal("ship:old", null);

    const anyVersion = createEngine({
      store: h.store,
      workflows: [v2],
      clock: () => h.clock.now(),
      inlineWaitMs: 0,
      versionPinning: false,
    });
    await anyVersion.runUntilSettled(old.id, { maxWaitMs: 0 });
    // v2 replays v1's journal (price, the wait) and then runs its own last step.
    expect(await anyVersion.get(old.id)).toMatchObject({ status: "completed", version: "v1", output: { total: 20, code: "v2" } });
    await anyVersion.close();
  });

  /** One workflow without an explicit version, before and after an edit of its last step. */
  function unversionedEdit() {
    const before = workflow("greet", async (ctx: WorkflowContext) => {
      await ctx.waitForEvent("go", { key: "go" });
      return ctx.step("hello", () => "hello");
    });
    const edited = workflow("greet", async (ctx: WorkflowContext) => {
      await ctx.waitForEvent("go", { key: "go" });
      return ctx.step("hello", () => "hello, edited");
    });
    return { before, edited };
  }

  it("without explicit versions an edit is a new version, but not a pinned one: the edited code replays the old run", async () => {
    const { before, edited } = unversionedEdit();
    expect(before.version).toMatch(/^src:/);
    expect(edited.version).not.toBe(before.version);
    const h = harness(kind, [before]);
    const { id } = await h.engine.start(before, {});
    await h.settle(id);

    // A source hash changes with any edit, and with the build tool: pinning it would strand runs without a word.
    const next = deploy(h, edited as never);
    await h.engine.signal("go", null);
    await next.execute(id);
    expect(await h.engine.get(id)).toMatchObject({ status: "completed", version: before.version, output: "hello, edited" });
    await next.close();
  });

  it('versionPinning "all" pins source-hash versions too: the edited code does not take the old runs', async () => {
    const { before, edited } = unversionedEdit();
    const h = harness(kind, [before]);
    const { id } = await h.engine.start(before, {});
    await h.settle(id);

    const next = createEngine({
      store: h.store,
      workflows: [edited],
      clock: () => h.clock.now(),
      inlineWaitMs: 0,
      leaseMs: 10_000,
      versionPinning: "all",
    });
    await expect(next.execute(id)).rejects.toMatchObject({ code: "version_mismatch" });
    await h.engine.signal("go", null);
    expect(await h.settle(id)).toMatchObject({ status: "completed", output: "hello" });
    await next.close();
  });
});

describe("duro resume and duro worker with version pinning", () => {
  const [V1, V2] = [fixture("versions/v1.ts"), fixture("versions/v2.ts")];

  it("refuse a run of another version unless --any-version, which replays it on the code they have", async () => {
    const dir = freshDir("duro-pinning-");
    const opts = { cwd: dir };
    const db = sqliteUrl(join(dir, "duro.db"));
    for (const n of [3, 5]) {
      const started = await duro(["run", V1, "--input", JSON.stringify({ n, express: false }), "--id", `r${n}`, "--db", db], opts);
      expect(started.code, started.stderr).toBe(3);
      await duro(["signal", `ship:${n}`, "--db", db], opts);
    }

    const refused = await duro(["resume", "r3", V2, "--db", db], opts);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(
      /error \[version_mismatch\]: run r3 is workflow "shipment" version "v1", but the loaded code has version "v2"/,
    );
    const anyVersion = await duroJson<RunDetails>(["resume", "r3", V2, "--any-version", "--db", db], opts);
    expect(anyVersion).toMatchObject({ status: "completed", version: "v1", output: { code: "v2" } });

    const pinnedWorker = await duro(["worker", V2, "--until-idle", "--db", db], opts);
    expect(pinnedWorker.code, pinnedWorker.stderr).toBe(0);
    expect(pinnedWorker.stdout).toContain("executing shipment (v2)");
    expect((await duroJson<RunDetails>(["runs", "show", "r5", "--db", db], opts)).status).toBe("waiting");
    const anyWorker = await duro(["worker", V2, "--until-idle", "--any-version", "--db", db], opts);
    expect(anyWorker.code, anyWorker.stderr).toBe(0);
    expect(await duroJson<RunDetails>(["runs", "show", "r5", "--db", db], opts)).toMatchObject({
      status: "completed",
      output: { code: "v2" },
    });
  });
});

describe("flow versions", () => {
  /** A flow that waits for an event, then says `text`. */
  const flow = (version: string, text: string) =>
    flowWorkflow(parseFlow(`id: greet\n${version}nodes:\n  wait: { wait: { event: go }, next: hi }\n  hi: { set: { text: ${text} } }\n`));

  it("a declared version is the flow's pinned version: an edit that keeps it takes the waiting run over, a new one does not", async () => {
    const [original, edited, next] = [flow('version: "2"\n', "hello"), flow('version: "2"\n', "hello again"), flow('version: "3"\n', "hi")];
    expect([original.version, edited.version, next.version]).toEqual(["2", "2", "3"]);
    const h = harness("memory", [original]);
    const { id } = await h.engine.start(original, {});
    await h.settle(id);
    await h.engine.signal("go", null);

    const v3 = createEngine({ store: h.store, workflows: [next], clock: () => h.clock.now(), inlineWaitMs: 0 });
    await expect(v3.execute(id)).rejects.toMatchObject({ code: "version_mismatch" });
    const sameLabel = createEngine({ store: h.store, workflows: [edited], clock: () => h.clock.now(), inlineWaitMs: 0 });
    await sameLabel.execute(id);
    expect(await h.engine.get(id)).toMatchObject({ status: "completed", version: "2", output: { text: "hello again" } });
    await Promise.all([v3.close(), sameLabel.close()]);
  });

  it("without a declared version a flow is versioned by a hash of its document, which any edit changes", () => {
    const [one, edited] = [flow("", "hello"), flow("", "hello again")];
    expect(one.version).toMatch(/^src:[0-9a-f]{12}$/);
    expect(edited.version).toMatch(/^src:/);
    expect(edited.version).not.toBe(one.version);
  });
});
