// Every parallel shape a workflow can take (Promise.all and Promise.race over children, waits of each kind, steps,
// and mixes of them) with 1, 2, 20 and 200 branches, on every store: the run completes with the output a plain
// interpretation gives, and a replay after the branches settled (forced by a final wait) agrees with the journal.
// The store creates children in reverse call order, as a busy PostgreSQL pool can do.
import { type WorkflowContext, type WorkflowDefinition, workflow } from "duro";
import { describe, expect, it } from "vitest";
import { type Harness, harness, STORES } from "../support/engine.js";

type Kind = "child" | "step" | "event" | "approval" | "ask" | "sleep";
const SHAPES: Record<string, { kinds: Kind[]; race?: boolean }> = {
  "children (all)": { kinds: ["child"] },
  "children (race)": { kinds: ["child"], race: true },
  "waits (all)": { kinds: ["event", "approval", "ask", "sleep"] },
  "steps (all)": { kinds: ["step"] },
  "mix (all)": { kinds: ["child", "step", "event", "approval", "ask", "sleep"] },
  "mix (race)": { kinds: ["step", "child", "event"], race: true },
};
const BRANCHES = [1, 2, 20, 200];

const leaf = workflow("shape-leaf", { version: "1" }, async (ctx, input: { n: number }) => {
  const a = await ctx.step("a", () => input.n);
  return a + (await ctx.step("b", () => 0));
});

function branch(ctx: WorkflowContext, kind: Kind, i: number): Promise<number> {
  switch (kind) {
    case "child":
      return ctx.child(`c${i}`, leaf, { n: i });
    case "step":
      return ctx.step(`s${i}`, () => i);
    case "event":
      return ctx.waitForEvent<{ n: number }>(`e${i}`, { key: `shape:${ctx.runId}:${i}` }).then((p) => p.n);
    case "approval":
      return ctx.approval(`g${i}`).then((d) => (d.action === "approve" ? i : -1));
    case "ask":
      return ctx.ask(`q${i}`, { prompt: "n?" }).then(Number);
    case "sleep":
      return ctx.sleep(`z${i}`, "1m").then(() => i);
  }
}

function shapeWorkflow(kinds: Kind[], race: boolean): WorkflowDefinition<{ n: number }, unknown> {
  return workflow("shape", { version: "1" }, async (ctx, input: { n: number }) => {
    const calls = Array.from({ length: input.n }, (_, i) => branch(ctx, kinds[i % kinds.length] as Kind, i));
    const result = race ? await Promise.race(calls) : (await Promise.all(calls)).reduce((a, b) => a + b, 0);
    const stamp = ctx.now().getTime();
    await ctx.waitForEvent("end", { key: `shape-end:${ctx.runId}` });
    return { result, stamped: stamp > 0 };
  });
}

function reverseCreates(store: Harness["store"]): void {
  const createRun = store.createRun.bind(store);
  let calls = 0;
  store.createRun = async (run) => {
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, 20 - calls++)));
    return createRun(run);
  };
}

/** Answers every open wait of the run (events, approvals, questions) and lets every timer fire. */
async function drive({ engine, clock, settle }: Harness, id: string, n: number, kinds: Kind[]): Promise<void> {
  for (let i = 0; i < n; i++) {
    const kind = kinds[i % kinds.length];
    if (kind === "event") await engine.signal(`shape:${id}:${i}`, { n: i });
    if (kind === "approval") await engine.approve(id, `g${i}`, { action: "approve" });
    if (kind === "ask") await engine.answer(id, `q${i}`, String(i));
  }
  clock.advance(60_000);
  await settle(id);
}

describe.each(STORES)("%s store", (kind) => {
  for (const [name, { kinds, race }] of Object.entries(SHAPES)) {
    it.each(BRANCHES)(`${name} with %i branches completes and replays`, { timeout: 60_000 }, async (n) => {
      const shape = shapeWorkflow(kinds, race === true);
      const h = harness(kind, [shape, leaf]);
      reverseCreates(h.store);
      const { id } = await h.engine.start(shape, { n });
      await h.settle(id);
      // Some events arrive before their waits are journaled in a race, after them in "all": both must be consumed once.
      if (!race || kinds.some((k) => k !== "step" && k !== "child")) await drive(h, id, n, kinds);
      const beforeEnd = await h.engine.get(id);
      expect(beforeEnd.error).toBeUndefined();
      expect(beforeEnd.status).toBe("waiting");
      await h.engine.signal(`shape-end:${id}`, null);
      const run = await h.settle(id);
      expect(run.error).toBeUndefined();
      expect(run.status).toBe("completed");
      const expected = race ? expect.any(Number) : (n * (n - 1)) / 2;
      expect(run.output).toEqual({ result: expected, stamped: true });
    });
  }
});
