// forkRun: a new run that reuses the origin's journal up to a step and executes from there.

import { join } from "node:path";
import { forkRun, type WorkflowContext, workflow } from "duro";
import { afterAll, describe, expect, it } from "vitest";
import { duro, duroJson, fixture, freshDir, readEffects, removeTempDirs, sqliteUrl } from "../support/cli.js";
import { harness, STORES } from "../support/engine.js";

const executed = { a: 0, b: 0, c: 0 };

const wf = workflow("forkable", async (ctx: WorkflowContext, input: { n: number; mult: number }) => {
  const a = await ctx.step("a", () => {
    executed.a++;
    return input.n + 1;
  });
  const b = await ctx.step("b", () => {
    executed.b++;
    return a * input.mult;
  });
  return ctx.step("c", () => {
    executed.c++;
    return b + 100;
  });
});

describe.each(STORES)("forkRun on the %s store", (kind) => {
  it("from a middle step: the same result when nothing changed, a new one with a new input, steps before it not re-executed", async () => {
    const { engine, store, settle } = harness(kind, [wf]);
    Object.assign(executed, { a: 0, b: 0, c: 0 });
    const origin = await engine.start(wf, { n: 1, mult: 2 });
    expect(await settle(origin.id)).toMatchObject({ status: "completed", output: 104 });
    const originJournal = await store.read(origin.id);

    const same = await forkRun(store, origin.id, { fromStep: "b" });
    expect(same).toMatchObject({ status: "queued", workflow: "forkable" });
    expect(await settle(same.id)).toMatchObject({ status: "completed", output: 104 });

    const changed = await forkRun(store, origin.id, { fromStep: "b#0", input: { n: 1, mult: 3 }, workflow: wf });
    expect(await settle(changed.id)).toMatchObject({ status: "completed", output: 106, input: { n: 1, mult: 3 } });

    expect(executed).toEqual({ a: 1, b: 3, c: 3 });
    expect((await store.read(changed.id))[0]).toMatchObject({ options: { forkedFrom: origin.id, forkStep: "b#0" } });
    expect(await store.read(origin.id)).toEqual(originJournal);
  });

  it("refuses an unknown step or run with an input error", async () => {
    const { engine, store, settle } = harness(kind, [wf]);
    const origin = await engine.start(wf, { n: 1, mult: 2 });
    await settle(origin.id);
    await expect(forkRun(store, origin.id, { fromStep: "nope" })).rejects.toMatchObject({ code: "fork_step_not_found" });
    await expect(forkRun(store, "r_missing", { fromStep: "b" })).rejects.toMatchObject({ code: "run_not_found" });
  });
});

describe("duro runs fork", () => {
  afterAll(removeTempDirs);

  it("forks a finished run from step c with a new input; resume re-executes only c, d and e", async () => {
    const dir = freshDir("duro-fork-");
    const effects = join(dir, "effects.jsonl");
    const opts = { cwd: dir, env: { DURO_TEST_EFFECTS: effects } };
    const db = sqliteUrl(join(dir, "duro.db"));
    const origin = await duroJson<{ id: string; output: number }>(
      ["run", fixture("five.ts"), "--input", '{"n":1}', "--db", db, "--json"],
      opts,
    );
    expect(origin.output).toBe(6);

    const fork = await duroJson<{ id: string; status: string }>(
      ["runs", "fork", origin.id, "--from-step", "c#0", "--input", '{"n":100}', "--db", db, "--json"],
      opts,
    );
    expect(fork.status).toBe("queued");
    const resumed = await duro(["resume", fork.id, fixture("five.ts"), "--db", db, "--json"], opts);
    expect(resumed.code, resumed.stderr).toBe(0);
    // a and b are replayed from the origin's journal (1 → 2 → 3), c, d and e run again: 3 + 3.
    expect(JSON.parse(resumed.stdout)).toMatchObject({ id: fork.id, status: "completed", output: 6 });
    expect(readEffects(effects).map((e) => e.key)).toEqual(["a#0", "b#0", "c#0", "d#0", "e#0", "c#0", "d#0", "e#0"]);

    const bad = await duro(["runs", "fork", origin.id, "--db", db], opts);
    expect(bad.code).toBe(2);
  });

  it("a fork given the new code's file records its version, and only that code executes it", async () => {
    const dir = freshDir("duro-fork-");
    const opts = { cwd: dir };
    const db = sqliteUrl(join(dir, "duro.db"));
    const [v1, v2] = [fixture("versions/v1.ts"), fixture("versions/v2.ts")];
    const origin = await duro(["run", v1, "--input", '{"n":7,"express":false}', "--id", "origin", "--db", db], opts);
    expect(origin.code, origin.stderr).toBe(3);

    const fork = await duroJson<{ id: string; version: string }>(["runs", "fork", "origin", v2, "--from-step", "quote", "--db", db], opts);
    expect(fork.version).toBe("v2");
    const onOld = await duro(["resume", fork.id, v1, "--db", db], opts);
    expect(onOld.code).toBe(2);
    expect(onOld.stderr).toContain("version_mismatch");

    await duro(["signal", "ship:7", "--db", db], opts);
    const done = await duroJson<{ status: string; output: { code: string } }>(["resume", fork.id, v2, "--db", db], opts);
    expect(done).toMatchObject({ status: "completed", version: "v2", output: { code: "v2" } });
  });
});
