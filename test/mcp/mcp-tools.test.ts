// mcpTools: an MCP server's tools (a real McpServer of the SDK, over its in-memory transport) as tools of ctx.agent,
// with the mock LLM. Each call is a journaled step: resuming the run replays it without asking the MCP server (or the
// model) again; the tool listing is journaled too; an MCP tool's error result goes back to the model, not retried.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { type JournalEvent, workflow } from "duro";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { mcpTools } from "../../src/mcp/index.js";
import { harness } from "../support/engine.js";
import { callTool, mockLlm } from "../support/llm.js";

/** A stock server that counts what it is asked: requests by method, and each tool call with its _meta. */
async function countingServer() {
  const methods: string[] = [];
  const calls: Array<{ sku: string; meta: unknown }> = [];
  const server = new McpServer({ name: "stock", version: "1.0.0" });
  server.registerTool("stock_level", { description: "Units in stock for a SKU", inputSchema: { sku: z.string() } }, ({ sku }, extra) => {
    calls.push({ sku, meta: extra._meta });
    return { content: [{ type: "text", text: `${sku}: 7 units` }], structuredContent: { sku, units: 7 } };
  });
  server.registerTool("reorder", { description: "Orders more of a SKU", inputSchema: { sku: z.string() } }, ({ sku }) => ({
    isError: true,
    content: [{ type: "text", text: `supplier has no ${sku}` }],
  }));
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  await server.connect(serverTransport);
  const handle = serverTransport.onmessage;
  serverTransport.onmessage = (message, extra) => {
    if ("method" in message) methods.push(message.method);
    handle?.(message, extra);
  };
  const client = new Client({ name: "duro-agent", version: "1.0.0" });
  await client.connect(clientTransport);
  closers.push(() => client.close());
  return { client, methods, calls };
}

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

const stepKeys = (events: JournalEvent[]) => events.flatMap((e) => (e.type === "step_completed" ? [e.key] : []));
const toolCalls = (methods: string[]) => methods.filter((m) => m === "tools/call").length;

describe("mcpTools", () => {
  it("each MCP tool call is a journaled step: resuming the run replays it without calling the server again", async () => {
    const stock = await countingServer();
    const llm = await mockLlm({ replies: [callTool("stock_level", { sku: "A1" }), { content: "A1: 7 in stock" }] });
    const wf = workflow("stock-check", async (ctx) => {
      const result = await ctx.agent("clerk", { model: "gpt-test", prompt: "How many A1?", tools: await mcpTools(stock.client, { ctx }) });
      const decision = await ctx.approval("restock");
      return { text: result.text, decision: decision.action };
    });
    const { engine, settle } = harness("sqlite", [wf]);
    const { id } = await engine.start(wf, {});
    expect((await settle(id)).status).toBe("waiting");
    expect(stock.calls).toEqual([{ sku: "A1", meta: { "duro/idempotencyKey": `${id}:clerk/tool:stock_level#0` } }]);
    const asked = { methods: [...stock.methods], llm: llm.requests.length };

    await engine.approve(id, "restock", { action: "approve", by: "ops" });
    const done = await settle(id);

    expect(done).toMatchObject({ status: "completed", output: { text: "A1: 7 in stock", decision: "approve" } });
    expect(stock.methods).toEqual(asked.methods);
    expect(toolCalls(stock.methods)).toBe(1);
    expect(stock.methods.filter((m) => m === "tools/list")).toHaveLength(1);
    expect(llm.requests).toHaveLength(asked.llm);
    expect(stepKeys(await engine.events(id))).toEqual(["mcp:stock/tools#0", "clerk/turn#0", "clerk/tool:stock_level#0", "clerk/turn#1"]);
    const sent = llm.requests[1]?.body.messages as Array<{ role: string; content: string }>;
    expect(sent.at(-1)).toMatchObject({ role: "tool", content: '{"sku":"A1","units":7}' });
    expect(llm.requests[0]?.body.tools).toEqual([
      expect.objectContaining({
        function: expect.objectContaining({ name: "stock_level", parameters: expect.objectContaining({ required: ["sku"] }) }),
      }),
      expect.objectContaining({ function: expect.objectContaining({ name: "reorder" }) }),
    ]);
  });

  it("an MCP tool's error result goes back to the model as a tool error, and is not retried", async () => {
    const stock = await countingServer();
    const llm = await mockLlm({ replies: [callTool("stock_reorder", { sku: "B2" }), { content: "could not reorder B2" }] });
    const wf = workflow("reorder", async (ctx) => {
      const tools = await mcpTools(stock.client, { ctx, prefix: "stock_", include: ["reorder"] });
      return (await ctx.agent("buyer", { model: "gpt-test", prompt: "Reorder B2", tools })).text;
    });
    const { engine, settle } = harness("sqlite", [wf]);
    const { id } = await engine.start(wf, {});

    expect(await settle(id)).toMatchObject({ status: "completed", output: "could not reorder B2" });
    expect(toolCalls(stock.methods)).toBe(1);
    const sent = llm.requests[1]?.body.messages as Array<{ role: string; content: string }>;
    expect(sent.at(-1)?.content).toBe("error: stock_reorder failed: reorder: supplier has no B2");
    expect(llm.requests[0]?.body.tools).toHaveLength(1);
  });
});
