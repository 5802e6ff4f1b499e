// Retention: a worker's automatic policy on every store, archives written before deleting (and read back), and
// what a failed archive write leaves behind.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { NonRetryableError, workflow } from "duro";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { applyRetention, paceBatches, parseRetentionSpec, pruneBatch, readArchive } from "../../src/engine/index.js";
import { RetentionLoop } from "../../src/engine/retention.js";
import { type ChainRow, type Store, verifyChain } from "../../src/store/index.js";
import { freshDir, removeTempDirs } from "../support/cli.js";
import { harness, STORES } from "../support/engine.js";
import { until } from "../support/poll.js";

afterAll(removeTempDirs);

/** Its one step's result is long enough to be kept as an artifact (artifactThreshold 10 below). */
const report = workflow("report", async (ctx, input: { n: number }) => {
  const text = await ctx.step("render", async () => `report number ${input.n} `.repeat(4));
  return text.length;
});
const failing = workflow("failing", async (ctx) => {
  await ctx.step("boom", async () => {
    throw new NonRetryableError("declined");
  });
});
const waiter = workflow("waiter", async (ctx) => ctx.waitForEvent("go", { key: "go" }));

async function resultRef(store: Store, runId: string): Promise<string> {
  const events = await store.read(runId);
  const done = events.find((e) => e.type === "step_completed");
  if (done?.type !== "step_completed" || done.resultRef === undefined) throw new Error(`run ${runId} kept no artifact`);
  return done.resultRef;
}

describe.each(STORES)("retention on %s", (kind) => {
  it("a worker with a short retention prunes old ended runs and their artifacts, and keeps unfinished and recent ones", async () => {
    const h = harness(kind, [report, failing, waiter], {
      artifactThreshold: 10,
      retention: { completed: "1h", artifactGrace: "10m", every: 20, batchSize: 1 },
    });
    const old1 = (await h.engine.start(report, { n: 1 })).id;
    const old2 = (await h.engine.start(report, { n: 2 })).id;
    const oldFailed = (await h.engine.start(failing, {})).id;
    const waiting = (await h.engine.start(waiter, {})).id;
    for (const id of [old1, old2, oldFailed, waiting]) await h.settle(id);
    const oldRefs = [await resultRef(h.store, old1), await resultRef(h.store, old2)];
    h.clock.advance(2 * 3_600_000);
    const recent = (await h.engine.start(report, { n: 3 })).id;
    await h.settle(recent);
    const recentRef = await resultRef(h.store, recent);

    const worker = h.engine.runWorker({ pollMs: 10 });
    await until(
      async () => [await h.store.getRun(old2), await h.store.getArtifact(oldRefs[1] as string)],
      ([run, artifact]) => run === undefined && artifact === undefined,
      "the old run and its artifact to be pruned",
      { timeoutMs: 10_000, everyMs: 20 },
    );
    await worker.stop();

    expect(await h.store.getRun(old1)).toBeUndefined();
    expect(await h.store.read(old1)).toEqual([]);
    expect(await h.store.getArtifact(oldRefs[0] as string)).toBeUndefined();
    expect((await h.store.getRun(oldFailed))?.status).toBe("failed");
    expect((await h.store.getRun(waiting))?.status).toBe("waiting");
    expect((await h.store.getRun(recent))?.status).toBe("completed");
    expect(await h.store.getArtifact(recentRef)).toBeDefined();
    expect((await h.engine.get(recent)).output).toBe(`report number 3 `.repeat(4).length);
    await h.engine.close();
  });
});

describe.each(STORES)("event retention on %s", (kind) => {
  it("events=<age> deletes old events nobody consumed and keeps recent ones and one a waiting run is about to take", async () => {
    const h = harness(kind, [waiter]);
    await h.engine.signal("nobody-listens", { n: 1 });
    await h.engine.signal("nobody-listens", { n: 2 });
    const waiting = (await h.engine.start(waiter, {})).id;
    await h.settle(waiting);
    await h.engine.signal("go", "now");
    h.clock.advance(2 * 3_600_000);
    await h.engine.signal("nobody-listens", { n: 3 });

    const report = await applyRetention(h.store, { events: "1h", batchSize: 1 }, h.clock.now());

    expect(report.events).toBe(2);
    expect((await h.store.listInbox()).map((m) => [m.eventKey, m.payload])).toEqual([
      ["go", "now"],
      ["nobody-listens", { n: 3 }],
    ]);
    expect((await h.settle(waiting)).output).toBe("now");
    await h.engine.close();
  });
});

describe("a worker that runs until idle", () => {
  it("applies the policy once on its way out, even when it is done before the first pass was due", async () => {
    const h = harness("memory", [report]);
    const old = (await h.engine.start(report, { n: 1 })).id;
    await h.settle(old);
    h.clock.advance(2 * 3_600_000);
    const passes: number[] = [];
    const loop = new RetentionLoop(
      h.store,
      { completed: "1h", every: "1h" },
      { owner: "w1", clock: () => h.clock.now(), onPass: (r) => passes.push(r.pruned.completed) },
    );
    // At once, before the loop's first timer fires: what a worker with nothing to do does.
    await loop.finish();
    expect(passes).toEqual([1]);
    expect(await h.store.getRun(old)).toBeUndefined();
    await loop.finish();
    expect(passes).toEqual([1]);
  });
});

