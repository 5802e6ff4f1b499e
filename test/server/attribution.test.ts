// Who did what and finding runs through the API, on SQLite and PostgreSQL: session and actor on POST /v1/runs, the
// filters of GET /v1/runs, attribution (actor, key, traceparent) on decisions and cancellations, GET /v1/runs/{id}/limits.
import { tool, workflow } from "duro";
import { describe, expect, it } from "vitest";
import type { JournalEvent } from "../../src/index.js";
import { mockLlm } from "../support/llm.js";
import { json, testServer } from "./support.js";

const TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

const noop = tool({ name: "noop", parameters: { type: "object" }, run: () => "ok" });
/** Spends $0.25 a call; its budget allows two, then it waits for a limit raise. */
const budgeted = workflow("budgeted", { version: "1" }, async (ctx) => {
  ctx.budget({ maxCostUsd: 0.5, onExceed: "suspend" });
  const result = await ctx.agent("spender", {
    model: "gpt-test",
    prompt: "go",
    tools: [noop],
    prices: { "gpt-test": { input: 250, output: 250 } },
  });
  return { text: result.text };
});

describe.each(["sqlite", "postgres"] as const)("attribution and finding runs through the API on %s", (backend) => {
  it("POST /v1/runs records session and actor (default: the key), and GET /v1/runs filters by them and by waitingFor", async () => {
    const s = await testServer({}, undefined, backend);
    const start = (body: object) => s.call("POST", "/v1/runs", { token: s.keys.acmeAdmin, body });
    const a = await json(await start({ workflow: "expense", input: { amount: 5 }, session: "chat-1", actor: "alice" }));
    const b = await json(await start({ workflow: "payment", input: { key: "k1" }, session: "chat-1" }));
    await s.settle(a.id);
    await s.settle(b.id);

    const list = async (query: string) => (await json(await s.call("GET", `/v1/runs?${query}`, { token: s.keys.acmeViewer }))).runs;
    expect(a).toMatchObject({ session: "chat-1", actor: "alice" });
    expect((await list("session=chat-1")).map((r: { id: string }) => r.id)).toEqual([b.id, a.id]);
    expect((await list("actor=alice")).map((r: { id: string }) => r.id)).toEqual([a.id]);
    expect(await list("waitingFor=approval")).toEqual([expect.objectContaining({ id: a.id, waitingFor: "approval", actor: "alice" })]);
    expect(await list("waitingFor=event")).toEqual([
      expect.objectContaining({ id: b.id, session: "chat-1", actor: expect.stringMatching(/^k_/) }),
    ]);
    const bad = await s.call("GET", "/v1/runs?waitingFor=coffee", { token: s.keys.acmeViewer });
    expect(bad.status).toBe(400);
    // Another tenant's key sees none of it.
    expect((await json(await s.call("GET", "/v1/runs?session=chat-1", { token: s.keys.globexAdmin }))).runs).toEqual([]);
  });

  it("a decision records the actor, the API key and the traceparent header; a bad traceparent is a 400", async () => {
    const s = await testServer({}, undefined, backend);
    const runId = await s.startSettled("expense", { amount: 7 });
    const decide = (headers: Record<string, string>) =>
      s.call("POST", `/v1/runs/${runId}/approvals/manager`, {
        token: s.keys.acmeOperator,
        body: { action: "approve", by: "bob" },
        headers,
      });

    const refused = await decide({ traceparent: "00-nope" });
    expect(refused.status).toBe(400);
    expect((await json(refused)).error.code).toBe("invalid_traceparent");
    expect((await decide({ traceparent: TRACEPARENT })).status).toBe(202);
    await s.settle(runId);

    const events: JournalEvent[] = (await json(await s.call("GET", `/v1/runs/${runId}/events`, { token: s.keys.acmeViewer }))).events;
    expect(events.find((e) => e.type === "wait_resolved")).toMatchObject({
      by: "bob",
      actor: "bob",
      keyId: expect.stringMatching(/^k_/),
      traceparent: TRACEPARENT,
      decidedAt: expect.any(String),
    });
    const run = await json(await s.call("GET", `/v1/runs/${runId}`, { token: s.keys.acmeViewer }));
    expect(run.steps.find((step: { key: string }) => step.key === "manager#0")).toMatchObject({
      attribution: { actor: "bob", traceparent: TRACEPARENT },
    });
  });

  it("a signal and a cancel record who sent them; parent= finds a run's children", async () => {
    const s = await testServer({}, undefined, backend);
    const paymentId = await s.startSettled("payment", { key: "order-9" });
    const sent = await s.call("POST", "/v1/events", { token: s.keys.acmeOperator, body: { key: "order-9", payload: 1, actor: "shop" } });
    expect(sent.status).toBe(202);
    await s.settle(paymentId);
    const expenseId = await s.startSettled("expense", { amount: 1 });
    const cancelled = await s.call("POST", `/v1/runs/${expenseId}/cancel`, {
      token: s.keys.acmeOperator,
      body: { reason: "dup" },
      headers: { traceparent: TRACEPARENT },
    });
    expect(cancelled.status).toBe(202);

    const eventsOf = async (id: string): Promise<JournalEvent[]> =>
      (await json(await s.call("GET", `/v1/runs/${id}/events`, { token: s.keys.acmeViewer }))).events;
    expect((await eventsOf(paymentId)).find((e) => e.type === "wait_resolved")).toMatchObject({
      actor: "shop",
      keyId: expect.stringMatching(/^k_/),
    });
    expect((await eventsOf(expenseId)).at(-1)).toMatchObject({
      type: "run_cancelled",
      reason: "dup",
      traceparent: TRACEPARENT,
      keyId: expect.any(String),
    });
    expect((await json(await s.call("GET", `/v1/runs?parent=${paymentId}`, { token: s.keys.acmeViewer }))).runs).toEqual([]);
  });

  it("GET /v1/runs/{id}/limits shows each budget and whether the run is suspended by it", async () => {
    const s = await testServer({}, undefined, backend);
    s.engine.register(budgeted);
    const call = { toolCalls: [{ name: "noop", arguments: {} }], usage: { inputTokens: 500, outputTokens: 500 } };
    await mockLlm({ replies: [call, call] });
    const runId = await s.startSettled("budgeted", {});

    const limits = await json(await s.call("GET", `/v1/runs/${runId}/limits`, { token: s.keys.acmeViewer }));
    const listed = (await json(await s.call("GET", "/v1/runs?waitingFor=limit", { token: s.keys.acmeViewer }))).runs;
    const hidden = await s.call("GET", `/v1/runs/${runId}/limits`, { token: s.keys.globexAdmin });

    expect(limits).toMatchObject({ runId, suspended: true, suspendedSince: expect.any(String) });
    expect(limits.budgets[0]).toMatchObject({ scope: "run", limits: [{ limit: "maxCostUsd", max: 0.5, used: 0.5, left: 0 }] });
    expect(listed.map((r: { id: string }) => r.id)).toEqual([runId]);
    expect(hidden.status).toBe(404);
  });
});
