// The HTTP API in-process (app.request) over a real SQLite database: every route's success and error paths.
import { describe, expect, it } from "vitest";
import { json, testServer } from "./support.js";

describe("health and the OpenAPI document", () => {
  it("healthz and readyz answer 200 without a key", async () => {
    const s = await testServer();
    expect((await s.call("GET", "/healthz")).status).toBe(200);
    expect(await json(await s.call("GET", "/readyz"))).toEqual({ ok: true });
  });

  it("readyz answers 503 not_ready when the database is gone", async () => {
    const s = await testServer();
    await s.engine.store.close();
    const response = await s.call("GET", "/readyz");
    expect(response.status).toBe(503);
    expect((await json(response)).error.code).toBe("not_ready");
  });

  it("/openapi.json is OpenAPI 3.1 and describes the start body the server validates", async () => {
    const s = await testServer();
    const doc = await json(await s.call("GET", "/openapi.json"));
    expect(doc.openapi).toBe("3.1.0");
    const ref = doc.paths["/v1/runs"].post.requestBody.content["application/json"].schema.$ref;
    expect(ref).toBe("#/components/schemas/StartRun");
    const start = doc.components.schemas.StartRun;
    expect(start.required).toEqual(["workflow"]);
    expect(Object.keys(start.properties).sort()).toEqual([
      "actor",
      "concurrencyKey",
      "id",
      "idempotencyKey",
      "input",
      "priority",
      "queue",
      "session",
      "workflow",
    ]);
    expect(start.additionalProperties).toBe(false);
    const list = doc.paths["/v1/runs"].get.responses["200"].content["application/json"].schema.$ref;
    expect(list).toBe("#/components/schemas/RunList");
    expect(doc.components.schemas.RunSummary.properties.createdAt).toMatchObject({ type: "string", format: "date-time" });
    expect(Object.keys(doc.components.schemas.Decision.properties)).toContain("by");
    for (const route of [
      "/v1/runs/{id}/stream",
      "/v1/events",
      "/v1/runs/{id}/approvals/{gate}",
      "/v1/runs/{id}/answers/{name}",
      "/v1/approvals",
      "/metrics",
    ]) {
      expect(doc.paths[route], route).toBeDefined();
    }
  });

  it("an unknown route is a JSON 404", async () => {
    const s = await testServer();
    const response = await s.call("GET", "/v1/nope", { token: s.keys.acmeViewer });
    expect(response.status).toBe(404);
    expect((await json(response)).error.code).toBe("not_found");
  });
});

describe("authentication and roles", () => {
  it("a request without a key, with an unknown key or with a revoked key gets 401 unauthorized", async () => {
    const s = await testServer();
    const none = await s.call("GET", "/v1/runs");
    const unknown = await s.call("GET", "/v1/runs", { token: "duro_not-a-key" });
    const [viewer] = (await s.engine.store.listApiKeys({ tenant: "acme" })).filter((k) => k.role === "viewer");
    await s.engine.store.revokeApiKey(viewer?.id as string);
    const revoked = await s.call("GET", "/v1/runs", { token: s.keys.acmeViewer });
    for (const response of [none, unknown, revoked]) {
      expect(response.status).toBe(401);
      expect((await json(response)).error.code).toBe("unauthorized");
    }
    expect((await s.call("GET", "/v1/runs", { token: s.keys.acmeAdmin })).status).toBe(200);
  });

  it("a viewer reads but cannot start, approve, answer, signal or cancel; an operator cannot start runs", async () => {
    const s = await testServer();
    const id = await s.startSettled("expense", { amount: 5 });
    const viewer = s.keys.acmeViewer;
    const refused = [
      await s.call("POST", "/v1/runs", { token: viewer, body: { workflow: "expense", input: { amount: 1 } } }),
      await s.call("POST", `/v1/runs/${id}/approvals/manager`, { token: viewer, body: { action: "approve" } }),
      await s.call("POST", `/v1/runs/${id}/answers/colour`, { token: viewer, body: { value: "red" } }),
      await s.call("POST", "/v1/events", { token: viewer, body: { key: "k" } }),
      await s.call("POST", `/v1/runs/${id}/cancel`, { token: viewer }),
      await s.call("POST", "/v1/runs", { token: s.keys.acmeOperator, body: { workflow: "expense", input: { amount: 1 } } }),
      await s.call("GET", "/v1/keys", { token: s.keys.acmeOperator }),
      await s.call("GET", "/metrics", { token: s.keys.acmeOperator }),
    ];
    for (const response of refused) {
      expect(response.status).toBe(403);
      expect((await json(response)).error.code).toBe("forbidden");
    }
    expect((await s.call("GET", `/v1/runs/${id}`, { token: viewer })).status).toBe(200);
    expect((await s.call("GET", "/v1/approvals", { token: viewer })).status).toBe(200);
  });

  it("dev mode needs no key and acts as an admin of tenant default", async () => {
    const s = await testServer({ dev: true });
    const response = await s.call("POST", "/v1/runs", { body: { workflow: "expense", input: { amount: 3 } } });
    expect(response.status).toBe(201);
    expect((await json(response)).tenant).toBe("default");
  });
});

