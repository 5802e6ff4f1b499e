// versionCoverage: which live workers would claim each version's unfinished runs, and when nobody will.
import { describe, expect, it } from "vitest";
import { coverageProblem, versionCoverage } from "../../src/engine/index.js";
import type { WorkerInfo } from "../../src/store/index.js";

function worker(id: string, workflows: Record<string, string[]>, extra: Partial<WorkerInfo> = {}): WorkerInfo {
  return { id, host: "h", pid: 1, startedAt: 0, workflows, pinned: true, anyVersion: [], concurrency: 16, active: 0, ...extra };
}

describe("versionCoverage", () => {
  it("runs of a version no live worker holds are stranded when live workers pin the workflow to other versions", () => {
    const [c] = versionCoverage([{ workflow: "order", version: "v1", count: 4 }], [worker("w2", { order: ["v2"] })]);
    expect(c).toMatchObject({ version: "v1", unfinished: 4, workers: 0, anyVersionWorkers: 0, state: "stranded", heldElsewhere: ["v2"] });
    expect(coverageProblem(c as NonNullable<typeof c>)).toMatch(/stranded: live workers run order pinned to version "v2" only/);
  });

  it("a worker that claims the workflow in any version covers every version of it", () => {
    const unfinished = [{ workflow: "order", version: "v1", count: 1 }];
    const unpinned = versionCoverage(unfinished, [worker("w", { order: ["v2"] }, { pinned: false })]);
    const hashVersioned = versionCoverage(unfinished, [worker("w", { order: ["v2"] }, { anyVersion: ["order"] })]);
    for (const [c] of [unpinned, hashVersioned]) {
      expect(c).toMatchObject({ version: "v1", workers: 0, anyVersionWorkers: 1, state: "covered" });
    }
  });

  it("counts the workers holding each version, lists held versions without runs as idle, and flags workflows nobody runs", () => {
    const coverage = versionCoverage(
      [
        { workflow: "order", version: "v1", count: 2 },
        { workflow: "mail", version: "m1", count: 1 },
      ],
      [worker("a", { order: ["v1", "v2"] }), worker("b", { order: ["v1"] })],
    );
    expect(coverage.map((c) => [c.workflow, c.version, c.workers, c.state])).toEqual([
      ["mail", "m1", 0, "unserved"],
      ["order", "v1", 2, "covered"],
      ["order", "v2", 1, "idle"],
    ]);
    expect(coverage.map(coverageProblem).filter(Boolean)).toEqual([
      expect.stringMatching(/^1 unfinished run of mail version "m1" waits for a worker: no live worker runs mail at all/),
    ]);
  });
});
