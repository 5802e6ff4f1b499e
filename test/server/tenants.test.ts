// Tenant isolation: a key of one tenant can neither see nor touch another tenant's runs, and gets the same 404 a
// missing run gets, for every route, in both directions.
import { describe, expect, it } from "vitest";
import { json, type TestServer, testServer } from "./support.js";

/** Every route that names a run, as [method, path, body]. */
function runRoutes(id: string): Array<[string, string, unknown]> {
  return [
    ["GET", `/v1/runs/${id}`, undefined],
    ["GET", `/v1/runs/${id}/events`, undefined],
    ["GET", `/v1/runs/${id}/stream`, undefined],
    ["POST", `/v1/runs/${id}/cancel`, {}],
    ["POST", `/v1/runs/${id}/approvals/manager`, { action: "approve" }],
    ["POST", `/v1/runs/${id}/approvals/manager/link`, {}],
    ["POST", `/v1/runs/${id}/answers/colour`, { value: "red" }],
  ];
}

async function isolation(s: TestServer, owner: { token: string; tenant: string }, other: { token: string }) {
  const approval = await s.startSettled("expense", { amount: 1 }, owner.token);
  const question = await s.startSettled("survey", {}, owner.token);
  const waiting = await s.startSettled("payment", { key: "shared-key" }, owner.token);

  for (const id of [approval, question]) {
    for (const [method, path, body] of runRoutes(id)) {
      const foreign = await s.call(method, path, { token: other.token, ...(body === undefined ? {} : { body }) });
      const missing = await s.call(method, path.replace(id, "r_missing"), { token: other.token, ...(body === undefined ? {} : { body }) });
      expect(foreign.status, `${method} ${path}`).toBe(404);
      const [a, b] = [await json(foreign), await json(missing)];
      expect(a.error.code, `${method} ${path}`).toBe("run_not_found");
      expect(a.error.message.replace(id, "ID")).toBe(b.error.message.replace("r_missing", "ID"));
    }
  }
  // Lists and the inbox show nothing of the owner's; the other tenant's event on the same key wakes nobody.
  expect((await json(await s.call("GET", "/v1/runs", { token: other.token }))).runs).toEqual([]);
  expect((await json(await s.call("GET", "/v1/approvals", { token: other.token }))).pending).toEqual([]);
  const event = await json(await s.call("POST", "/v1/events", { token: other.token, body: { key: "shared-key", payload: "foreign" } }));
  expect(event.wokeRunIds).toEqual([]);
  await s.settle(waiting);

  // Nothing changed: both runs still wait, in the owner's tenant, and the owner still sees and drives them.
  for (const id of [approval, question, waiting]) expect(await s.engine.get(id)).toMatchObject({ status: "waiting", tenant: owner.tenant });
  expect((await json(await s.call("GET", "/v1/runs", { token: owner.token }))).runs).toHaveLength(3);
  expect((await json(await s.call("GET", "/v1/approvals", { token: owner.token }))).pending).toHaveLength(2);
  const own = await json(await s.call("POST", "/v1/events", { token: owner.token, body: { key: "shared-key", payload: "own" } }));
  expect(own.wokeRunIds).toEqual([waiting]);
  await s.settle(waiting);
  expect((await s.engine.get(waiting)).output).toEqual({ paid: "own" });
}

describe.each(["sqlite", "postgres"] as const)("tenant isolation on %s", (backend) => {
  it("tenant globex cannot see, signal, approve, answer, link or cancel runs of tenant acme (404 like a missing run)", async () => {
    const s = await testServer({}, undefined, backend);
    await isolation(s, { token: s.keys.acmeAdmin, tenant: "acme" }, { token: s.keys.globexAdmin });
  });

  it("tenant acme cannot see, signal, approve, answer, link or cancel runs of tenant globex (404 like a missing run)", async () => {
    const s = await testServer({}, undefined, backend);
    await isolation(s, { token: s.keys.globexAdmin, tenant: "globex" }, { token: s.keys.acmeAdmin });
  });
});

describe("approval links across tenants", () => {
  it("an approval link of one tenant's run keeps naming that run, whatever key another tenant holds", async () => {
    const s = await testServer();
    const id = await s.startSettled("expense", { amount: 2 }, s.keys.globexAdmin);
    const { url } = await json(await s.call("POST", `/v1/runs/${id}/approvals/manager/link`, { token: s.keys.globexAdmin, body: {} }));
    const token = new URL(url).pathname.split("/").pop() as string;
    const response = await s.call("POST", `/v1/links/${token}`, { token: s.keys.acmeAdmin, body: { action: "approve" } });
    expect(await json(response)).toMatchObject({ runId: id, gate: "manager", action: "approve" });
    await s.settle(id);
    expect(await s.engine.get(id)).toMatchObject({ status: "completed", tenant: "globex" });
  });
});
