// Mocks: http rules (fixed, sequence, passthrough, record) intercept fetch; tools, kv and secrets answer from
// the spec; every hit is reported and lands in the transcript with phase "mock".
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { flowWorkflow, parseFlow, workflow } from "duro";
import { createTestEngine, Mocks } from "duro/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runToolCall, tool } from "../../src/agent/tools.js";
import type { MockHit } from "../../src/observe/transcript.js";

let server: Server;
let base: string;
beforeAll(async () => {
  server = createServer((req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ path: req.url, real: true }));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("http mocks", () => {
  it("serve fixed responses and sequences (the last repeats), pass through or record, and refuse unmatched requests", async () => {
    const hits: MockHit[] = [];
    const mocks = new Mocks(
      {
        http: [
          { method: "GET", url: "https://api.test/price/*", response: { body: { price: 5 } } },
          { url: "/status$/", sequence: [{ status: 503 }, { status: 200, body: "ok" }] },
          { url: `${base}/live`, passthrough: true },
          { url: `${base}/rec*`, record: true },
        ],
      },
      (hit) => hits.push(hit),
    );
    const restore = mocks.installFetch();
    try {
      expect(await (await fetch("https://api.test/price/A1")).json()).toEqual({ price: 5 });
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await fetch("https://api.test/status")).status);
      expect(statuses).toEqual([503, 200, 200]);
      expect(await (await fetch(`${base}/live`)).json()).toEqual({ path: "/live", real: true });
      expect(await (await fetch(`${base}/record-me`)).json()).toEqual({ path: "/record-me", real: true });
      await expect(fetch("https://api.test/other")).rejects.toMatchObject({ code: "mock_unmatched" });
    } finally {
      restore();
    }
    expect(hits.map((h) => (h.response as { status: number }).status)).toEqual([200, 503, 200, 200, 200, 200]);
    expect(mocks.recorded).toEqual([expect.objectContaining({ method: "GET", url: `${base}/record-me`, status: 200 })]);
  });

  it("a mocks spec with an unknown section or a rule without a response is refused with mocks_invalid", () => {
    expect(() => new Mocks({ llama: {} } as never)).toThrow(expect.objectContaining({ code: "mocks_invalid" }));
    expect(() => new Mocks({ http: [{ url: "x" }] })).toThrow(expect.objectContaining({ code: "mocks_invalid" }));
  });
});

describe("tools, kv and secrets mocks in a run", () => {
  const lookup = workflow("lookup", async (ctx, input: { q: string }) => {
    const found = await ctx.step("search", () => kit.mocks.tool("search", { q: input.q }));
    const rank = await ctx.step("rank", () => kit.mocks.tool("rank", found));
    const auth = await ctx.step("auth", () => ctx.secrets.get("SEARCH_KEY").length);
    return { found, rank, auth, region: kit.mocks.kv.get("region") };
  });
  const kit = createTestEngine({
    workflows: [lookup],
    mocks: {
      tools: { search: { result: ["a", "b"] }, rank: (args) => (args as string[]).length },
      kv: { region: "eu" },
      secrets: { SEARCH_KEY: "search-secret-123" },
    },
  });
  afterAll(() => kit.close());

  it("answers from the mocks, and each hit is a transcript line with phase mock in its step", async () => {
    const runId = await kit.start(lookup, { q: "x" });
    const run = await kit.runToCompletion(runId);
    expect(run.output).toEqual({ found: ["a", "b"], rank: 2, auth: 17, region: "eu" });
    const { transcript } = await kit.runFolder(runId);
    const mocked = transcript.lines.filter((l) => l.phase === "mock").map((l) => [l.component, l.step]);
    expect(mocked).toEqual([
      ["tools", "search#0"],
      ["tools", "rank#0"],
      ["secrets", "auth#0"],
    ]);
    expect(transcript.text).not.toContain("search-secret-123");
  });
});

describe("tools mocks stand in for flow components and agent tools of the same name", () => {
  const realCalls: string[] = [];
  const charge = async () => {
    realCalls.push("charge");
    throw new Error("the real payment API must not be called under mocks");
  };
  const flow = flowWorkflow(
    parseFlow("id: checkout\nnodes:\n  pay: { call: charge, with: { amount: '=input.amount' } }\n", { path: "checkout.yaml" }),
    { components: { charge } },
  );
  const agentLike = workflow("agent-like", async (ctx, input: { amount: number }) => {
    const chargeTool = tool({ name: "charge", parameters: { type: "object" }, run: charge });
    const message = await runToolCall(ctx, "clerk", [chargeTool], { id: "call-1", name: "charge", arguments: JSON.stringify(input) });
    return message.content;
  });
  const kit = createTestEngine({
    workflows: [flow, agentLike],
    mocks: { tools: { charge: (args) => ({ charged: (args as { amount: number }).amount, id: "ch_mock" }) } },
  });
  afterAll(() => kit.close());

  it("a flow's call node gets the mock's result, journaled in its step, and the real component never runs", async () => {
    const run = await kit.runToCompletion(await kit.start(flow, { amount: 42 }));
    expect(run).toMatchObject({ status: "completed", output: { charged: 42, id: "ch_mock" } });
    const { transcript } = await kit.runFolder(run.id);
    expect(transcript.lines.filter((l) => l.phase === "mock").map((l) => [l.component, l.step])).toEqual([["tools", "pay#0"]]);
    expect(realCalls).toEqual([]);
  });

  it("an agent's tool call is answered by the mock, and the model gets the mock's result", async () => {
    const run = await kit.runToCompletion(await kit.start(agentLike, { amount: 7 }));
    expect(run).toMatchObject({ status: "completed", output: JSON.stringify({ charged: 7, id: "ch_mock" }) });
    expect(realCalls).toEqual([]);
  });
});