describe("runs", () => {
  it("POST /v1/runs starts a run in the key's tenant (201), and the same idempotency key returns it again (200)", async () => {
    const s = await testServer();
    const body = { workflow: "expense", input: { amount: 7 }, idempotencyKey: "claim-7" };
    const first = await s.call("POST", "/v1/runs", { token: s.keys.acmeAdmin, body });
    const again = await s.call("POST", "/v1/runs", { token: s.keys.acmeAdmin, body });
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    const [a, b] = [await json(first), await json(again)];
    expect(a).toMatchObject({ workflow: "expense", tenant: "acme", status: "queued", input: { amount: 7 }, created: true });
    expect(b).toMatchObject({ id: a.id, created: false });
  });

  it("POST /v1/runs with an existing idempotency key but another input gets 409 run_conflict, not the old run", async () => {
    const s = await testServer();
    const first = await s.call("POST", "/v1/runs", {
      token: s.keys.acmeAdmin,
      body: { workflow: "expense", input: { amount: 7 }, idempotencyKey: "claim-8" },
    });
    expect(first.status).toBe(201);
    const other = await s.call("POST", "/v1/runs", {
      token: s.keys.acmeAdmin,
      body: { workflow: "expense", input: { amount: 9000 }, idempotencyKey: "claim-8" },
    });
    expect(other.status).toBe(409);
    expect((await json(other)).error).toMatchObject({ code: "run_conflict", details: { differs: ["input"] } });
  });

  it("bad start bodies get 400 with a code and the path of the bad field", async () => {
    const s = await testServer();
    const cases: Array<[unknown, string, string]> = [
      [{ input: {} }, "invalid_body", "body.workflow"],
      [{ workflow: "expense", extra: 1 }, "invalid_body", "body"],
      [{ workflow: 5 }, "invalid_body", "body.workflow"],
      [{ workflow: "nope" }, "workflow_not_found", "body.workflow"],
      [{ workflow: "validated", input: { sku: "A1", qty: -1 } }, "input_invalid", "body.input"],
    ];
    for (const [body, code, path] of cases) {
      const response = await s.call("POST", "/v1/runs", { token: s.keys.acmeAdmin, body });
      expect(response.status, JSON.stringify(body)).toBe(400);
      const { error } = await json(response);
      expect(error.code).toBe(code);
      expect(error.details.path).toBe(path);
      expect(error.message).not.toBe("");
    }
    const malformed = await s.call("POST", "/v1/runs", { token: s.keys.acmeAdmin, raw: "{not json" });
    expect(malformed.status).toBe(400);
    expect((await json(malformed)).error).toMatchObject({ code: "body_malformed", details: { path: "body" } });
  });

  it("a body over the size limit gets 413 body_too_large", async () => {
    const s = await testServer({ bodyLimitBytes: 1_000 });
    const response = await s.call("POST", "/v1/runs", {
      token: s.keys.acmeAdmin,
      body: { workflow: "expense", input: { pad: "x".repeat(2_000) } },
    });
    expect(response.status).toBe(413);
    expect((await json(response)).error.code).toBe("body_too_large");
  });

  it("GET /v1/runs filters by status and workflow and pages with the cursor; a bad status is a 400 on query.status", async () => {
    const s = await testServer();
    const waiting = await s.startSettled("expense", { amount: 1 });
    const done = await s.startSettled("validated", { sku: "A", qty: 1 });
    await s.startSettled("expense", { amount: 2 });
    const token = s.keys.acmeViewer;
    const byStatus = await json(await s.call("GET", "/v1/runs?status=completed", { token }));
    expect(byStatus.runs.map((r: { id: string }) => r.id)).toEqual([done]);
    const byWorkflow = await json(await s.call("GET", "/v1/runs?workflow=expense", { token }));
    expect(byWorkflow.runs).toHaveLength(2);
    const page1 = await json(await s.call("GET", "/v1/runs?limit=2", { token }));
    const page2 = await json(await s.call("GET", `/v1/runs?limit=2&cursor=${page1.nextCursor}`, { token }));
    expect([...page1.runs, ...page2.runs].map((r: { id: string }) => r.id)).toContain(waiting);
    expect(page1.runs.length + page2.runs.length).toBe(3);
    const bad = await s.call("GET", "/v1/runs?status=sleeping", { token });
    expect(bad.status).toBe(400);
    expect((await json(bad)).error).toMatchObject({ code: "invalid_query", details: { path: "query.status" } });
  });

  it("GET /v1/runs/:id and /events show the run and its journal; an unknown id is 404 run_not_found", async () => {
    const s = await testServer();
    const id = await s.startSettled("expense", { amount: 9 });
    const run = await json(await s.call("GET", `/v1/runs/${id}`, { token: s.keys.acmeViewer }));
    expect(run).toMatchObject({ id, status: "waiting", waits: [{ kind: "approval", gate: "manager" }] });
    const { events } = await json(await s.call("GET", `/v1/runs/${id}/events`, { token: s.keys.acmeViewer }));
    expect(events.map((e: { seq: number }) => e.seq)).toEqual([1, 2]);
    const from = await json(await s.call("GET", `/v1/runs/${id}/events?from=2`, { token: s.keys.acmeViewer }));
    expect(from.events.map((e: { type: string }) => e.type)).toEqual(["wait_started"]);
    const badFrom = await s.call("GET", `/v1/runs/${id}/events?from=x`, { token: s.keys.acmeViewer });
    expect(badFrom.status).toBe(400);
    for (const path of ["/v1/runs/r_nope", "/v1/runs/r_nope/events", "/v1/runs/r_nope/stream"]) {
      const response = await s.call("GET", path, { token: s.keys.acmeViewer });
      expect(response.status, path).toBe(404);
      expect((await json(response)).error.code).toBe("run_not_found");
    }
  });

  it("GET /v1/runs gives its times as ISO strings, the same values GET /v1/runs/:id gives; keys too", async () => {
    const s = await testServer();
    const id = await s.startSettled("expense", { amount: 9 });
    const { runs } = await json(await s.call("GET", "/v1/runs", { token: s.keys.acmeViewer }));
    const one = await json(await s.call("GET", `/v1/runs/${id}`, { token: s.keys.acmeViewer }));
    const iso = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
    expect(runs[0]).toMatchObject({ id, createdAt: expect.stringMatching(iso), updatedAt: expect.stringMatching(iso) });
    expect(runs[0].createdAt).toBe(one.createdAt);
    expect(runs[0].updatedAt).toBe(one.updatedAt);
    const { keys } = await json(await s.call("GET", "/v1/keys", { token: s.keys.acmeAdmin }));
    expect(keys[0].createdAt).toMatch(iso);
    const created = await json(await s.call("POST", "/v1/keys", { token: s.keys.acmeAdmin, body: { role: "viewer" } }));
    expect(created.key.createdAt).toMatch(iso);
  });

  it("POST /v1/runs/:id/cancel cancels a waiting run (202); cancelling it again is 409 run_terminal", async () => {
    const s = await testServer();
    const id = await s.startSettled("expense", { amount: 1 });
    const response = await s.call("POST", `/v1/runs/${id}/cancel`, { token: s.keys.acmeOperator, body: { reason: "duplicate" } });
    expect(response.status).toBe(202);
    expect(await json(response)).toMatchObject({ id, status: "cancelled", cancelReason: "duplicate" });
    const again = await s.call("POST", `/v1/runs/${id}/cancel`, { token: s.keys.acmeOperator });
    expect(again.status).toBe(409);
    expect((await json(again)).error.code).toBe("run_terminal");
    const bad = await s.call("POST", `/v1/runs/${id}/cancel`, { token: s.keys.acmeOperator, body: { reason: 5 } });
    expect((await json(bad)).error.details.path).toBe("body.reason");
  });
});

