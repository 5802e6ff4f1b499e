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
});
