// `llm` and `agent` nodes run by a real engine against the mock LLM server (real OpenAI protocol): each
// model call and tool call is a journaled step, and a run that continues after an approval replays them
// from the journal without sending any request again (the mock's request log says so).
import { readFileSync } from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";
import { afterAll, describe, expect, it } from "vitest";
import {
  analyzeFlow,
  type ComponentRegistry,
  checkFlow,
  flowJsonSchema,
  flowWorkflow,
  parseFlow,
  type WorkflowDefinition,
} from "../../src/index.js";
import { duroJson, example, freshDir, removeTempDirs } from "../support/cli.js";
import { harness } from "../support/engine.js";
import { callTool, mockLlm } from "../support/llm.js";

function build(yaml: string, components: ComponentRegistry = {}) {
  const def = flowWorkflow(parseFlow(yaml), { components }) as WorkflowDefinition;
  return { ...harness("memory", [def]), def };
}

const stepKeys = async (h: ReturnType<typeof build>, id: string) =>
  (await h.engine.events(id)).flatMap((e) => (e.type === "step_completed" ? [e.key] : []));

const CLASSIFY = `
id: classify-ticket
nodes:
  classify:
    llm:
      model: openai:gpt-test
      system: Classify support tickets.
      prompt: "='Subject: ' & input.subject"
      temperature: 0
      responseSchema:
        type: object
        required: [category]
        additionalProperties: false
        properties:
          category: { enum: [refund, incident, question] }
          note: { type: string, description: "=literal, not an expression" }
    next: check
  check:
    approval: { summary: "='Category ' & nodes.classify.category & '?'" }
    next: done
  done:
    set: { category: "=nodes.classify.category" }
`;

describe("llm node", () => {
  it("returns the validated reply, repairs an invalid one, journals both calls and replays them without new requests", async () => {
    const server = await mockLlm({ replies: [{ content: '{"category":"refnd"}' }, { content: '```json\n{"category":"refund"}\n```' }] });
    const h = build(CLASSIFY);
    const { id } = await h.engine.start(h.def, { subject: "Please refund me" });
    expect((await h.settle(id)).status).toBe("waiting");
    expect(server.requests).toHaveLength(2);
    const first = server.requests[0]?.body as { messages: Array<{ role: string; content: string }>; temperature: number };
    expect(first.messages).toEqual([
      { role: "system", content: "Classify support tickets." },
      { role: "user", content: "Subject: Please refund me" },
    ]);
    expect(first.temperature).toBe(0);
    expect(JSON.stringify(first)).toContain('"description":"=literal, not an expression"');
    const repair = server.requests[1]?.body.messages as Array<{ role: string; content: string }>;
    expect(repair.at(-1)?.content).toMatch(/does not match the required JSON Schema: \/category/);

    await h.engine.approve(id, "check", { action: "approve" });
    const run = await h.settle(id);
    expect(run).toMatchObject({ status: "completed", output: { category: "refund" } });
    expect(server.requests).toHaveLength(2);
    expect(await stepKeys(h, id)).toEqual(["classify#0", "classify/repair#0", "done#0"]);
  });

  it("fails with schema_invalid when the repair is invalid too; the flow's budget is the run's budget", async () => {
    const server = await mockLlm({ replies: [{ content: "refund" }, { content: '{"category":"money"}' }] });
    const h = build(CLASSIFY);
    const { id } = await h.engine.start(h.def, { subject: "x" });
    const run = await h.settle(id);
    expect(run.error).toMatchObject({ code: "schema_invalid" });
    expect(server.requests).toHaveLength(2);

    const budgeted = build(`
id: budgeted
budget: { maxIterations: 1 }
nodes:
  one: { llm: { model: gpt-test, prompt: first }, next: two }
  two: { llm: { model: gpt-test, prompt: "=nodes.one & ', again'" } }
`);
    await server.load({ replies: [{ content: "a" }, { content: "b" }] });
    const limited = await budgeted.engine.start(budgeted.def, {});
    expect((await budgeted.settle(limited.id)).error).toMatchObject({ code: "limit_exceeded" });
    expect(server.requests).toHaveLength(3);
    expect((await budgeted.engine.events(limited.id)).some((e) => e.type === "limit_warning")).toBe(true);
  });

  it("a node's budget is the call's: a reply over maxTokens leaves no room for the repair", async () => {
    const server = await mockLlm({ replies: [{ content: "not json", usage: { inputTokens: 400, outputTokens: 200 } }, { content: "{}" }] });
    const h = build(`
id: small-budget
nodes:
  classify:
    llm:
      model: gpt-test
      prompt: "=input.text"
      responseSchema: { type: object }
      budget: { maxTokens: "=input.tokens" }
`);
    const { id } = await h.engine.start(h.def, { text: "hello", tokens: 500 });
    expect((await h.settle(id)).error).toMatchObject({ code: "limit_exceeded" });
    expect(server.requests).toHaveLength(1);
  });
});

