// docs/mcp.md's shell examples, run as written: examples/mcp.ts drives an expense through approval over stdio (its
// own `duro mcp`) and over streamable HTTP (a real `duro serve` and an API key), then curl calls a tool.
import { afterEach, expect, it } from "vitest";
import { removeTempDirs } from "../support/cli.js";
import { runShellBlocks, shellBlocks } from "../support/doc-blocks.js";

afterEach(() => removeTempDirs());

it("the examples in docs/mcp.md work as written", async () => {
  const blocks = shellBlocks("mcp.md");
  expect(blocks).toHaveLength(3);
  const result = await runShellBlocks(blocks);

  expect(result.code, result.out).toBe(0);
  expect(result.out.match(/completed: paid true, transfer tr-[0-9a-f]{12}/g), result.out).toHaveLength(2);
  expect(result.out).toMatch(/"result":\{"content":\[\{"type":"text"/);
  expect(result.out).toContain('\\"status\\": \\"completed\\"');
}, 90_000);