describe("archives", () => {
  it("an archived batch holds each run's record and journal with its chain, and only archived runs are deleted", async () => {
    const h = harness("sqlite", [report]);
    const ids: string[] = [];
    for (const n of [1, 2, 3]) ids.push((await h.engine.start(report, { n })).id);
    for (const id of ids) await h.settle(id);
    const chains = new Map<string, ChainRow[]>();
    for (const id of ids) chains.set(id, await h.store.journalChain(id));
    const dir = join(freshDir("duro-archive-"), "archive");
    h.clock.advance(1_000);

    const first = await pruneBatch(h.store, { status: "completed", before: h.clock.now(), limit: 2, archive: dir });
    const second = await pruneBatch(h.store, { status: "completed", before: h.clock.now(), limit: 2, archive: dir });
    const third = await pruneBatch(h.store, { status: "completed", before: h.clock.now(), limit: 2, archive: dir });

    expect([first.pruned, second.pruned, third]).toEqual([ids.slice(0, 2), ids.slice(2), { pruned: [] }]);
    const archived = await readArchive(first.archive as string);
    expect(archived.header).toMatchObject({ format: "duro-archive/1", runs: 2 });
    expect(archived.runs.map((r) => r.run.id)).toEqual(ids.slice(0, 2));
    for (const { run, journal } of archived.runs) {
      expect(run).toMatchObject({ status: "completed", workflow: "report" });
      expect(journal).toEqual(chains.get(run.id));
      expect(verifyChain(journal)).toMatchObject({ ok: true, events: journal.length });
    }
    expect((await readArchive(second.archive as string)).runs.map((r) => r.run.id)).toEqual([ids[2]]);
    await h.engine.close();
  });

  it("a failed archive write deletes nothing and says how to fix it", async () => {
    const h = harness("sqlite", [report]);
    const id = (await h.engine.start(report, { n: 1 })).id;
    await h.settle(id);
    const notADir = join(freshDir("duro-archive-"), "file");
    writeFileSync(notADir, "in the way");
    h.clock.advance(1_000);

    const error = await pruneBatch(h.store, { status: "completed", before: h.clock.now(), limit: 10, archive: notADir }).catch(
      (e: unknown) => e,
    );

    expect(error).toMatchObject({ code: "archive_failed", category: "storage" });
    expect((error as Error).message).toContain("nothing was pruned");
    expect((await h.store.getRun(id))?.status).toBe("completed");
    await h.engine.close();
  });
});

// A pruner that takes the write lock again at once starved a worker in another process (bench:scale): batches rest.
describe("batch pacing", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("rests after each full batch as long as the batch took, and stops at a short batch or at maxBatches", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "performance"] });
    const started: number[] = [];
    const sizes = [10, 10, 10, 4];
    const total = paceBatches(
      async () => {
        started.push(performance.now());
        vi.advanceTimersByTime(40); // the batch holds the database for 40 ms
        return sizes[started.length - 1] as number;
      },
      { limit: 10 },
    );
    await vi.advanceTimersByTimeAsync(39);
    expect(started).toEqual([0]); // still resting: the next batch waits the 40 ms the first one took
    await vi.advanceTimersByTimeAsync(1);
    expect(started).toEqual([0, 80]);
    await vi.advanceTimersByTimeAsync(200);

    expect(await total).toBe(34);
    expect(started).toEqual([0, 80, 160, 240]); // no rest after the short batch, which ends it
    expect(await paceBatches(async () => 10, { limit: 10, maxBatches: 1 })).toBe(10);
  });
});

describe("policy", () => {
  it("--retention parses status=age pairs and refuses anything else with a fix", () => {
    expect(parseRetentionSpec("completed=30d, failed=90d")).toEqual({ completed: "30d", failed: "90d" });
    expect(parseRetentionSpec("events=7d")).toEqual({ events: "7d" });
    for (const bad of ["running=1d", "completed", "completed=", "completed=soon"]) {
      expect(() => parseRetentionSpec(bad)).toThrow(
        expect.objectContaining({ code: bad.endsWith("soon") ? "invalid_duration" : "invalid_retention" }),
      );
    }
    expect(() => parseRetentionSpec("running=1d")).toThrow(/write e\.g\. completed=30d,failed=90d,events=7d/);
  });

  it("an engine refuses a bad policy when it is created, not at its first pass", () => {
    expect(() => harness("memory", [report], { retention: { completed: "soon" } })).toThrow(
      expect.objectContaining({ code: "invalid_duration" }),
    );
    expect(() => harness("memory", [report], { retention: { completed: "1d", batchSize: 0 } })).toThrow(
      /batchSize must be a positive integer/,
    );
  });
});
