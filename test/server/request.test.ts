// Requests that used to reach a route as a stack trace (issue 14, item 15): deeply nested JSON bodies and URLs with
// malformed percent-encoding get a 400 with a code, and nothing is started or sent.
import { describe, expect, it } from "vitest";
import { json, testServer } from "./support.js";

const nested = (depth: number) => `${"[".repeat(depth)}${"]".repeat(depth)}`;

describe("request bodies", () => {
  it("a body nested deeper than the limit is 400 body_too_deep on every JSON route, and starts or sends nothing", async () => {
    const s = await testServer();
    const token = s.keys.acmeAdmin;
    const id = await s.startSettled("expense", { amount: 5 });
    const deep = nested(100_000);
    const requests = [
      s.call("POST", "/v1/runs", { token, raw: `{"workflow":"expense","input":${deep}}` }),
      s.call("POST", "/v1/events", { token, raw: `{"key":"k","payload":${deep}}` }),
      s.call("POST", `/v1/runs/${id}/answers/colour`, { token, raw: `{"value":${deep}}` }),
      s.call("POST", "/v1/runs", { token, raw: `{"workflow":"expense","input":${nested(65)}}` }),
    ];
    for (const response of await Promise.all(requests)) {
      expect(response.status).toBe(400);
      expect((await json(response)).error).toMatchObject({ code: "body_too_deep", details: { path: "body", maxDepth: 64 } });
    }
    expect((await s.engine.list()).runs.map((r) => r.id)).toEqual([id]);
    expect(await s.engine.store.listInbox({ tenant: "acme" })).toEqual([]);
  });

  it("nesting up to the limit is accepted, and brackets inside strings do not count", async () => {
    const s = await testServer({ maxJsonDepth: 8 });
    const token = s.keys.acmeAdmin;
    // The body object is one level, so the input may nest 7 more.
    const ok = await s.call("POST", "/v1/runs", { token, raw: `{"workflow":"expense","input":${nested(7)}}` });
    expect(ok.status).toBe(201);
    const text = await s.call("POST", "/v1/events", { token, body: { key: "k", payload: { note: '[[[[[[[[[[{{{{{{{{\\"[[[[' } } });
    expect(text.status).toBe(202);
    const over = await s.call("POST", "/v1/runs", { token, raw: `{"workflow":"expense","input":${nested(8)}}` });
    expect((await json(over)).error.code).toBe("body_too_deep");
  });
});

describe("URLs", () => {
  it("malformed percent-encoding in the path or query is 400 invalid_url, with or without a key", async () => {
    const s = await testServer();
    for (const path of ["/%E0%A4%A", "/assets/%ZZ.js", "/v1/runs/%E0%A4%A", "/v1/runs?workflow=%E0%A4%A", "/approve/%C3"]) {
      const response = await s.call("GET", path, { token: s.keys.acmeViewer });
      expect(response.status, path).toBe(400);
      expect((await json(response)).error.code, path).toBe("invalid_url");
    }
    expect((await s.call("GET", "/v1/runs?workflow=caf%C3%A9", { token: s.keys.acmeViewer })).status).toBe(200);
  });
});
