// duro/load as user code calls it: files to workflow definitions, with warnings handed to the caller.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadWorkflowFile, pickWorkflow } from "../../src/load/index.js";
import { fixture, freshDir, removeTempDirs } from "../support/cli.js";

afterAll(removeTempDirs);

describe("loadWorkflowFile", () => {
  it("a flow's warnings go to onWarning, and its workflow is the default", async () => {
    const dir = freshDir("duro-load-");
    const file = join(dir, "unreachable.yaml");
    writeFileSync(file, "id: unreachable\nnodes:\n  a: { set: { x: 1 } }\n  b: { set: { y: 1 } }\n");
    const warnings: string[] = [];
    const loaded = await loadWorkflowFile(file, { onWarning: (warning) => warnings.push(warning) });
    expect(pickWorkflow(loaded, undefined).name).toBe("unreachable");
    expect(warnings).toEqual([
      `${file}:4:3 nodes.b: node "b" can never run: no next, switch case or onError leads to it [unreachable_node]`,
    ]);
  });

  it("a module's exported workflows are loaded through tsx", async () => {
    const loaded = await loadWorkflowFile(fixture("echo.ts"));
    expect(loaded.workflows.length).toBeGreaterThan(0);
    expect(loaded.file).toBe(fixture("echo.ts"));
  });
});
