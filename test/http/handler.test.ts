// duroHandler mounted under /duro: the API, the UI's page and assets, approval links and SSE all under the prefix;
// API keys (the `duro serve` model) or the app's own function decide who calls, and tenants stay apart.
import { join } from "node:path";
import { duroHandler } from "duro/http";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../support/cli.js";
import { bearer, fixture, readSse } from "./support.js";

const ORIGIN = "http://app.example";

async function startOrder(handler: (r: Request) => Promise<Response>, token: string): Promise<string> {
  const response = await handler(
    new Request(`${ORIGIN}/duro/v1/runs`, {
      method: "POST",
      headers: bearer(token, { "content-type": "application/json" }),
      body: JSON.stringify({ workflow: "order", input: { item: "pen" } }),
    }),
  );
  expect(response.status).toBe(201);
  return ((await response.json()) as { id: string }).id;
}

describe("duroHandler with API keys", () => {
  it("serves the UI's page at <prefix>/ and its assets under the prefix", async () => {
    const { engine } = await fixture();
    // The built UI (npm run build), as the package serves it.
    const handler = duroHandler({ engine, auth: "keys", prefix: "/duro", uiDir: join(REPO_ROOT, "dist", "ui") });

    const bare = await handler(new Request(`${ORIGIN}/duro`));
    const page = await handler(new Request(`${ORIGIN}/duro/`));
    const html = await page.text();
    const script = /src="\.\/(assets\/[^"]+\.js)"/.exec(html)?.[1];
    const asset = await handler(new Request(`${ORIGIN}/duro/${script}`));

    expect(bare.status).toBe(308);
    expect(bare.headers.get("location")).toBe(`${ORIGIN}/duro/`);
    expect(page.status).toBe(200);
    expect(script).toBeDefined();
    expect(asset.status).toBe(200);
    expect(asset.headers.get("content-type")).toContain("text/javascript");
    // The UI finds the API under the path its page was served at.
    expect(await asset.text()).toContain("location.pathname");
  });

  it("answers the API under the prefix and refuses a request without a key with 401", async () => {
    const { engine, keys } = await fixture();
    const handler = duroHandler({ engine, auth: "keys" });

    const runId = await startOrder(handler, keys.acme);
    const shown = await handler(new Request(`${ORIGIN}/duro/v1/runs/${runId}`, { headers: bearer(keys.acme) }));
    const anonymous = await handler(new Request(`${ORIGIN}/duro/v1/runs/${runId}`));
    const outside = await handler(new Request(`${ORIGIN}/v1/runs/${runId}`, { headers: bearer(keys.acme) }));

    expect(shown.status).toBe(200);
    expect(((await shown.json()) as { workflow: string }).workflow).toBe("order");
    expect(anonymous.status).toBe(401);
    expect(((await anonymous.json()) as { error: { code: string } }).error.code).toBe("unauthorized");
    expect(outside.status).toBe(404);
    expect(((await outside.json()) as { error: { message: string } }).error.message).toContain("mounted at /duro/");
  });

  it("keeps tenants apart: another tenant's key neither sees nor lists the run", async () => {
    const { engine, keys } = await fixture();
    const handler = duroHandler({ engine, auth: "keys" });
    const runId = await startOrder(handler, keys.acme);

    const shown = await handler(new Request(`${ORIGIN}/duro/v1/runs/${runId}`, { headers: bearer(keys.globex) }));
    const listed = await handler(new Request(`${ORIGIN}/duro/v1/runs`, { headers: bearer(keys.globex) }));
    const approved = await handler(
      new Request(`${ORIGIN}/duro/v1/runs/${runId}/approvals/ship`, {
        method: "POST",
        headers: bearer(keys.globex, { "content-type": "application/json" }),
        body: JSON.stringify({ action: "approve" }),
      }),
    );

    expect(shown.status).toBe(404);
    expect(((await listed.json()) as { runs: unknown[] }).runs).toEqual([]);
    expect(approved.status).toBe(404);
  });

  it("makes approval links under the prefix, whose page posts back under it", async () => {
    const { engine, keys } = await fixture();
    const handler = duroHandler({ engine, auth: "keys", prefix: "/ops/duro" });
    const runId = (await engine.start("order", { item: "pen" }, { tenant: "acme" })).id;
    await engine.runUntilSettled(runId, { maxWaitMs: 0 });

    const made = await handler(
      new Request(`${ORIGIN}/ops/duro/v1/runs/${runId}/approvals/ship/link`, { method: "POST", headers: bearer(keys.acme) }),
    );
    const { url } = (await made.json()) as { url: string };
    const page = await (await handler(new Request(url))).text();
    const action = /action="([^"]+)"/.exec(page)?.[1] as string;
    const form = new FormData();
    form.set("action", "approve");
    const decided = await handler(new Request(`${ORIGIN}${action}`, { method: "POST", body: form }));
    await engine.runUntilSettled(runId, { maxWaitMs: 0 });

    expect(url).toMatch(new RegExp(`^${ORIGIN}/ops/duro/approve/[^/]+$`));
    expect(action).toBe(new URL(url).pathname);
    expect(decided.status).toBe(200);
    expect((await engine.get(runId)).output).toEqual({ item: "pen", shipped: true });
  });

  it("streams a run's journal (SSE) under the prefix while the run waits", async () => {
    const { engine, keys, hub } = await fixture();
    const handler = duroHandler({ engine, auth: "keys", hub });
    const runId = await startOrder(handler, keys.acme);
    await engine.runUntilSettled(runId, { maxWaitMs: 0 });

    const stream = await handler(new Request(`${ORIGIN}/duro/v1/runs/${runId}/stream`, { headers: bearer(keys.acme) }));
    const messages = await readSse(stream, (m) => m.event === "journal" && JSON.parse(m.data).type === "wait_started");

    expect(stream.headers.get("content-type")).toContain("text/event-stream");
    expect(messages.map((m) => JSON.parse(m.data).type)).toEqual(["run_created", "step_started", "step_completed", "wait_started"]);
  });
});

