// ctx.artifact: a user's artifact is stored once as a step (a replay after a wait returns the journaled reference and
// stores nothing), named and tagged in the store, on every backend.
import { describe, expect, it } from "vitest";
import { workflow } from "../../src/index.js";
import { harness } from "../support/engine.js";

describe.each(["memory", "sqlite", "postgres"] as const)("ctx.artifact on %s", (kind) => {
  it("stores the content once as a step, findable by tag and name, and a replay stores nothing again", async () => {
    let puts = 0;
    const wf = workflow("notes", async (ctx) => {
      const notes = await ctx.artifact("notes", "first notes", { name: "notes.txt", tags: ["notes"] });
      await ctx.waitForEvent("go", { key: `go-${ctx.runId}` });
      return notes;
    });
    const { engine, store, settle } = harness(kind, [wf]);
    const put = store.putArtifact.bind(store);
    store.putArtifact = (bytes, options) => {
      puts++;
      return put(bytes, options);
    };
    const { id } = await engine.start(wf, {});
    expect((await settle(id)).status).toBe("waiting");
    await engine.signal(`go-${id}`, {});
    const run = await settle(id);

    expect(run.status).toBe("completed");
    expect(run.output).toMatchObject({ size: 11, name: "notes.txt", tags: ["notes"] });
    expect(puts).toBe(1);
    const [listed] = await store.listArtifacts({ tag: "notes" });
    expect(listed).toMatchObject({ name: "notes.txt", runs: [id], size: 11 });
    expect(new TextDecoder().decode(await store.getArtifact(listed?.sha256 as string))).toBe("first notes");
    expect((await engine.events(id)).filter((e) => e.type === "step_completed").map((e) => (e as { key: string }).key)).toEqual([
      "notes#0",
    ]);
  });
});
