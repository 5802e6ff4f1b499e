// docs/client.md's shell example, run as written against the real `duro serve`: examples/client.ts starts, follows,
// approves and waits for an expense through duro/client.
import { afterEach, expect, it } from "vitest";
import { removeTempDirs } from "../support/cli.js";
import { runShellBlocks, shellBlocks } from "../support/doc-blocks.js";

afterEach(() => removeTempDirs());

it("the example in docs/client.md works as written", async () => {
  const result = await runShellBlocks(shellBlocks("client.md"));
  expect(result.code, result.out).toBe(0);
  expect(result.out).toMatch(/started r_\w+/);
  expect(result.out).toMatch(/paid 120 EUR, transfer tr-[0-9a-f]{12}/);
}, 90_000);
