import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { buildPack, openPack } from "../../src/pack/index.js";
import { REPO_ROOT, removeTempDirs } from "../support/cli.js";
import { fixtureWasm, writeFiles } from "../support/packs.js";

afterAll(removeTempDirs);

const run = promisify(execFile);

const step = () => ({ idempotencyKey: "r:call#0", attempt: 1, signal: new AbortController().signal, emit: () => {} });

describe("openPack", () => {
  it("gives each wasm component only the capabilities its manifest entry grants", async () => {
    const clock = await fixtureWasm("clock");
    const dir = writeFiles({
      "pack.yaml": `id: test.caps
version: 1.0.0
components:
  timed: { kind: wasm, path: clock.wasm, capabilities: [clock] }
  untimed: { kind: wasm, path: clock.wasm }
capabilities: [clock]
`,
      "clock.wasm": clock,
    });
    buildPack(dir);
    const pack = await openPack(dir, { signing: "dev" });
    await expect(pack.components.timed?.(null, step())).resolves.toEqual({ clock: true });
    await expect(pack.components.untimed?.(null, step())).rejects.toMatchObject({
      code: "capability_denied",
      details: { component: "untimed" },
    });
  });

  it("reports flows, components and entry flows the pack does not hold, with their paths", async () => {
    const dir = writeFiles({
      "pack.yaml": `id: test.refs
version: 1.0.0
entryFlows: [nowhere]
flows: [flows/a.yaml, flows/missing.yaml]
components:
  ghost: { kind: js, path: components/ghost.js }
`,
      "flows/a.yaml": "id: a\n",
    });
    await expect(Promise.resolve().then(() => buildPack(dir))).rejects.toMatchObject({
      code: "pack_invalid",
      details: {
        problems: [
          { path: "flows[1]", message: expect.stringContaining("flows/missing.yaml") },
          { path: "components.ghost.path", message: expect.stringContaining("components/ghost.js") },
        ],
      },
    });
  });

  it("refuses an entry flow that is not in the pack", async () => {
    const dir = writeFiles({
      "pack.yaml": "id: test.entry\nversion: 1.0.0\nentryFlows: [b]\nflows: [flows/a.yaml]\n",
      "flows/a.yaml": "id: a\n",
    });
    buildPack(dir);
    await expect(openPack(dir, { signing: "dev" })).rejects.toMatchObject({
      code: "pack_invalid",
      details: { problems: [{ path: "entryFlows[0]", message: expect.stringContaining('"b"') }] },
    });
  });

  it("loads TypeScript and JavaScript components as ES modules in plain Node (built code in dist/)", async () => {
    const dir = writeFiles({
      "pack.yaml":
        "id: test.ts\nversion: 1.0.0\ncomponents:\n  double: { kind: js, path: double.ts }\n  triple: { kind: js, path: triple.js }\n",
      "double.ts": "export default async (input: { n: number }): Promise<{ n: number }> => ({ n: input.n * 2 });\n",
      "triple.js": "export default async (input) => ({ n: input.n * 3 });\n",
    });
    buildPack(dir);
    const script = `
      const { openPack } = await import(${JSON.stringify(join(REPO_ROOT, "dist", "pack", "index.js"))});
      const pack = await openPack(${JSON.stringify(dir)}, { signing: "dev" });
      const step = { idempotencyKey: "k", attempt: 1, signal: new AbortController().signal, emit: () => {} };
      console.log(JSON.stringify([await pack.components.double({ n: 21 }, step), await pack.components.triple({ n: 2 }, step)]));`;
    const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script], { timeout: 60_000 });
    expect(JSON.parse(stdout)).toEqual([{ n: 42 }, { n: 6 }]);
  }, 90_000);

  it("refuses a js component without the named export, before the pack is returned", async () => {
    const dir = writeFiles({
      "pack.yaml": "id: test.js\nversion: 1.0.0\ncomponents:\n  c: { kind: js, path: c.js, export: run }\n",
      "c.js": "export const walk = async () => 1;\n",
    });
    buildPack(dir);
    await expect(openPack(dir, { signing: "dev" })).rejects.toMatchObject({ code: "component_load_failed" });
  });
});
