// Cross-site requests (issue 14, item 5): with --dev no key protects the API, so Host (DNS rebinding), Origin and the
// body's type decide whether a request a web page makes the browser send reaches a route. listen() binds loopback.
import { createEngine } from "duro";
import { describe, expect, it } from "vitest";
import { listen } from "../../src/server/index.js";
import { MemoryStore } from "../../src/store/index.js";
import { json, type TestServer, testServer } from "./support.js";

const start = { workflow: "expense", input: { amount: 3 } };

async function runCount(s: TestServer): Promise<number> {
  return (await s.engine.list()).runs.length;
}

describe("duro serve --dev refuses cross-site requests", () => {
  it("a Host other than the loopback names (DNS rebinding) is 403 host_not_allowed and starts nothing", async () => {
    const s = await testServer({ dev: true });
    for (const host of ["evil.example", "evil.example:8080", "127.0.0.1.evil.example"]) {
      const response = await s.call("POST", "/v1/runs", { body: start, headers: { host } });
      expect(response.status, host).toBe(403);
      expect((await json(response)).error.code).toBe("host_not_allowed");
    }
    expect((await s.call("POST", "/v1/keys", { body: { role: "admin" }, headers: { host: "evil.example" } })).status).toBe(403);
    expect(await runCount(s)).toBe(0);
    for (const host of ["localhost:8080", "127.0.0.1:8080", "[::1]:8080"]) {
      expect((await s.call("POST", "/v1/runs", { body: start, headers: { host } })).status, host).toBe(201);
    }
  });

  it("a name given with allowedHosts is answered", async () => {
    const s = await testServer({ dev: true, allowedHosts: ["devbox.internal"] });
    expect((await s.call("GET", "/v1/runs", { headers: { host: "devbox.internal:8080" } })).status).toBe(200);
    expect((await s.call("GET", "/v1/runs", { headers: { host: "other.internal:8080" } })).status).toBe(403);
  });

  it("a request from another origin is 403 origin_not_allowed; the server's own origin and allowedOrigins pass", async () => {
    const s = await testServer({ dev: true, allowedOrigins: ["http://localhost:5173"] });
    const host = "127.0.0.1:8080";
    const foreign = await s.call("POST", "/v1/runs", { body: start, headers: { host, origin: "https://evil.example" } });
    expect(foreign.status).toBe(403);
    expect((await json(foreign)).error.code).toBe("origin_not_allowed");
    const opaque = await s.call("POST", "/v1/runs", { body: start, headers: { host, origin: "null" } });
    expect(opaque.status).toBe(403);
    expect(await runCount(s)).toBe(0);
    expect((await s.call("POST", "/v1/runs", { body: start, headers: { host, origin: "http://127.0.0.1:8080" } })).status).toBe(201);
    expect((await s.call("POST", "/v1/runs", { body: start, headers: { host, origin: "http://localhost:5173" } })).status).toBe(201);
  });

  it("a text/plain body (what a cross-site form or simple fetch sends) is 415 unsupported_media_type and starts nothing", async () => {
    const s = await testServer({ dev: true });
    const raw = JSON.stringify(start);
    for (const type of ["text/plain", "text/plain;charset=UTF-8", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"]) {
      const response = await s.call("POST", "/v1/runs", { raw, headers: { "content-type": type } });
      expect(response.status, type).toBe(415);
      expect((await json(response)).error.code).toBe("unsupported_media_type");
    }
    const untyped = await s.call("POST", "/v1/runs", { raw, headers: { "content-type": "" } });
    expect(untyped.status).toBe(415);
    expect(await runCount(s)).toBe(0);
    const typed = await s.call("POST", "/v1/runs", { raw, headers: { "content-type": "application/json; charset=utf-8" } });
    expect(typed.status).toBe(201);
  });
});

describe("outside dev mode", () => {
  it("Host and Origin are checked only when allowedHosts or allowedOrigins are given; JSON bodies always", async () => {
    const open = await testServer();
    const token = open.keys.acmeAdmin;
    expect((await open.call("GET", "/v1/runs", { token, headers: { host: "duro.example.com" } })).status).toBe(200);
    const behindProxy = { host: "127.0.0.1:8080", origin: "https://duro.example.com" };
    expect((await open.call("POST", "/v1/runs", { token, body: start, headers: behindProxy })).status).toBe(201);

    const listed = await testServer({ allowedOrigins: ["https://ops.example.com"] });
    const as = { token: listed.keys.acmeAdmin, body: start };
    const foreign = await listed.call("POST", "/v1/runs", { ...as, headers: { host: "duro.example.com", origin: "https://evil.example" } });
    expect(foreign.status).toBe(403);
    expect((await json(foreign)).error.code).toBe("origin_not_allowed");
    const proxied = await listed.call("POST", "/v1/runs", { ...as, headers: { ...behindProxy, "x-forwarded-host": "duro.example.com" } });
    expect(proxied.status).toBe(201);
    const ops = await listed.call("POST", "/v1/runs", { ...as, headers: { host: "duro.example.com", origin: "https://ops.example.com" } });
    expect(ops.status).toBe(201);
    const read = await listed.call("GET", "/v1/runs", { token: listed.keys.acmeAdmin, headers: { origin: "https://evil.example" } });
    expect(read.status).toBe(200);
    expect(
      (await open.call("POST", "/v1/runs", { token, raw: JSON.stringify(start), headers: { "content-type": "text/plain" } })).status,
    ).toBe(415);

    const pinned = await testServer({ allowedHosts: ["duro.example.com"] });
    const misdirected = await pinned.call("GET", "/v1/runs", { token: pinned.keys.acmeAdmin, headers: { host: "evil.example" } });
    expect(misdirected.status).toBe(403);
    expect((await json(misdirected)).error.code).toBe("host_not_allowed");
  });

  it("listen() binds 127.0.0.1 unless given another address", async () => {
    const engine = createEngine({ store: new MemoryStore(), workflows: [] });
    const server = await listen({ engine, port: 0, worker: false });
    try {
      expect(server.address).toBe("127.0.0.1");
      expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    } finally {
      await server.close();
    }
  });
});
