// A worker keeps its row in the live workers registry: announced with every version it holds when it starts, removed
// when it stops cleanly, and an announcement that fails is reported without stopping the worker.
import { createEngine, DuroError, MemoryStore, type WorkflowContext, workflow } from "duro";
import { describe, expect, it, vi } from "vitest";
import type { WorkerInfo } from "../../src/store/index.js";

const v1 = workflow("order", { version: "v1" }, async (ctx: WorkflowContext) => ctx.step("a", () => 1));
const v2 = workflow("order", { version: "v2" }, async (ctx: WorkflowContext) => ctx.step("a", () => 2));
const mail = workflow("mail", async (ctx: WorkflowContext) => ctx.step("send", () => "sent"));

describe("the live workers registry, from a worker", () => {
  it("a running worker is listed with every version it holds, and a clean stop removes it", async () => {
    const store = new MemoryStore();
    const engine = createEngine({ store, workflows: [v1, v2, mail] });
    const worker = engine.runWorker({ concurrency: 4, announceMs: 60_000 });
    await vi.waitFor(async () => expect(await store.listWorkers()).toHaveLength(1));

    const [listed] = await store.listWorkers();
    expect(listed).toMatchObject({
      id: engine.workerId,
      pid: process.pid,
      workflows: { order: ["v1", "v2"], mail: [mail.version] },
      pinned: true,
      anyVersion: ["mail"],
      concurrency: 4,
      active: 0,
    });
    expect((listed?.expiresAt ?? 0) - (listed?.seenAt ?? 0)).toBe(60_000);

    await worker.stop();
    expect(await store.listWorkers({ includeExpired: true })).toEqual([]);
    await engine.close();
  });

  it("a worker without version pinning announces that it claims any version", async () => {
    const store = new MemoryStore();
    const engine = createEngine({ store, workflows: [v2], versionPinning: false });
    const worker = engine.runWorker();
    await vi.waitFor(async () => expect(await store.listWorkers()).toHaveLength(1));

    expect((await store.listWorkers())[0]).toMatchObject({ workflows: { order: ["v2"] }, pinned: false, anyVersion: [] });
    await worker.stop();
    await engine.close();
  });

  it("an announcement that fails is reported, and the worker goes on executing runs", async () => {
    class FailingAnnouncements extends MemoryStore {
      override async announceWorker(_info: WorkerInfo, _ttlMs: number): Promise<void> {
        throw new DuroError("storage_unavailable", "the workers table is not writable", { category: "storage" });
      }
    }
    const store = new FailingAnnouncements();
    const errors: unknown[] = [];
    const engine = createEngine({ store, workflows: [v1] });
    const { id } = await engine.start(v1, {});

    await engine.runWorker({ untilIdle: true, onError: (error) => errors.push(error) }).done;

    expect(await engine.get(id)).toMatchObject({ status: "completed", output: 1 });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: "worker_announce_failed", message: expect.stringContaining("goes on claiming runs") });
    await engine.close();
  });
});