describe("approvals, answers and events", () => {
  it("the inbox lists a pending approval; approving it (202) lets the run complete; a second decision is 409 not_waiting", async () => {
    const s = await testServer();
    const id = await s.startSettled("expense", { amount: 40 });
    const inbox = await json(await s.call("GET", "/v1/approvals?state=pending", { token: s.keys.acmeViewer }));
    expect(inbox.pending).toEqual([
      expect.objectContaining({ runId: id, kind: "approval", gate: "manager", summary: "pay 40 EUR", decided: false }),
    ]);

    const approve = await s.call("POST", `/v1/runs/${id}/approvals/manager`, {
      token: s.keys.acmeOperator,
      body: { action: "approve", comment: "fine" },
    });
    expect(approve.status).toBe(202);
    await s.settle(id);

    expect(await json(await s.call("GET", `/v1/runs/${id}`, { token: s.keys.acmeViewer }))).toMatchObject({
      status: "completed",
      output: { paid: true, amount: 40, comment: "fine" },
    });
    const again = await s.call("POST", `/v1/runs/${id}/approvals/manager`, { token: s.keys.acmeOperator, body: { action: "approve" } });
    expect(again.status).toBe(409);
    expect((await json(again)).error.code).toBe("not_waiting");
  });

  it("a decision taken but not yet applied shows as decided and a second one is 409 already_decided", async () => {
    const s = await testServer();
    const id = await s.startSettled("expense", { amount: 1 });
    await s.call("POST", `/v1/runs/${id}/approvals/manager`, { token: s.keys.acmeOperator, body: { action: "reject", comment: "no" } });
    const inbox = await json(await s.call("GET", "/v1/approvals", { token: s.keys.acmeViewer }));
    expect(inbox.pending[0]).toMatchObject({ runId: id, decided: true });
    const second = await s.call("POST", `/v1/runs/${id}/approvals/manager`, { token: s.keys.acmeOperator, body: { action: "approve" } });
    expect((await json(second)).error.code).toBe("already_decided");
    await s.settle(id);
    expect((await s.engine.get(id)).output).toEqual({ paid: false, amount: 1, comment: "no" });
  });

  it("a bad decision body is 400 on body.action; an unknown gate is 409 not_waiting; a bad state filter is 400", async () => {
    const s = await testServer();
    const id = await s.startSettled("expense", { amount: 1 });
    const bad = await s.call("POST", `/v1/runs/${id}/approvals/manager`, { token: s.keys.acmeOperator, body: { action: "maybe" } });
    expect(bad.status).toBe(400);
    expect((await json(bad)).error.details.path).toBe("body.action");
    const gate = await s.call("POST", `/v1/runs/${id}/approvals/finance`, { token: s.keys.acmeOperator, body: { action: "approve" } });
    expect(gate.status).toBe(409);
    expect((await json(gate)).error.code).toBe("not_waiting");
    expect((await s.call("GET", "/v1/approvals?state=done", { token: s.keys.acmeViewer })).status).toBe(400);
  });

  it("an approval names the person who decided (by), recorded with the decision; without it the key is recorded", async () => {
    const s = await testServer();
    const named = await json(
      await s.call("POST", "/v1/keys", { token: s.keys.acmeAdmin, body: { role: "operator", name: "finance-bot" } }),
    );
    const [withBy, withoutBy] = [await s.startSettled("expense", { amount: 1 }), await s.startSettled("expense", { amount: 2 })];
    const decided = await s.call("POST", `/v1/runs/${withBy}/approvals/manager`, {
      token: named.token,
      body: { action: "approve", by: "ada@example.com" },
    });
    expect(decided.status).toBe(202);
    expect(await json(decided)).toMatchObject({ action: "approve", by: "ada@example.com" });
    await s.call("POST", `/v1/runs/${withoutBy}/approvals/manager`, { token: named.token, body: { action: "reject" } });
    const resolvedBy = async (runId: string) => {
      await s.settle(runId);
      const { events } = await json(await s.call("GET", `/v1/runs/${runId}/events`, { token: s.keys.acmeViewer }));
      const resolved = events.find((e: { type: string }) => e.type === "wait_resolved");
      return [resolved.by, resolved.payload.by];
    };
    expect(await resolvedBy(withBy)).toEqual(["ada@example.com", "ada@example.com"]);
    expect(await resolvedBy(withoutBy)).toEqual([`key finance-bot (${named.key.id})`, `key finance-bot (${named.key.id})`]);
    const empty = await s.call("POST", `/v1/runs/${withBy}/approvals/manager`, { token: named.token, body: { action: "approve", by: "" } });
    expect((await json(empty)).error.details.path).toBe("body.by");
  });

  it("answering a question (202) completes the run; an answer outside the choices is 400 on body.value", async () => {
    const s = await testServer();
    const id = await s.startSettled("survey", {});
    const inbox = await json(await s.call("GET", "/v1/approvals", { token: s.keys.acmeViewer }));
    expect(inbox.pending[0]).toMatchObject({ runId: id, kind: "ask", prompt: "Which colour?", choices: ["red", "blue"] });
    const wrong = await s.call("POST", `/v1/runs/${id}/answers/colour`, { token: s.keys.acmeOperator, body: { value: "green" } });
    expect(wrong.status).toBe(400);
    expect((await json(wrong)).error).toMatchObject({ code: "answer_invalid", details: { path: "body.value" } });
    const missing = await s.call("POST", `/v1/runs/${id}/answers/colour`, { token: s.keys.acmeOperator, body: {} });
    expect(missing.status).toBe(400);
    const ok = await s.call("POST", `/v1/runs/${id}/answers/colour`, { token: s.keys.acmeOperator, body: { value: "blue", by: "bob" } });
    expect(ok.status).toBe(202);
    await s.settle(id);
    expect((await s.engine.get(id)).output).toEqual({ colour: "blue" });
    const { events } = await json(await s.call("GET", `/v1/runs/${id}/events`, { token: s.keys.acmeViewer }));
    expect(events.find((e: { type: string }) => e.type === "wait_resolved")).toMatchObject({ by: "bob", payload: { value: "blue" } });
  });

  it("POST /v1/events wakes the tenant's run waiting on the key (202); a reserved or empty key is 400 on body.key", async () => {
    const s = await testServer();
    const id = await s.startSettled("payment", { key: "order-1" });
    const response = await s.call("POST", "/v1/events", { token: s.keys.acmeOperator, body: { key: "order-1", payload: { amount: 3 } } });
    expect(response.status).toBe(202);
    expect((await json(response)).wokeRunIds).toEqual([id]);
    await s.settle(id);
    expect((await s.engine.get(id)).output).toEqual({ paid: { amount: 3 } });
    for (const key of ["", "duro:approval:x"]) {
      const bad = await s.call("POST", "/v1/events", { token: s.keys.acmeOperator, body: { key } });
      expect(bad.status).toBe(400);
      expect((await json(bad)).error.details.path).toBe("body.key");
    }
  });
});