describe("duroHandler with the app's own auth function", () => {
  const session = (request: Request) => {
    const user = /(?:^|; )session=(\w+)/.exec(request.headers.get("cookie") ?? "")?.[1];
    if (user === "ada") return { keyId: "user:ada", tenant: "acme", role: "operator" as const };
    if (user === "bob") return { keyId: "user:bob", tenant: "globex", role: "admin" as const };
    return undefined;
  };

  it("answers for the caller the function returns and refuses 401 when it returns none", async () => {
    const { engine } = await fixture();
    const handler = duroHandler({ engine, auth: session });
    const runId = (await engine.start("order", { item: "pen" }, { tenant: "acme" })).id;

    const ada = await handler(new Request(`${ORIGIN}/duro/v1/runs/${runId}`, { headers: { cookie: "session=ada" } }));
    const bob = await handler(new Request(`${ORIGIN}/duro/v1/runs/${runId}`, { headers: { cookie: "session=bob" } }));
    const nobody = await handler(new Request(`${ORIGIN}/duro/v1/me`));
    const me = (await (await handler(new Request(`${ORIGIN}/duro/v1/me`, { headers: { cookie: "session=ada" } }))).json()) as object;

    expect(ada.status).toBe(200);
    expect(bob.status).toBe(404);
    expect(nobody.status).toBe(401);
    expect(me).toEqual({ keyId: "user:ada", tenant: "acme", role: "operator", allTenants: false });
  });

  it("refuses a write a page of another origin sends with the user's cookie", async () => {
    const { engine } = await fixture();
    const handler = duroHandler({ engine, auth: session });
    const runId = (await engine.start("order", { item: "pen" }, { tenant: "acme" })).id;
    const cancel = (origin: string) =>
      handler(
        new Request(`${ORIGIN}/duro/v1/runs/${runId}/cancel`, {
          method: "POST",
          headers: { cookie: "session=ada", origin, host: "app.example", "content-type": "application/json" },
          body: "{}",
        }),
      );

    const forged = await cancel("https://evil.example");
    const own = await cancel(ORIGIN);

    expect(forged.status).toBe(403);
    expect(((await forged.json()) as { error: { code: string } }).error.code).toBe("origin_not_allowed");
    expect(own.status).toBe(202);
  });

  it("says which field of a caller the function got wrong", async () => {
    const { engine } = await fixture();
    const handler = duroHandler({ engine, auth: () => ({ keyId: "u1", tenant: "acme", role: "owner" as never }) });

    const response = await handler(new Request(`${ORIGIN}/duro/v1/me`));
    const body = (await response.json()) as { error: { code: string; message: string } };

    expect(response.status).toBe(400);
    expect(body.error.code).toBe("invalid_caller");
    expect(body.error.message).toContain('invalid role: "owner"');
  });

  it("refuses a prefix that is not a path", async () => {
    const { engine } = await fixture();
    expect(() => duroHandler({ engine, auth: "keys", prefix: "duro?x" })).toThrow(/prefix must be a path/);
  });
});
