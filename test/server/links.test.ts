// Signed approval links: they decide once, expire, refuse tampering, and survive a restart (the secret is in the database).
import { describe, expect, it } from "vitest";
import { signLink } from "../../src/server/index.js";
import { json, testServer } from "./support.js";

const tokenOf = (url: string) => new URL(url).pathname.split("/").pop() as string;

describe("approval links", () => {
  it("a link (201) opens a page naming the gate and approves once without an API key; a second use is 410 link_used", async () => {
    const s = await testServer();
    const id = await s.startSettled("expense", { amount: 12 });
    const created = await s.call("POST", `/v1/runs/${id}/approvals/manager/link`, { token: s.keys.acmeOperator, body: { expires: "2h" } });
    expect(created.status).toBe(201);
    const { url, expiresAt } = await json(created);
    expect(url).toMatch(/\/approve\/[\w-]+\.[\w-]+$/);
    expect(Date.parse(expiresAt)).toBeGreaterThan(Date.now());

    const page = await s.call("GET", new URL(url).pathname);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("manager");
    expect(html).toContain(id);

    const decided = await s.call("POST", `/v1/links/${tokenOf(url)}`, { body: { action: "reject", comment: "too much", by: "ada" } });
    expect(decided.status).toBe(200);
    const again = await s.call("POST", `/v1/links/${tokenOf(url)}`, { body: { action: "approve" } });
    expect(again.status).toBe(410);
    expect((await json(again)).error.code).toBe("link_used");
    await s.settle(id);
    expect((await s.engine.get(id)).output).toEqual({ paid: false, amount: 12, comment: "too much" });
    expect((await s.engine.events(id)).find((e) => e.type === "wait_resolved")).toMatchObject({ by: "ada (approval link)" });
  });

  it("a link used before the run waits on its gate is 409 not_waiting and stays usable", async () => {
    const s = await testServer();
    const started = await json(
      await s.call("POST", "/v1/runs", { token: s.keys.acmeAdmin, body: { workflow: "expense", input: { amount: 4 } } }),
    );
    const { url } = await json(await s.call("POST", `/v1/runs/${started.id}/approvals/manager/link`, { token: s.keys.acmeOperator }));
    const early = await s.call("POST", `/v1/links/${tokenOf(url)}`, { body: { action: "approve" } });
    expect(early.status).toBe(409);
    expect((await json(early)).error.code).toBe("not_waiting");
    await s.settle(started.id);
    expect((await s.call("POST", `/v1/links/${tokenOf(url)}`, { body: { action: "approve" } })).status).toBe(200);
    await s.settle(started.id);
    expect((await s.engine.get(started.id)).status).toBe("completed");
  });

  it("the page's form posts a decision", async () => {
    const s = await testServer();
    const id = await s.startSettled("expense", { amount: 3 });
    const { url } = await json(await s.call("POST", `/v1/runs/${id}/approvals/manager/link`, { token: s.keys.acmeOperator }));
    const response = await s.call("POST", new URL(url).pathname, {
      raw: "action=approve&comment=ok",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("Recorded: approve");
    await s.settle(id);
    expect((await s.engine.get(id)).output).toEqual({ paid: true, amount: 3, comment: "ok" });
  });

  it("a tampered link is 401 invalid_link, an expired one 410 link_expired, and neither decides", async () => {
    const s = await testServer();
    const id = await s.startSettled("expense", { amount: 3 });
    const { url } = await json(await s.call("POST", `/v1/runs/${id}/approvals/manager/link`, { token: s.keys.acmeOperator }));
    const [body, signature] = tokenOf(url).split(".") as [string, string];
    const claims = JSON.parse(Buffer.from(body, "base64url").toString());
    const forged = `${Buffer.from(JSON.stringify({ ...claims, gate: "finance" })).toString("base64url")}.${signature}`;
    const tampered = await s.call("POST", `/v1/links/${forged}`, { body: { action: "approve" } });
    expect(tampered.status).toBe(401);
    expect((await json(tampered)).error.code).toBe("invalid_link");

    const expired = await signLink(s.engine.store, { runId: id, gate: "manager", tenant: "acme" }, "1s", Date.now() - 60_000);
    const late = await s.call("POST", `/v1/links/${expired.token}`, { body: { action: "approve" } });
    expect(late.status).toBe(410);
    expect((await json(late)).error.code).toBe("link_expired");
    expect((await s.engine.get(id)).status).toBe("waiting");
    expect(
      (await s.call("POST", `/v1/runs/${id}/approvals/manager/link`, { token: s.keys.acmeOperator, body: { expires: "soon" } })).status,
    ).toBe(400);
  });

  it("a link made before a restart still works after it: the signing secret lives in the database", async () => {
    const first = await testServer();
    const id = await first.startSettled("expense", { amount: 8 });
    const { url } = await json(await first.call("POST", `/v1/runs/${id}/approvals/manager/link`, { token: first.keys.acmeOperator }));
    await first.engine.store.close();

    const second = await testServer({}, first.dir);
    const response = await second.call("POST", `/v1/links/${tokenOf(url)}`, { body: { action: "approve" } });
    expect(response.status).toBe(200);
    await second.settle(id);
    expect((await second.engine.get(id)).status).toBe("completed");
  });

  it("a link's expiry must be more than 0 and at most 30 days: 400 invalid_link_expiry, not a stack trace", async () => {
    const s = await testServer();
    const id = await s.startSettled("expense", { amount: 3 });
    for (const expires of ["99999999999d", "0s", "0ms", "31d"]) {
      const response = await s.call("POST", `/v1/runs/${id}/approvals/manager/link`, { token: s.keys.acmeOperator, body: { expires } });
      expect(response.status, expires).toBe(400);
      expect((await json(response)).error).toMatchObject({ code: "invalid_link_expiry", details: { path: "body.expires" } });
    }
    const longest = await s.call("POST", `/v1/runs/${id}/approvals/manager/link`, { token: s.keys.acmeOperator, body: { expires: "30d" } });
    expect(longest.status).toBe(201);
  });

  it("no link for a gate the waiting run does not wait on (404 gate_not_found) or for a run that ended (409 run_terminal)", async () => {
    const s = await testServer();
    const waiting = await s.startSettled("expense", { amount: 3 });
    const unknown = await s.call("POST", `/v1/runs/${waiting}/approvals/finance/link`, { token: s.keys.acmeOperator });
    expect(unknown.status).toBe(404);
    expect((await json(unknown)).error).toMatchObject({ code: "gate_not_found", details: { gate: "finance", open: ["manager"] } });

    const done = await s.startSettled("validated", { sku: "A", qty: 1 });
    const ended = await s.call("POST", `/v1/runs/${done}/approvals/manager/link`, { token: s.keys.acmeOperator });
    expect(ended.status).toBe(409);
    expect((await json(ended)).error).toMatchObject({ code: "run_terminal", details: { status: "completed" } });
  });
});
