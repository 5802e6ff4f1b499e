// The routes the run explorer uses, in-process over a real SQLite database: who am I, workflows, and forking a run.
import { describe, expect, it } from "vitest";
import { json, testServer } from "./support.js";

describe("explorer routes", () => {
  it("GET /v1/me tells the key's tenant and role", async () => {
    const s = await testServer();
    expect(await json(await s.call("GET", "/v1/me", { token: s.keys.acmeViewer }))).toMatchObject({ tenant: "acme", role: "viewer" });
  });

  it("GET /v1/workflows lists the workflows; an unknown one is workflow_not_found (400)", async () => {
    const s = await testServer();
    const { workflows } = await json(await s.call("GET", "/v1/workflows", { token: s.keys.acmeViewer }));
    expect(workflows).toContainEqual(expect.objectContaining({ name: "failing", flow: false }));
    const missing = await s.call("GET", "/v1/workflows/nope", { token: s.keys.acmeViewer });
    expect(missing.status).toBe(400);
    expect((await json(missing)).error.code).toBe("workflow_not_found");
  });

  it("forking needs the admin role and a step the run has; then it makes a new run from that step", async () => {
    const s = await testServer();
    const id = await s.startSettled("failing", {});
    const denied = await s.call("POST", `/v1/runs/${id}/fork`, { token: s.keys.acmeOperator, body: { fromStep: "charge" } });
    expect(denied.status).toBe(403);
    const unknown = await s.call("POST", `/v1/runs/${id}/fork`, { token: s.keys.acmeAdmin, body: { fromStep: "nope" } });
    expect(unknown.status).toBe(400);
    expect((await json(unknown)).error).toMatchObject({ code: "fork_step_not_found", details: { path: "body.fromStep" } });
    const other = await s.call("POST", `/v1/runs/${id}/fork`, { token: s.keys.globexAdmin, body: { fromStep: "charge" } });
    expect(other.status).toBe(404);
    const fork = await s.call("POST", `/v1/runs/${id}/fork`, { token: s.keys.acmeAdmin, body: { fromStep: "charge" } });
    expect(fork.status).toBe(201);
    const created = await json(fork);
    expect(created.id).not.toBe(id);
    expect(created.steps.map((step: { key: string }) => step.key)).toEqual(["load#0"]);
  });

  it("GET /v1/runs/{id}/transcript gives the redacted transcript lines, one step's with ?step=; hidden from other tenants", async () => {
    const s = await testServer();
    const id = await s.startSettled("failing", {});
    const all = await json(await s.call("GET", `/v1/runs/${id}/transcript`, { token: s.keys.acmeViewer }));
    const charge = await json(await s.call("GET", `/v1/runs/${id}/transcript?step=charge%230`, { token: s.keys.acmeViewer }));
    expect(all.lines[0]).toMatchObject({ step: null, component: "workflow", redactions: [] });
    expect(charge.lines.map((l: { status: string }) => l.status)).toEqual(["running", "failed"]);
    expect(charge.lines[1].error).toMatchObject({ code: "non_retryable", message: expect.stringContaining("card declined") });
    expect((await s.call("GET", `/v1/runs/${id}/transcript`, { token: s.keys.globexAdmin })).status).toBe(404);
    expect((await s.call("GET", `/v1/runs/${id}/transcript?stp=x`, { token: s.keys.acmeViewer })).status).toBe(400);
  });

  it("POST /v1/runs/{id}/limits needs an operator and at least one limit; a run not suspended keeps them (resumed: false)", async () => {
    const s = await testServer();
    const id = await s.startSettled("expense", { amount: 5 });
    const viewer = await s.call("POST", `/v1/runs/${id}/limits`, { token: s.keys.acmeViewer, body: { maxCostUsd: 1 } });
    expect(viewer.status).toBe(403);
    const empty = await s.call("POST", `/v1/runs/${id}/limits`, { token: s.keys.acmeOperator, body: {} });
    expect(empty.status).toBe(400);
    expect((await json(empty)).error.code).toBe("invalid_body");
    const negative = await s.call("POST", `/v1/runs/${id}/limits`, { token: s.keys.acmeOperator, body: { maxCostUsd: -1 } });
    expect(negative.status).toBe(400);
    const raised = await s.call("POST", `/v1/runs/${id}/limits`, { token: s.keys.acmeOperator, body: { maxCostUsd: 1 } });
    expect(raised.status).toBe(202);
    expect(await json(raised)).toEqual({ runId: id, raise: { maxCostUsd: 1 }, resumed: false });
    expect((await s.call("POST", `/v1/runs/${id}/limits`, { token: s.keys.globexAdmin, body: { maxCostUsd: 1 } })).status).toBe(404);
  });
});
