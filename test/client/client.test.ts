// duro/client against a real `duro serve` process over a SQLite file: every call, the server's error codes, and
// events() resuming after a dropped connection.
import { join } from "node:path";
import { DuroError as EngineDuroError } from "duro";
import { createClient, type DuroClient, DuroError, type JournalEvent } from "duro/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expense, failing, longJournal, type payment, survey, validated } from "../server/workflows.js";
import { freshDir, removeTempDirs } from "../support/cli.js";
import { until } from "../support/poll.js";
import { createKeys, recordingFetch, type ServeProcess, serve } from "./support.js";

let server: ServeProcess;
let keys: { admin: string; operator: string; viewer: string };
let client: DuroClient;

beforeAll(async () => {
  const cwd = freshDir("duro-client-");
  const db = `sqlite:${join(cwd, "duro.db")}`;
  keys = await createKeys(db, cwd);
  server = await serve(db, cwd);
  client = createClient({ baseUrl: server.url, apiKey: keys.admin });
}, 60_000);

afterAll(async () => {
  await server?.stop();
  removeTempDirs();
});

/** Polls (this is the test, not the client) until the server's worker has the run waiting. */
const waiting = (runId: string) =>
  until(
    () => client.get(runId),
    (run) => run.status === "waiting",
    `run ${runId} to wait`,
  );

/** Rejection of `promise` as a DuroError (fails the test when it resolves). */
async function failure(promise: Promise<unknown>): Promise<DuroError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DuroError);
  return error as DuroError;
}

const streamsOf = <R extends { url: string }>(requests: R[]) => requests.filter((r) => r.url.endsWith("/stream"));

