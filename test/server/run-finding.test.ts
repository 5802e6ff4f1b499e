// Finding runs through GET /v1/runs, in-process over a real SQLite database: version, created time range and sort as
// server filters with cursors that keep their sort, bad values refused with a code, and the all-tenants admin key
// (every tenant's runs, a tenant filter) beside keys that stay confined to their tenant.
import { describe, expect, it } from "vitest";
import { createApiKey } from "../../src/server/index.js";
import { json, type TestServer, testServer } from "./support.js";

async function ids(s: TestServer, query: string, token: string): Promise<string[]> {
  const response = await s.call("GET", `/v1/runs?${query}`, { token });
  expect(response.status, query).toBe(200);
  return (await json(response)).runs.map((r: { id: string }) => r.id);
}

describe("finding runs on the server", () => {
  it("since and until (ISO or a duration ago) bound the creation time; version filters", async () => {
    const s = await testServer();
    const token = s.keys.acmeViewer;
    const first = await s.startSettled("expense", { amount: 1 });
    const second = await s.startSettled("expense", { amount: 2 });
    const secondCreated = (await s.engine.store.getRun(second))?.createdAt as number;

    expect(await ids(s, "since=1h", token)).toEqual([second, first]);
    expect(await ids(s, `since=${new Date(secondCreated + 60_000).toISOString()}`, token)).toEqual([]);
    const beforeSecond = await ids(s, `until=${new Date(secondCreated).toISOString()}`, token);
    expect(beforeSecond).not.toContain(second);
    expect(await ids(s, "version=1", token)).toEqual([]);
    const version = (await s.engine.store.getRun(first))?.version as string;
    expect(await ids(s, `version=${encodeURIComponent(version)}&workflow=expense`, token)).toEqual([second, first]);
  });

  it("sort=updated puts the run that changed last first, and its cursor pages in that order", async () => {
    const s = await testServer();
    const token = s.keys.acmeAdmin;
    const older = await s.startSettled("expense", { amount: 1 });
    const newer = await s.startSettled("expense", { amount: 2 });
    await s.call("POST", `/v1/runs/${older}/approvals/manager`, { token, body: { action: "approve" } });
    await s.settle(older);

    expect(await ids(s, "sort=created", token)).toEqual([newer, older]);
    const page1 = await json(await s.call("GET", "/v1/runs?sort=updated&limit=1", { token }));
    const page2 = await json(await s.call("GET", `/v1/runs?sort=updated&limit=1&cursor=${page1.nextCursor}`, { token }));
    expect([...page1.runs, ...page2.runs].map((r: { id: string }) => r.id)).toEqual([older, newer]);
    expect(page2.nextCursor).toBeUndefined();

    const mixed = await s.call("GET", `/v1/runs?sort=created&cursor=${page1.nextCursor}`, { token });
    expect(mixed.status).toBe(400);
    expect((await json(mixed)).error.code).toBe("invalid_cursor");
  });

  it("a bad date is invalid_time and an unknown sort invalid_query, both 400 naming the parameter", async () => {
    const s = await testServer();
    for (const [query, code, path] of [
      ["since=yesterday", "invalid_time", "query.since"],
      ["until=2026-13-45", "invalid_time", "query.until"],
      ["sort=name", "invalid_query", "query.sort"],
    ] as const) {
      const response = await s.call("GET", `/v1/runs?${query}`, { token: s.keys.acmeViewer });
      expect(response.status, query).toBe(400);
      const { error } = await json(response);
      expect(error.code, query).toBe(code);
      expect(error.message, query).toContain(path);
    }
  });
});

describe("the all-tenants admin key", () => {
  async function withAllTenantsKey() {
    const s = await testServer();
    const { token } = await createApiKey(s.engine.store, { tenant: "*", role: "admin", name: "ops" });
    const acme = await s.startSettled("expense", { amount: 1 }, s.keys.acmeAdmin);
    const globex = await s.startSettled("expense", { amount: 2 }, s.keys.globexAdmin);
    return { s, token, acme, globex };
  }

  it("lists every tenant's runs, filters by tenant, reads and decides any run; /v1/me says so", async () => {
    const { s, token, acme, globex } = await withAllTenantsKey();

    expect(await json(await s.call("GET", "/v1/me", { token }))).toMatchObject({ tenant: "*", allTenants: true, role: "admin" });
    expect(await ids(s, "", token)).toEqual([globex, acme]);
    expect(await ids(s, "tenant=acme", token)).toEqual([acme]);
    expect((await json(await s.call("GET", `/v1/runs/${globex}`, { token }))).tenant).toBe("globex");
    expect((await json(await s.call("GET", "/v1/approvals", { token }))).pending).toHaveLength(2);
    expect((await json(await s.call("GET", "/v1/approvals?tenant=globex", { token }))).pending).toHaveLength(1);
    const approved = await s.call("POST", `/v1/runs/${acme}/approvals/manager`, { token, body: { action: "approve" } });
    expect(approved.status).toBe(202);
  });

  it("cannot start a run, send an event or create a key (they belong to one tenant): tenant_required", async () => {
    const { s, token } = await withAllTenantsKey();
    for (const [method, path, body] of [
      ["POST", "/v1/runs", { workflow: "expense", input: { amount: 3 } }],
      ["POST", "/v1/events", { key: "k" }],
      ["POST", "/v1/keys", { role: "viewer" }],
    ] as const) {
      const response = await s.call(method, path, { token, body });
      expect(response.status, path).toBe(400);
      expect((await json(response)).error.code, path).toBe("tenant_required");
    }
  });

  it("only an admin key may be an all-tenants key", async () => {
    const s = await testServer();
    await expect(createApiKey(s.engine.store, { tenant: "*", role: "viewer" })).rejects.toMatchObject({ code: "invalid_tenant" });
  });

  it("any other key stays in its tenant: tenant= of another is 403, its own is the same list, /v1/me says not all", async () => {
    const { s, acme } = await withAllTenantsKey();
    const token = s.keys.acmeAdmin;

    expect(await json(await s.call("GET", "/v1/me", { token }))).toMatchObject({ tenant: "acme", allTenants: false });
    expect(await ids(s, "", token)).toEqual([acme]);
    expect(await ids(s, "tenant=acme", token)).toEqual([acme]);
    for (const path of ["/v1/runs?tenant=globex", "/v1/approvals?tenant=globex", "/v1/live/runs?tenant=globex"]) {
      const response = await s.call("GET", path, { token });
      expect(response.status, path).toBe(403);
      expect((await json(response)).error.code, path).toBe("forbidden");
    }
  });
});
