// The lifecycle of one invocation (src/engine/invocation.ts), driven directly through executeRun.
import { workflow } from "duro";
import { describe, expect, it } from "vitest";
import { executeRun } from "../../src/engine/executor.js";
import { MemoryStore } from "../../src/store/index.js";

describe("an invocation", () => {
  it("interrupted while it still reads its journal gives its lease back and ends interrupted", async () => {
    const wf = workflow("reads", async (ctx) => ctx.step("a", () => 1));
    const store = new MemoryStore();
    await store.createRun({ id: "r_reads", workflow: "reads", version: wf.version, input: null, tenant: "default", options: {} });
    const lease = await store.claimRun("r_reads", "w1", 30_000);
    if (!lease) throw new Error("no lease");
    const running = executeRun(
      {
        store,
        clock: Date.now,
        random: Math.random,
        uuid: () => "u",
        leaseMs: 30_000,
        inlineWaitMs: 1_000,
        artifactThreshold: 65_536,
        workflow: () => wf,
        runChildInline: async () => undefined,
        cancelRun: async () => undefined,
        secrets: { get: () => "" },
      },
      lease,
    );
    running.interrupt();
    await expect(running.outcome).resolves.toMatchObject({ runId: "r_reads", status: "interrupted" });
    expect((await store.getRun("r_reads"))?.status).toBe("queued");
  });
});