describe("duro/client against duro serve", () => {
  it("starts a run from the workflow's definition, approves it, and result() waits over one stream for the typed output", async () => {
    const recorded = recordingFetch();
    const watched = createClient({ baseUrl: server.url, apiKey: keys.admin, fetch: recorded.fetch });
    const started = await watched.start(expense, { amount: 120 }, { idempotencyKey: "claim-42" });
    expect(started).toMatchObject({ created: true, run: { workflow: "expense", input: { amount: 120 } } });
    await waiting(started.id);

    const before = recorded.requests.length;
    const result = started.result();
    const decided = await client.approve(started.id, "manager", { comment: "within budget", by: "ada@example.com" });
    expect(decided).toMatchObject({ runId: started.id, gate: "manager", by: "ada@example.com" });
    const output: { paid: boolean; amount: number; comment: string | null } = await result;
    expect(output).toEqual({ paid: true, amount: 120, comment: "within budget" });
    // Waiting is one read, one stream and the final read: no polling.
    const during = recorded.requests.slice(before).map((r) => new URL(r.url).pathname);
    expect(during).toEqual([`/v1/runs/${started.id}`, `/v1/runs/${started.id}/stream`, `/v1/runs/${started.id}`]);

    const again = await client.start(expense, { amount: 120 }, { idempotencyKey: "claim-42" });
    expect(again).toMatchObject({ id: started.id, created: false, run: { status: "completed" } });
    expect(await client.get(started.id)).toMatchObject({ status: "completed", output });
  });

  it("answer, signal, reject and cancel reach their runs", async () => {
    const asked = await client.start(survey, {});
    await waiting(asked.id);
    expect(await client.answer(asked.id, "colour", "blue", { by: "bob" })).toEqual({ runId: asked.id, gate: "colour", by: "bob" });
    expect(await asked.result()).toEqual({ colour: "blue" });

    // The workflow as a type only (as a browser would, without importing the engine): input checked, output typed.
    const paying = await client.start<typeof payment>("payment", { key: "order:client-1" });
    await waiting(paying.id);
    expect(await client.signal("order:client-1", { amount: 40 })).toMatchObject({ key: "order:client-1", wokeRunIds: [paying.id] });
    expect(await paying.result()).toEqual({ paid: { amount: 40 } });

    const rejected = await client.start(expense, { amount: 9_000 });
    await waiting(rejected.id);
    await client.reject(rejected.id, "manager", { comment: "too much" });
    expect(await rejected.result()).toEqual({ paid: false, amount: 9_000, comment: "too much" });

    const spare = await client.start(expense, { amount: 5 });
    // Waiting, so nobody holds it: a run a worker is executing is only asked to stop, and answers "running".
    await waiting(spare.id);
    const cancelled = await client.cancel(spare.id, { reason: "duplicate" });
    expect(cancelled.status).toBe("cancelled");
    const error = await failure(spare.result());
    expect(error).toMatchObject({ code: "cancelled", details: { runId: spare.id, reason: "duplicate" } });
  });

  it("start takes the run's id, queue and priority; list pages through runs with a cursor", async () => {
    const ids = [`order-${Date.now()}-a`, `order-${Date.now()}-b`, `order-${Date.now()}-c`];
    for (const id of ids) {
      const started = await client.start(validated, { sku: "pen", qty: 2 }, { id, queue: "bulk", priority: 3 });
      expect(started.id).toBe(id);
      expect(await started.result()).toEqual({ reserved: 2 });
    }
    const first = await client.listPage({ workflow: "validated", limit: 2 });
    expect(first.runs).toHaveLength(2);
    expect(first.nextCursor).toEqual(expect.any(String));

    const listed = [];
    for await (const run of client.list({ workflow: "validated", limit: 2 })) listed.push(run);
    expect(new Set(listed.map((r) => r.id)).size).toBe(listed.length);
    expect(listed.filter((r) => ids.includes(r.id))).toEqual(
      ids
        .map((id) => expect.objectContaining({ id, queue: "bulk", priority: 3, status: "completed", createdAt: expect.any(String) }))
        .reverse(),
    );
  });

  it("list sorts by updated and bounds the creation time on the server, paging in that order", async () => {
    const sorted = [];
    for await (const run of client.list({ workflow: "validated", since: "1h", sort: "updated", limit: 1 })) sorted.push(run);
    const times = sorted.map((r) => Date.parse(r.updatedAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect((await client.listPage({ workflow: "validated", until: "2000-01-01" })).runs).toEqual([]);
    await expect(client.listPage({ since: "yesterday" })).rejects.toMatchObject({ code: "invalid_time" });
  });

  it("errors are DuroErrors with the server's codes and details", async () => {
    expect(DuroError).toBe(EngineDuroError);
    expect(await failure(client.get("r_missing"))).toMatchObject({ code: "run_not_found", details: { status: 404, runId: "r_missing" } });
    expect(await failure(client.start("no-such-workflow", {}))).toMatchObject({
      code: "workflow_not_found",
      category: "input",
      details: { path: "body.workflow" },
    });
    expect(await failure(client.start("validated", { sku: 1 }))).toMatchObject({ code: "input_invalid", details: { path: "body.input" } });
    expect(await failure(client.start(validated, { sku: "x", qty: 1 }, { priority: 1.5 }))).toMatchObject({
      code: "invalid_body",
      details: { path: "body.priority" },
    });
    expect(await failure(client.start(validated, { sku: "x", qty: 1 }, { id: "not a run id!" }))).toMatchObject({
      code: "invalid_run_id",
      details: { path: "body.id" },
    });
    const viewer = createClient({ baseUrl: server.url, apiKey: keys.viewer });
    expect(await failure(viewer.start(expense, { amount: 1 }))).toMatchObject({ code: "forbidden", category: "auth" });
    const stranger = createClient({ baseUrl: server.url, apiKey: "duro_not-a-key" });
    expect(await failure(stranger.get("r_any"))).toMatchObject({ code: "unauthorized", details: { status: 401 } });

    const done = await client.start(validated, { sku: "a", qty: 1 });
    await done.result();
    expect((await failure(client.approve(done.id, "manager"))).details.status).toBe(409);

    const down = createClient({ baseUrl: "http://127.0.0.1:9" });
    const unreachable = await failure(down.get("r_any"));
    expect(unreachable).toMatchObject({ code: "server_unreachable", retryable: true });
    expect(unreachable.message).toContain("http://127.0.0.1:9/v1/runs/r_any");
  });

  it("result() rejects with run_failed carrying the run's error, with result_timeout, and with the caller's abort reason", async () => {
    const failed = await client.start(failing, {});
    const error = await failure(failed.result());
    expect(error).toMatchObject({ code: "run_failed", details: { runId: failed.id, error: { code: "step_failed" } } });
    expect((error.cause as DuroError).code).toBe("step_failed");
    expect(error.message).toContain("card declined");

    const pending = await client.start(expense, { amount: 1 });
    await waiting(pending.id);
    expect(await failure(pending.result({ timeoutMs: 200 }))).toMatchObject({ code: "result_timeout", details: { timeoutMs: 200 } });
    const abort = new AbortController();
    const aborted = pending.result({ signal: abort.signal });
    abort.abort(new Error("caller gave up"));
    await expect(aborted).rejects.toThrow("caller gave up");
    await client.cancel(pending.id);
  });

  it("events() resumes after dropped connections with Last-Event-ID: every event once, in order", async () => {
    const run = await client.start(longJournal, {});
    await waiting(run.id);
    await client.approve(run.id, "go");
    await run.result();
    const { lastSeq } = await client.get(run.id);

    // The first two connections break after 700 bytes of body each, mid-event most likely.
    const recorded = recordingFetch((url, index) => (url.endsWith("/stream") && index < 2 ? 700 : undefined));
    const flaky = createClient({ baseUrl: server.url, apiKey: keys.admin, fetch: recorded.fetch, maxReconnectPauseMs: 50 });
    const events: JournalEvent[] = [];
    for await (const event of flaky.events(run.id)) events.push(event);

    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: lastSeq }, (_, i) => i + 1));
    const streams = streamsOf(recorded.requests);
    expect(streams.length).toBe(3);
    expect(streams[0]?.headers["last-event-id"]).toBeUndefined();
    const resumedAt = streams.slice(1).map((s) => Number(s.headers["last-event-id"]));
    expect(resumedAt[0]).toBeGreaterThan(0);
    expect(resumedAt[1]).toBeGreaterThan(resumedAt[0] as number);

    const tail: number[] = [];
    for await (const event of client.events(run.id, { after: lastSeq - 2 })) tail.push(event.seq);
    expect(tail).toEqual([lastSeq - 1, lastSeq]);
  });
});