const RESOLVE = `
id: resolve-ticket
nodes:
  resolve:
    agent:
      model: openai:gpt-test
      system: You resolve support tickets.
      prompt: "='Ticket from ' & input.email & ': ' & input.body"
      tools:
        - component: crm.lookup
          description: Look a customer up by email
          parameters:
            type: object
            required: [email]
            additionalProperties: false
            properties: { email: { type: string } }
      maxIterations: 4
      budget: { maxTokens: 100000 }
    next: check
  check:
    approval: { summary: "=nodes.resolve" }
`;

describe("agent node", () => {
  it("calls a component as a tool (bad arguments go back to the model), journals each turn and replays without new requests", async () => {
    const server = await mockLlm({
      replies: [
        callTool("crm_lookup", { mail: "ana@example.com" }),
        callTool("crm_lookup", { email: "ana@example.com" }),
        { content: "Ana is gold" },
      ],
    });
    const seen: unknown[] = [];
    const components = {
      "crm.lookup": async (args: unknown) => {
        seen.push(args);
        return { name: "Ana", tier: "gold" };
      },
    };
    const h = build(RESOLVE, components);
    const { id } = await h.engine.start(h.def, { email: "ana@example.com", body: "where is my order?" });
    expect((await h.settle(id)).status).toBe("waiting");
    expect(seen).toEqual([{ email: "ana@example.com" }]);
    expect(server.requests).toHaveLength(3);
    expect(server.requests[0]?.body.tools).toEqual([
      {
        type: "function",
        function: expect.objectContaining({
          name: "crm_lookup",
          description: "Look a customer up by email",
          parameters: expect.objectContaining({ required: ["email"] }),
        }),
      },
    ]);
    const sent = (i: number) => (server.requests[i]?.body.messages as Array<{ content: string }> | undefined)?.at(-1)?.content;
    expect(sent(1)).toMatch(/^error: invalid arguments for crm_lookup/);
    expect(sent(2)).toBe('{"name":"Ana","tier":"gold"}');

    await h.engine.approve(id, "check", { action: "approve" });
    expect(await h.settle(id)).toMatchObject({ status: "completed" });
    expect(server.requests).toHaveLength(3);
    expect(seen).toHaveLength(1);
    expect(await stepKeys(h, id)).toEqual(["resolve/turn#0", "resolve/turn#1", "resolve/tool:crm_lookup#0", "resolve/turn#2"]);
  });

  it("an agent node's budget stops its loop", async () => {
    const server = await mockLlm({ replies: [callTool("crm_lookup", { email: "a@b.c" }), { content: "done" }] });
    const h = build(RESOLVE.replace("budget: { maxTokens: 100000 }", "budget: { maxIterations: 1 }"), {
      "crm.lookup": async () => ({ tier: "free" }),
    });
    const { id } = await h.engine.start(h.def, { email: "a@b.c", body: "hi" });
    expect((await h.settle(id)).error).toMatchObject({ code: "limit_exceeded" });
    expect(server.requests).toHaveLength(1);
  });

  it("the published schema (schemas/flow.schema.json) accepts both kinds and the example", () => {
    const validate = new Ajv2020({ strict: false }).compile(flowJsonSchema());
    const example_ = readFileSync(example("flows/ticket-classifier.yaml"), "utf8");
    for (const text of [CLASSIFY, RESOLVE, example_]) {
      const doc = analyzeFlow(text).document;
      expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    }
    expect(validate(analyzeFlow(RESOLVE.replace("maxIterations: 4", "maxIterations: 4\n      frobnicate: 1")).document)).toBe(false);
  });

  it("the loader refuses an unknown tool component and a node without a prompt", () => {
    const problems = checkFlow(parseFlow(RESOLVE.replace("component: crm.lookup", "component: crm.nope")), {
      components: { "crm.lookup": async () => null },
    });
    expect(problems).toContainEqual(expect.objectContaining({ code: "missing_component", path: "nodes.resolve.agent.tools[0]" }));
    expect(() => parseFlow("id: x\nnodes:\n  a: { llm: { model: gpt-test } }\n")).toThrow(
      /nodes\.a\.llm: must have required property 'prompt'/,
    );
  });
});

describe("the ticket classifier example, offline", () => {
  afterAll(removeTempDirs);
  const classify = (ticket: Record<string, string>) =>
    duroJson<{ status: string; output: unknown }>(
      [
        "run",
        example("flows/ticket-classifier.yaml"),
        "--input",
        JSON.stringify({ email: "ops@shop.example", ...ticket }),
        "--mock-llm",
        example("flows/ticket-classifier.mock.json"),
      ],
      { cwd: freshDir("duro-flowai-"), timeoutMs: 30_000 },
    );

  it("`duro run … --mock-llm` repairs the model's invalid urgency and pages on-call", { timeout: 60_000 }, async () => {
    const run = await classify({ ticketId: "T-7", subject: "Checkout is down", body: "Every payment fails since 9:00" });
    expect(run).toMatchObject({
      status: "completed",
      output: { ticket: "T-7", category: "incident", urgency: "high", outcome: "escalated" },
    });
  });

  it("answers a plain question", { timeout: 60_000 }, async () => {
    const run = await classify({ ticketId: "T-8", subject: "Invoice address", body: "Can I change it?" });
    expect(run).toMatchObject({ status: "completed", output: { category: "question", outcome: "answered" } });
  });
});
