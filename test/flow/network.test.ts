// Network governance for flows' http nodes (src/flow/network.ts, src/flow/nodes/http.ts): a pack's flows reach only
// the hosts its `net:` grants name, special addresses (loopback, link-local, private) only when granted by address,
// checked on the resolved address and on every redirect, before any connection; responses have a size limit.
// Real servers listen on 127.0.0.1 only; 169.254.169.254 is only ever checked, never connected to.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { checkTarget, flowWorkflow, type HttpLimits, isSpecialAddress, type NetworkPolicy, parseFlow } from "../../src/flow/index.js";
import { harness } from "../support/engine.js";

let server: Server;
let port: number;
let requests: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push(req.url ?? "");
    if (req.url === "/to-metadata") {
      res.writeHead(302, { location: "http://169.254.169.254/latest/meta-data/" }).end();
      return;
    }
    if (req.url === "/to-self") {
      res.writeHead(302, { location: "/ok" }).end();
      return;
    }
    if (req.url === "/big") {
      res.writeHead(200, { "content-type": "text/plain" });
      res.end("x".repeat(64 * 1024));
      return;
    }
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ ok: true, url: req.url }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  requests = [];
});

const pack = (grants: string[], lookup?: NetworkPolicy["lookup"]): HttpLimits => ({
  policy: { owner: "pack test.net@1.0.0", grants, ...(lookup ? { lookup } : {}) },
});

/** The step's own error inside the run's step_failed. */
const cause = (run: { error?: { details?: Record<string, unknown> } | undefined }) =>
  (run.error?.details?.error ?? {}) as { code?: string; message?: string };

async function get(url: string, http: HttpLimits) {
  const doc = parseFlow(
    `id: net-${Math.random().toString(36).slice(2)}\nnodes:\n  get:\n    http: { url: "${url}" }\n    retry: { maxAttempts: 1 }\n`,
  );
  const def = flowWorkflow(doc, { http });
  const h = harness("memory", [def]);
  const { id } = await h.engine.start(def, {});
  return h.settle(id);
}

describe("http nodes in a pack", () => {
  it("a pack that grants no host cannot reach a server on 127.0.0.1: capability_denied, and the server sees nothing", async () => {
    const run = await get(`http://127.0.0.1:${port}/secret`, pack([]));
    expect(run.status).toBe("failed");
    expect(cause(run).code).toBe("capability_denied");
    expect(cause(run).message).toContain("pack test.net@1.0.0 may not connect to 127.0.0.1");
    expect(requests).toEqual([]);
  });

  it("a host name grant does not open loopback: localhost resolves to 127.0.0.1, which needs an address grant", async () => {
    const run = await get(`http://localhost:${port}/secret`, pack(["localhost"]));
    expect(run.status).toBe("failed");
    expect(cause(run).code).toBe("capability_denied");
    expect(cause(run).message).toContain("loopback, link-local or private address");
    expect(requests).toEqual([]);
  });

  it("an explicit address grant (with its port) reaches the server", async () => {
    const run = await get(`http://127.0.0.1:${port}/ok`, pack([`127.0.0.1:${port}`]));
    expect(run).toMatchObject({ status: "completed", output: { status: 200, body: { ok: true, url: "/ok" } } });
    expect(requests).toEqual(["/ok"]);
  });

  it("a granted server that redirects to 169.254.169.254 is refused at the redirect, before connecting there", async () => {
    const run = await get(`http://127.0.0.1:${port}/to-metadata`, pack([`127.0.0.1:${port}`]));
    expect(run.status).toBe("failed");
    expect(cause(run).code).toBe("capability_denied");
    expect(cause(run).message).toContain("169.254.169.254:80");
    expect(requests).toEqual(["/to-metadata"]);
  });

  it("a redirect within the grant is followed", async () => {
    const run = await get(`http://127.0.0.1:${port}/to-self`, pack([`127.0.0.1:${port}`]));
    expect(run).toMatchObject({ status: "completed", output: { body: { url: "/ok" } } });
  });

  it("a response over the size limit fails with http_response_too_large (local flows too)", async () => {
    const governed = await get(`http://127.0.0.1:${port}/big`, { ...pack([`127.0.0.1:${port}`]), maxResponseBytes: 1024 });
    expect(governed.status).toBe("failed");
    expect(cause(governed).code).toBe("http_response_too_large");
    const local = await get(`http://127.0.0.1:${port}/big`, { maxResponseBytes: 1024 });
    expect(local.status).toBe("failed");
    expect(cause(local).code).toBe("http_response_too_large");
  });
});

describe("checkTarget", () => {
  it("refuses a granted name that resolves to 169.254.169.254 (DNS rebinding) without connecting", async () => {
    const lookup = async () => [{ address: "169.254.169.254", family: 4 }];
    const policy = { owner: "pack test.net@1.0.0", grants: ["api.example.com"], lookup };
    await expect(checkTarget(new URL("http://api.example.com/x"), policy, "nodes.get")).rejects.toMatchObject({
      code: "capability_denied",
      message: expect.stringContaining("resolves to 169.254.169.254"),
    });
  });

  it("refuses 169.254.169.254 itself unless granted by address, and checks every address a name has", async () => {
    const policy = { owner: "p", grants: ["*.example.com"] };
    await expect(checkTarget(new URL("http://169.254.169.254/"), policy, "w")).rejects.toMatchObject({ code: "capability_denied" });
    const mixed = {
      owner: "p",
      grants: ["api.example.com"],
      lookup: async () => [
        { address: "93.184.216.34", family: 4 },
        { address: "10.0.0.8", family: 4 },
      ],
    };
    await expect(checkTarget(new URL("https://api.example.com/"), mixed, "w")).rejects.toMatchObject({ code: "capability_denied" });
    const public_ = { owner: "p", grants: ["*.example.com"], lookup: async () => [{ address: "93.184.216.34", family: 4 }] };
    await expect(checkTarget(new URL("https://api.example.com/"), public_, "w")).resolves.toEqual({ address: "93.184.216.34", family: 4 });
    const range = { owner: "p", grants: ["internal.corp", "10.0.0.0/8"], lookup: async () => [{ address: "10.1.2.3", family: 4 }] };
    await expect(checkTarget(new URL("http://internal.corp/"), range, "w")).resolves.toEqual({ address: "10.1.2.3", family: 4 });
  });

  it("knows the special ranges, IPv6 and IPv4-mapped forms included", () => {
    for (const address of [
      "127.0.0.1",
      "10.2.3.4",
      "172.20.0.1",
      "192.168.1.1",
      "169.254.169.254",
      "0.0.0.0",
      "::1",
      "fe80::1",
      "fd00::1",
      "::ffff:127.0.0.1",
      "100.64.0.1",
    ])
      expect(isSpecialAddress(address), address).toBe(true);
    for (const address of ["93.184.216.34", "2606:2800:220:1::1", "8.8.8.8"]) expect(isSpecialAddress(address), address).toBe(false);
  });
});
