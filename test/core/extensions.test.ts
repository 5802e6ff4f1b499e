// Context extensions come from the engine's options: each engine applies its own list to the contexts it builds.
import { type ContextExtension, createEngine, MemoryStore, workflow } from "duro";
import { describe, expect, it } from "vitest";
import { Engine } from "../../src/engine/index.js";

const members = workflow("members", async (ctx) => ({
  llm: typeof ctx.llm,
  agent: typeof ctx.agent,
  tagged: (ctx as unknown as { tags?: string[] }).tags ?? [],
}));

const tag =
  (name: string): ContextExtension =>
  (ctx) => {
    const tagged = ctx as unknown as { tags?: string[] };
    tagged.tags = [...(tagged.tags ?? []), name];
  };

async function outputOf(engine: Engine): Promise<unknown> {
  const { id } = await engine.start(members, undefined);
  await engine.runUntilSettled(id);
  const { output } = await engine.get(id);
  await engine.close();
  return output;
}

describe("context extensions", () => {
  it("an engine applies its own extensions, in order, and no other engine's", async () => {
    const tagged = createEngine({ store: new MemoryStore(), workflows: [members], extensions: [tag("a"), tag("b")] });
    const plain = createEngine({ store: new MemoryStore(), workflows: [members] });

    expect(await outputOf(tagged)).toEqual({ llm: "function", agent: "function", tagged: ["a", "b"] });
    expect(await outputOf(plain)).toEqual({ llm: "function", agent: "function", tagged: [] });
  });

  it("createEngine adds the agent toolkit by default; an Engine built directly has only the extensions it is given", async () => {
    const bare = new Engine({ store: new MemoryStore(), workflows: [members] });

    expect(await outputOf(bare)).toEqual({ llm: "undefined", agent: "undefined", tagged: [] });
  });
});
