// An engine or worker takes over at once a run whose lease holder is a process of this machine that is provably gone
// (its pid is missing, or was reused by a process that started at another time), and never one whose holder is alive
// or runs on another machine. The leases are taken here with a made-up holder, as the dead process would have.
import { spawnSync } from "node:child_process";
import { type Engine, type LeaseNotice, type WorkflowContext, workflow } from "duro";
import { describe, expect, it } from "vitest";
import { thisProcess } from "../../src/engine/holder.js";
import type { LeaseHolder } from "../../src/store/index.js";
import { harness, type StoreKind } from "../support/engine.js";

const simple = workflow("simple", { version: "1" }, async (ctx: WorkflowContext) => ctx.step("a", () => "done"));
const LEASE_MS = 10_000;
const me = thisProcess();

/** A pid that existed a moment ago and whose process has exited. */
function exitedPid(): number {
  return spawnSync(process.execPath, ["-e", ""]).pid as number;
}

const HOLDERS: Record<string, () => LeaseHolder> = {
  "whose pid now belongs to a process started at another time": () => ({ ...me, startTime: `${Number(me.startTime) + 1}` }),
  "whose pid no longer exists": () => ({ ...me, pid: exitedPid() }),
};

/** Starts a run and leases it, as `holder` would, to a worker that is not `engine`. */
async function heldBy(engine: Engine, holder: LeaseHolder): Promise<string> {
  const { id } = await engine.start(simple, {});
  const lease = await engine.store.claimRun(id, "w_other", LEASE_MS, { holder });
  expect(lease).toBeDefined();
  return id;
}

describe.each<StoreKind>(["memory", "sqlite"])("taking over a dead holder's run (%s)", (kind) => {
  describe.runIf(me.hostId !== undefined).each(Object.keys(HOLDERS))("a holder on this machine %s", (name) => {
    const holder = HOLDERS[name] as () => LeaseHolder;

    it("is taken over by execute at once, and the engine says so", async () => {
      const { engine } = harness(kind, [simple]);
      const id = await heldBy(engine, holder());
      const notices: LeaseNotice[] = [];

      const outcome = await engine.execute(id, { onLease: (notice) => notices.push(notice) });

      expect(outcome?.status).toBe("completed");
      expect(notices).toMatchObject([{ action: "taken_over", state: "gone", sameHost: true, lease: { runId: id, workerId: "w_other" } }]);
    });

    it("is taken over by a worker that runs until idle", async () => {
      const { engine } = harness(kind, [simple]);
      const id = await heldBy(engine, holder());
      const notices: LeaseNotice[] = [];

      await engine.runWorker({ untilIdle: true, onLease: (notice) => notices.push(notice) }).done;

      expect((await engine.get(id)).status).toBe("completed");
      expect(notices.map((n) => [n.action, n.lease.runId])).toEqual([["taken_over", id]]);
    });
  });

  it("a run whose holder is alive on this machine stays with it; resuming says who holds it", async () => {
    const { engine, store } = harness(kind, [simple]);
    const id = await heldBy(engine, me);
    const notices: LeaseNotice[] = [];

    expect(await engine.execute(id, { onLease: (notice) => notices.push(notice) })).toBeUndefined();
    await engine.runWorker({ untilIdle: true, onLease: (notice) => notices.push(notice) }).done;

    expect(await store.getRun(id)).toMatchObject({ status: "running", leaseOwner: "w_other" });
    expect(notices.map((n) => [n.action, n.state, n.sameHost])).toEqual([
      ["waiting", "alive", true],
      ["left", "alive", true],
    ]);
  });

  it("a run held on another machine is never taken over, even if a process with its pid is gone here", async () => {
    const { engine, store } = harness(kind, [simple]);
    const id = await heldBy(engine, { ...me, host: "far", hostId: "far/boot/pid:[1]", pid: exitedPid() });
    const notices: LeaseNotice[] = [];

    await engine.runUntilSettled(id, { maxWaitMs: 0, onLease: (notice) => notices.push(notice) });

    expect(await store.getRun(id)).toMatchObject({ status: "running", leaseOwner: "w_other" });
    expect(notices.map((n) => [n.action, n.state, n.sameHost])).toEqual([["left", "unknown", false]]);
  });
});