describe("limits", () => {
  it("a key over its rate limit gets 429 rate_limited; another key is not affected", async () => {
    const s = await testServer({ rateLimitPerMinute: 3 });
    for (let i = 0; i < 3; i++) expect((await s.call("GET", "/v1/runs", { token: s.keys.acmeViewer })).status).toBe(200);
    const limited = await s.call("GET", "/v1/runs", { token: s.keys.acmeViewer });
    expect(limited.status).toBe(429);
    expect((await json(limited)).error.code).toBe("rate_limited");
    expect((await s.call("GET", "/v1/runs", { token: s.keys.acmeAdmin })).status).toBe(200);
  });
});

describe("event limits", () => {
  it("an event payload over the limit is 413 event_too_large and is not kept", async () => {
    const s = await testServer({ eventPayloadLimitBytes: 100 });
    const big = await s.call("POST", "/v1/events", { token: s.keys.acmeOperator, body: { key: "k", payload: { pad: "x".repeat(100) } } });
    expect(big.status).toBe(413);
    expect((await json(big)).error).toMatchObject({ code: "event_too_large", details: { path: "body.payload", limit: 100 } });
    expect(await s.engine.store.listInbox({ tenant: "acme" })).toEqual([]);
    const small = await s.call("POST", "/v1/events", { token: s.keys.acmeOperator, body: { key: "k", payload: { pad: "x".repeat(80) } } });
    expect(small.status).toBe(202);
  });

  it("a key over its event rate gets 429 event_rate_limited with Retry-After; another key can still send", async () => {
    const s = await testServer({ eventsPerMinute: 2 });
    const send = (token: string) => s.call("POST", "/v1/events", { token, body: { key: "k", payload: 1 } });
    expect((await send(s.keys.acmeOperator)).status).toBe(202);
    expect((await send(s.keys.acmeOperator)).status).toBe(202);
    const limited = await send(s.keys.acmeOperator);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await json(limited)).error.code).toBe("event_rate_limited");
    expect((await send(s.keys.acmeAdmin)).status).toBe(202);
    expect(await s.engine.store.listInbox({ tenant: "acme" })).toHaveLength(3);
  });
});

