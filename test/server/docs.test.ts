// docs/api.md's shell examples, run as written (in order, in one bash, against the real `duro serve`), on a free port.
import { afterEach, expect, it } from "vitest";
import { removeTempDirs } from "../support/cli.js";
import { runShellBlocks, shellBlocks } from "../support/doc-blocks.js";

afterEach(() => removeTempDirs());

it("the curl examples in docs/api.md work as written", async () => {
  const blocks = shellBlocks("api.md");
  expect(blocks.length).toBeGreaterThan(8);
  const result = await runShellBlocks(blocks);

  expect(result.code, result.out).toBe(0);
  expect(result.out).toContain('"action":"approve"');
  expect(result.out).toContain('event: end\ndata: "completed"');
  expect(result.out).toContain('"code":"invalid_body"');
  expect(result.out).toContain('"status":"cancelled"');
  expect(result.out).toMatch(/duro_runs\{status="completed"\} 2/);
  expect(result.out).toContain("/v1/runs/{id}/stream");
}, 90_000);