describe("keys and metrics", () => {
  it("an admin creates, lists and revokes keys of its own tenant only; the token is returned once and works", async () => {
    const s = await testServer();
    const created = await s.call("POST", "/v1/keys", { token: s.keys.acmeAdmin, body: { role: "viewer", name: "dashboard" } });
    expect(created.status).toBe(201);
    const { token, key } = await json(created);
    expect(key).toMatchObject({ tenant: "acme", role: "viewer", name: "dashboard" });
    expect(key.hash).toBeUndefined();
    expect((await s.call("GET", "/v1/runs", { token })).status).toBe(200);
    const listed = await json(await s.call("GET", "/v1/keys", { token: s.keys.acmeAdmin }));
    expect(listed.keys.every((k: { tenant: string; hash?: string }) => k.tenant === "acme" && k.hash === undefined)).toBe(true);
    expect((await s.call("DELETE", `/v1/keys/${key.id}`, { token: s.keys.globexAdmin })).status).toBe(400);
    expect((await s.call("DELETE", `/v1/keys/${key.id}`, { token: s.keys.acmeAdmin })).status).toBe(200);
    expect((await s.call("GET", "/v1/runs", { token })).status).toBe(401);
    const bad = await s.call("POST", "/v1/keys", { token: s.keys.acmeAdmin, body: { role: "root" } });
    expect((await json(bad)).error.details.path).toBe("body.role");
  });

  it("/metrics gives Prometheus text with runs by status and step durations to an admin", async () => {
    const s = await testServer();
    await s.startSettled("validated", { sku: "A", qty: 2 });
    await s.startSettled("expense", { amount: 1 });
    const response = await s.call("GET", "/metrics", { token: s.keys.acmeAdmin });
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toContain('duro_runs{status="completed"} 1');
    expect(text).toContain('duro_runs{status="waiting"} 1');
    expect(text).toContain("duro_queue_depth 0");
    expect(text).toMatch(/duro_step_duration_seconds_count\{outcome="completed"\} 1/);
    expect((await s.call("GET", "/metrics")).status).toBe(401);
  });

  it("/metrics counts live workers and the unfinished runs no live worker would claim, by version", async () => {
    const s = await testServer();
    const waiting = await s.startSettled("expense", { amount: 1 });
    const scrape = async () => (await s.call("GET", "/metrics", { token: s.keys.acmeAdmin })).text();
    const run = await s.engine.get(waiting);
    // Nobody runs the workflow at all: the waiting run is unserved.
    expect(await scrape()).toContain(`duro_runs_stranded{workflow="expense",version="${run.version}",state="unserved"} 1`);
    expect(await scrape()).toContain("duro_workers_live 0");
    // A live worker pinned to another version of it: stranded.
    const info = { host: "h", pid: 1, startedAt: 0, pinned: true, anyVersion: [], concurrency: 16, active: 0 };
    await s.engine.store.announceWorker({ id: "w-v9", workflows: { expense: ["v9"] }, ...info }, 60_000);
    expect(await scrape()).toContain(`duro_runs_stranded{workflow="expense",version="${run.version}",state="stranded"} 1`);
    // A live worker that holds its version: nothing stranded.
    await s.engine.store.announceWorker({ id: "w-own", workflows: { expense: [run.version] }, ...info }, 60_000);
    const text = await scrape();
    expect(text).toContain("duro_workers_live 2");
    expect(text).not.toMatch(/duro_runs_stranded\{/);
  });
});
