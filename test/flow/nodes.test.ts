// Every node kind, run by a real engine (memory store, fake clock): the flow interpreter is a workflow, so
// each test starts a run, drives it like any other run, and looks at its output, status and journal.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ComponentRegistry,
  type FlowDocument,
  flowWorkflow,
  flowWorkflows,
  parseFlow,
  type WorkflowDefinition,
} from "../../src/index.js";
import { harness } from "../support/engine.js";

function build(yaml: string, components: ComponentRegistry = {}, flows: FlowDocument[] = []) {
  const doc = parseFlow(yaml);
  const byId = new Map(flows.map((f) => [f.id, f]));
  const workflows = flowWorkflows(doc, { components, resolveFlow: (id) => byId.get(id) });
  const h = harness("memory", workflows);
  return { ...h, def: workflows[0] as WorkflowDefinition };
}

async function runFlow(yaml: string, input: unknown = {}, components: ComponentRegistry = {}, flows: FlowDocument[] = []) {
  const h = build(yaml, components, flows);
  const { id } = await h.engine.start(h.def, input);
  return { ...h, id, run: await h.settle(id) };
}

const stepKeys = async (h: { engine: { events(id: string): Promise<Array<{ type: string; key?: string }>> } }, id: string) =>
  (await h.engine.events(id)).flatMap((e) => (e.type === "step_completed" ? [e.key as string] : []));

describe("call", () => {
  it("calls the component with the evaluated `with:` and journals its result as one step", async () => {
    const seen: unknown[] = [];
    const components = {
      "crm.lookup": async (input: unknown) => {
        seen.push(input);
        return { tier: "gold" };
      },
    };
    const h = await runFlow(
      `
id: calls
nodes:
  lookup:
    call: crm.lookup
    with: { email: "=input.email", fixed: plain, escaped: "==not an expression" }
    output: $result.tier
`,
      { email: "a@b.c" },
      components,
    );
    expect(h.run).toMatchObject({ status: "completed", output: "gold" });
    expect(seen).toEqual([{ email: "a@b.c", fixed: "plain", escaped: "=not an expression" }]);
    expect(await stepKeys(h, h.id)).toEqual(["lookup#0"]);
  });

  it("retries a failing component with the node's retry policy and the same idempotency key", async () => {
    const keys: string[] = [];
    const flaky = async (_input: unknown, step: { attempt: number; idempotencyKey: string }) => {
      keys.push(step.idempotencyKey);
      if (step.attempt < 3) throw new Error(`attempt ${step.attempt} failed`);
      return step.attempt;
    };
    const h = await runFlow(
      `
id: retries
nodes:
  flaky: { call: flaky, retry: { maxAttempts: 3, initialDelay: 0 } }
`,
      {},
      { flaky },
    );
    expect(h.run).toMatchObject({ status: "completed", output: 3 });
    expect(new Set(keys)).toEqual(new Set([`${h.id}:flaky#0`]));
    expect(keys).toHaveLength(3);
  });

  it("a node's timeout aborts a slow component; onError catches the failure and the error is in nodes.<id>.error", async () => {
    const slow = (_input: unknown, step: { signal: AbortSignal }) =>
      new Promise((_resolve, reject) => step.signal.addEventListener("abort", () => reject(new Error("aborted"))));
    const h = await runFlow(
      `
id: timeouts
nodes:
  slow: { call: slow, timeout: 20ms, retry: { maxAttempts: 1 }, onError: recover }
  done: { end: true, output: "'unreachable'" }
  recover:
    set: { reason: "=nodes.slow.error.details.error.code" }
    output: $result.reason
`,
      {},
      { slow },
    );
    expect(h.run).toMatchObject({ status: "completed", output: "step_timeout" });
  });
});

describe("http", () => {
  let server: Server;
  let base: string;
  let failuresLeft = 0;
  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk) => {
        body += chunk;
      });
      req.on("end", () => {
        if (req.url === "/flaky" && failuresLeft-- > 0) {
          res.writeHead(503).end("busy");
          return;
        }
        if (req.url === "/missing") {
          res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: "no such order" }));
          return;
        }
        res.writeHead(200, { "content-type": "application/json" });
        res.end(
          JSON.stringify({
            method: req.method,
            url: req.url,
            authorized: req.headers.authorization === "Bearer t0k-orders",
            body: body ? JSON.parse(body) : null,
          }),
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("sends the evaluated request and parses a JSON answer into { status, headers, body }", async () => {
    // At least MIN_SECRET_LENGTH (4) characters: ctx.secrets refuses shorter values with secret_too_short.
    process.env.ORDERS_TOKEN = "t0k-orders";
    const h = await runFlow(
      `
id: http-post
nodes:
  post:
    http:
      method: POST
      url: "=input.base & '/orders/' & input.order"
      headers: { authorization: "='Bearer ' & $secret('ORDERS_TOKEN')" }
      body: { qty: "=input.qty" }
`,
      { base, order: "o-7", qty: 2 },
    );
    expect(h.run.status).toBe("completed");
    expect(h.run.output).toMatchObject({
      status: 200,
      body: { method: "POST", url: "/orders/o-7", authorized: true, body: { qty: 2 } },
    });
    // The token comes from the secrets ($secret, bound only inside the step) and is journaled nowhere.
    expect(JSON.stringify(await h.engine.events(h.id))).not.toContain("t0k-orders");
  });

  it("retries a 503 and fails at once on a 404, which onError can catch", async () => {
    failuresLeft = 2;
    const h = await runFlow(
      `
id: http-errors
nodes:
  flaky: { http: { url: "=input.base & '/flaky'" }, retry: { maxAttempts: 3, initialDelay: 0 }, next: missing }
  missing: { http: { url: "=input.base & '/missing'" }, retry: { maxAttempts: 3, initialDelay: 0 }, onError: handled }
  handled:
    set: { flaky: "=nodes.flaky.status", missing: "=nodes.missing.error.details.error.details.status" }
`,
      { base },
    );
    expect(h.run).toMatchObject({ status: "completed", output: { flaky: 200, missing: 404 } });
    const started = (await h.engine.events(h.id)).filter((e) => e.type === "step_started").map((e) => (e as { key: string }).key);
    expect(started).toEqual(["flaky#0", "flaky#0", "flaky#0", "missing#0", "handled#0"]);
  });
});

describe("set and switch", () => {
  const routing = `
id: routing
nodes:
  total:
    set: { total: "=$sum(input.items.price)" , big: "=$sum(input.items.price) > 100" }
    next: route
  route:
    switch:
      - when: vars.big and input.vip
        next: concierge
      - when: vars.big
        next: review
    next: auto
  concierge: { set: { lane: concierge } }
  review: { set: { lane: review } }
  auto: { set: { lane: auto } }
output: "{ 'total': vars.total, 'lane': vars.lane }"
`;
  it.each([
    [
      { vip: true, items: [{ price: 80 }, { price: 40 }] },
      { total: 120, lane: "concierge" },
    ],
    [
      { vip: false, items: [{ price: 80 }, { price: 40 }] },
      { total: 120, lane: "review" },
    ],
    [
      { vip: true, items: [{ price: 8 }] },
      { total: 8, lane: "auto" },
    ],
  ])("set writes vars and switch takes the first true case, else its next (%j)", async (input, output) => {
    const h = await runFlow(routing, input);
    expect(h.run).toMatchObject({ status: "completed", output });
  });

  it("a switch with no true case and no next ends the graph", async () => {
    const h = await runFlow(`
id: nothing
nodes:
  route:
    switch: [{ when: "false", next: never }]
  never: { set: { x: 1 } }
output: "$exists(nodes.never)"
`);
    expect(h.run).toMatchObject({ status: "completed", output: false });
  });
});

describe("parallel", () => {
  it("runs its branches concurrently and joins their results by branch name", async () => {
    let running = 0;
    let peak = 0;
    const slow = async (input: unknown) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setTimeout(resolve, 10));
      running--;
      return input;
    };
    const h = await runFlow(
      `
id: fan
nodes:
  both:
    parallel:
      branches:
        stock:
          nodes:
            check: { call: slow, with: { in: stock }, output: $result.in }
        credit:
          nodes:
            check: { call: slow, with: { in: credit }, next: note }
            note: { set: { seen: "=nodes.check.in" }, output: "'credit ok: ' & $result.seen" }
`,
      {},
      { slow },
    );
    expect(h.run).toMatchObject({ status: "completed", output: { stock: "stock", credit: "credit ok: credit" } });
    expect(peak).toBe(2);
    expect((await stepKeys(h, h.id)).sort()).toEqual(["both.credit.check#0", "both.credit.note#0", "both.stock.check#0"]);
  });
});

describe("map", () => {
  it("runs the body per item, at most `concurrency` at a time, and returns the results in item order", async () => {
    let running = 0;
    let peak = 0;
    const square = async (value: unknown) => {
      const input = value as { n: number };
      running++;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setTimeout(resolve, 5 * (5 - input.n)));
      running--;
      return input.n * input.n;
    };
    const h = await runFlow(
      `
id: squares
nodes:
  each:
    map:
      items: input.numbers
      concurrency: 2
      as: number
      nodes:
        sq: { call: square, with: { n: "=vars.number" }, output: "{ 'i': vars.index, 'sq': $result }" }
`,
      { numbers: [1, 2, 3, 4, 5] },
      { square },
    );
    expect(h.run.status).toBe("completed");
    expect(h.run.output).toEqual([1, 4, 9, 16, 25].map((sq, i) => ({ i, sq })));
    expect(peak).toBe(2);
    expect((await stepKeys(h, h.id)).sort()).toEqual([0, 1, 2, 3, 4].map((i) => `each[${i}].sq#0`));
  });
});

describe("nested graphs", () => {
  it("end inside a map ends that item only; entry picks the first node of a graph", async () => {
    const h = await runFlow(
      `
id: items
nodes:
  each:
    map:
      items: input.list
      entry: check
      nodes:
        skip: { set: { skipped: true }, output: "'skipped ' & vars.item" }
        check:
          switch: [{ when: vars.item < 0, next: skip }]
          next: keep
        keep: { end: true, output: "vars.item * 10" }
    output: $result
    next: after
  after: { set: { done: true } }
output: nodes.each
`,
      { list: [1, -2, 3] },
    );
    expect(h.run).toMatchObject({ status: "completed", output: [10, "skipped -2", 30] });
  });

  it("a failing item fails the map once the running items are done; onError catches it", async () => {
    const ran: number[] = [];
    const work = async (value: unknown) => {
      const n = (value as { n: number }).n;
      ran.push(n);
      if (n === 2) throw new Error("item 2 is broken");
      return n;
    };
    const h = await runFlow(
      `
id: failing-map
nodes:
  each:
    map:
      items: input.list
      concurrency: 2
      nodes:
        w: { call: work, with: { n: "=vars.item" }, retry: { maxAttempts: 1 } }
    onError: report
  report: { set: { failed: "=nodes.each.error.details.error.message" }, output: $result.failed }
`,
      { list: [1, 2, 3, 4, 5] },
      { work },
    );
    expect(h.run).toMatchObject({ status: "completed", output: "item 2 is broken" });
    expect(ran).not.toContain(5);
  });
});

describe("replay", () => {
  it("a run with concurrent items that finish out of order replays its journal without diverging", async () => {
    const delays = [30, 5, 20, 1, 25, 10, 15, 2];
    const slow = async (value: unknown) => {
      const { i, stage } = value as { i: number; stage: number };
      await new Promise((resolve) => setTimeout(resolve, delays[(i + stage) % delays.length]));
      return i * 10 + stage;
    };
    const h = await runFlow(
      `
id: interleaved
nodes:
  each:
    map:
      items: input.list
      concurrency: 3
      nodes:
        a: { call: slow, with: { i: "=vars.index", stage: 1 }, next: mid }
        mid: { set: { seen: "=nodes.a" }, next: b }
        b: { call: slow, with: { i: "=vars.index", stage: 2 }, output: "[vars.seen, $result]" }
    next: pause
  pause: { wait: { duration: 1h }, next: after }
  after: { set: { total: "=$sum(nodes.each.*)" }, output: $result.total }
`,
      { list: [0, 1, 2, 3, 4, 5, 6, 7] },
      { slow },
    );
    expect(h.run.status).toBe("waiting");
    h.clock.advance(3_600_000);
    // This invocation replays the whole journal through the interpreter before it goes on.
    const run = await h.settle(h.id);
    expect(run.error).toBeUndefined();
    expect(run).toMatchObject({ status: "completed", output: [0, 1, 2, 3, 4, 5, 6, 7].reduce((sum, i) => sum + 20 * i + 3, 0) });
  });
});

describe("wait", () => {
  it("a duration suspends the run on a durable timer", async () => {
    const h = await runFlow(`
id: pause
nodes:
  nap: { wait: { duration: 2h }, next: after }
  after: { set: { woke: true } }
`);
    expect(h.run.status).toBe("waiting");
    h.clock.advance(2 * 3_600_000);
    expect(await h.settle(h.id)).toMatchObject({ status: "completed", output: { woke: true } });
  });

  it("until waits for the evaluated time", async () => {
    const h = await runFlow(
      `
id: until
nodes:
  later: { wait: { until: "=input.at" } }
`,
      { at: "2025-01-03T00:00:00.000Z" },
    );
    expect(h.run).toMatchObject({ status: "waiting", wakeAt: "2025-01-03T00:00:00.000Z" });
    h.clock.advance(2 * 86_400_000);
    expect((await h.settle(h.id)).status).toBe("completed");
  });

  it("an event key waits for that event and outputs its payload; the node's timeout bounds it", async () => {
    const yaml = `
id: paid
nodes:
  payment: { wait: { event: "='paid:' & input.order" }, timeout: 1d, onError: expired, output: $result.amount }
  done: { end: true }
  expired: { set: { expired: true } }
`;
    const paid = await runFlow(yaml, { order: "o-1" });
    expect(paid.run.status).toBe("waiting");
    expect((await paid.engine.signal("paid:o-1", { amount: 40 })).wokeRunIds).toEqual([paid.id]);
    expect(await paid.settle(paid.id)).toMatchObject({ status: "completed", output: 40 });

    const late = await runFlow(yaml, { order: "o-2" });
    late.clock.advance(86_400_000);
    expect(await late.settle(late.id)).toMatchObject({ status: "completed", output: { expired: true } });
  });
});

describe("approval and ask", () => {
  const refund = `
id: refund
nodes:
  approve:
    approval: { summary: "='Refund ' & input.amount & ' EUR?'", onReject: declined }
    next: paid
  paid: { set: { outcome: refunded } }
  declined: { set: { outcome: "='declined by ' & nodes.approve.by" } }
`;
  it("an approval waits for a decision and goes on to next", async () => {
    const h = await runFlow(refund, { amount: 30 });
    expect(h.run.status).toBe("waiting");
    expect(h.run.waits[0]).toMatchObject({ key: "approve#0", summary: "Refund 30 EUR?" });
    await h.engine.approve(h.id, "approve", { action: "approve", by: "ana" });
    expect(await h.settle(h.id)).toMatchObject({ status: "completed", output: { outcome: "refunded" } });
  });

  it("a rejection goes to onReject", async () => {
    const h = await runFlow(refund, { amount: 30 });
    await h.engine.approve(h.id, "approve", { action: "reject", by: "ana" });
    expect(await h.settle(h.id)).toMatchObject({ status: "completed", output: { outcome: "declined by ana" } });
  });

  it("an approval with gates waits for every gate and approves only if all approve", async () => {
    const h = await runFlow(`
id: gated
nodes:
  signoff: { approval: { gates: [legal, finance], onReject: stopped }, next: go }
  go: { set: { result: go } }
  stopped: { set: { result: "=nodes.signoff.decisions.finance.action" } }
`);
    expect(h.run.waits.map((w) => w.key).sort()).toEqual(["signoff/finance#0", "signoff/legal#0"]);
    await h.engine.approve(h.id, "legal", { action: "approve" });
    await h.engine.approve(h.id, "finance", { action: "reject" });
    expect(await h.settle(h.id)).toMatchObject({ status: "completed", output: { result: "reject" } });
  });

  it("ask waits for an answer among the choices and outputs it", async () => {
    const h = await runFlow(`
id: question
nodes:
  size: { ask: { prompt: Which size?, choices: [S, M, L] }, output: "{ 'size': $result }" }
`);
    expect(h.run.status).toBe("waiting");
    await expect(h.engine.answer(h.id, "size", "XL")).rejects.toMatchObject({ category: "input" });
    await h.engine.answer(h.id, "size", "M");
    expect(await h.settle(h.id)).toMatchObject({ status: "completed", output: { size: "M" } });
  });

  it("ask with a JSON Schema refuses answers that do not match it", async () => {
    const h = await runFlow(`
id: schema-question
nodes:
  qty: { ask: { prompt: How many?, schema: { type: integer, minimum: 1 } } }
`);
    await h.engine.answer(h.id, "qty", 0);
    expect(await h.settle(h.id)).toMatchObject({ status: "waiting", waits: [{ key: "qty#0" }] });
    await h.engine.answer(h.id, "qty", 3);
    expect(await h.settle(h.id)).toMatchObject({ status: "completed", output: 3 });
  });
});

describe("subflow", () => {
  it("runs the other flow as a child run and outputs the child's output", async () => {
    const child = parseFlow(`
id: greet
input: { type: object, required: [name] }
nodes:
  hello: { set: { text: "='hello ' & input.name" }, output: $result.text }
`);
    const h = await runFlow(
      `
id: parent
nodes:
  greet: { subflow: { flow: greet, input: { name: "=input.who" } } }
`,
      { who: "ana" },
      {},
      [child],
    );
    expect(h.run).toMatchObject({ status: "completed", output: "hello ana" });
    const runs = await h.engine.list({ workflow: "greet" });
    expect(runs.runs).toHaveLength(1);
    expect(runs.runs[0]).toMatchObject({ status: "completed", parentRunId: h.id });
  });

  it("a child that fails fails the node, which onError can catch", async () => {
    const child = parseFlow(`
id: broken
nodes:
  boom: { fail: { code: out_of_stock, message: "='no ' & input.sku" } }
`);
    const h = await runFlow(
      `
id: parent2
nodes:
  try: { subflow: { flow: broken, input: { sku: A1 } }, onError: caught }
  caught: { set: { why: "=nodes.try.error.details.error.code" }, output: $result.why }
`,
      {},
      {},
      [child],
    );
    expect(h.run).toMatchObject({ status: "completed", output: "out_of_stock" });
  });
});

describe("the document's run timeout", () => {
  it("fails a run still waiting past it with run_timeout, like a code workflow's timeout", async () => {
    const h = build("id: timed\ntimeout: 1h\nnodes:\n  wait: { wait: { event: timed-e } }\n");
    const { id } = await h.engine.start(h.def, {});
    expect((await h.settle(id)).status).toBe("waiting");
    h.clock.advance(3_600_000);
    expect((await h.settle(id)).error?.code).toBe("run_timeout");
  });
});

describe("flows from a pack", () => {
  it("journal pack_verified right after run_created, in child runs of subflows too", async () => {
    const pack = { packId: "acme.flows", version: "1.0.0", digest: `sha256:${"a".repeat(64)}`, keyId: "ed25519:0123456789abcdef" };
    const child = parseFlow("id: child-flow\nnodes:\n  a: { set: { x: 1 } }\n");
    const parent = parseFlow("id: parent-flow\nnodes:\n  call: { subflow: { flow: child-flow } }\n");
    const workflows = flowWorkflows(parent, { resolveFlow: (id) => (id === "child-flow" ? child : undefined), pack });
    const h = harness("memory", workflows);
    const { id } = await h.engine.start(workflows[0] as WorkflowDefinition, {});
    expect((await h.settle(id)).status).toBe("completed");

    const childId = (await h.engine.list({ parentRunId: id })).runs[0]?.id as string;
    for (const runId of [id, childId]) {
      const [created, verified] = await h.engine.events(runId);
      expect([created?.type, verified]).toEqual(["run_created", { type: "pack_verified", seq: 2, at: expect.any(String), ...pack }]);
    }
  });
});

describe("validate, fail and end", () => {
  const checked = (onInvalid: string) => `
id: checked
nodes:
  check:
    validate:
      value: =input.doc
      schema: { type: object, required: [title], properties: { title: { type: string, minLength: 1 } } }
      ${onInvalid}
    output: "$result.title"
    next: done
  done: { end: true, output: "'ok: ' & $result" }
  rejected: { set: { issues: "=nodes.check.issues" } }
`;
  it("a valid value passes and becomes the node's output", async () => {
    const h = await runFlow(checked(""), { doc: { title: "Q3" } });
    expect(h.run).toMatchObject({ status: "completed", output: "ok: Q3" });
  });

  it("an invalid value fails the run with validation_failed, or goes to onInvalid", async () => {
    const failed = await runFlow(checked(""), { doc: { title: "" } });
    expect(failed.run.status).toBe("failed");
    expect(failed.run.error).toMatchObject({ code: "validation_failed" });
    expect(failed.run.error?.message).toContain("/title must NOT have fewer than 1 characters");

    const routed = await runFlow(checked("onInvalid: rejected"), { doc: {} });
    expect(routed.run.status).toBe("completed");
    expect(routed.run.output).toMatchObject({ issues: [{ path: "", message: "must have required property 'title'" }] });
  });

  it("fail ends the run with the flow's code and message", async () => {
    const h = await runFlow(
      `
id: refuse
nodes:
  no: { fail: { code: over_limit, message: "='amount ' & input.amount & ' is over the limit'" } }
`,
      { amount: 900 },
    );
    expect(h.run).toMatchObject({ status: "failed", error: { code: "over_limit", message: "amount 900 is over the limit" } });
  });

  it("end stops the graph early; its output mapping is the run's output", async () => {
    const h = await runFlow(`
id: early
nodes:
  first: { set: { a: 1 }, next: stop }
  stop: { end: true, output: "{ 'a': vars.a }", next: never }
  never: { set: { b: 2 } }
`);
    expect(h.run).toMatchObject({ status: "completed", output: { a: 1 } });
    expect(await stepKeys(h, h.id)).toEqual(["first#0"]);
  });
});

describe("loops", () => {
  it("a loop runs a node again under the next occurrence key and stops at maxIterations", async () => {
    const bounded = await runFlow(`
id: countdown
nodes:
  init: { set: { n: 3 }, next: tick }
  tick: { set: { n: "=vars.n - 1" }, maxIterations: 5, next: again }
  again:
    switch: [{ when: vars.n > 0, next: tick }]
output: vars.n
`);
    expect(bounded.run).toMatchObject({ status: "completed", output: 0 });
    expect(await stepKeys(bounded, bounded.id)).toContain("tick#2");

    const endless = await runFlow(`
id: endless
nodes:
  tick: { set: { n: 1 }, maxIterations: 3, next: tick }
`);
    expect(endless.run).toMatchObject({ status: "failed", error: { code: "loop_limit" } });
  });
});

describe("expressions", () => {
  it("see input, nodes, vars and run; $now() is the run's start time, the same on every replay", async () => {
    const h = await runFlow(
      `
id: scope
nodes:
  a: { set: { x: 2 }, next: pause }
  pause: { wait: { duration: 1h }, next: b }
  b:
    set:
      sum: "=input.n + vars.x"
      fromNode: "=nodes.a.x"
      runId: "=run.id"
      flow: "=run.flow"
      now: "=$now()"
`,
      { n: 40 },
    );
    h.clock.advance(3_600_000);
    const run = await h.settle(h.id);
    expect(run.output).toEqual({ sum: 42, fromNode: 2, runId: h.id, flow: "scope", now: "2025-01-01T00:00:00.000Z" });
  });

  it("a failing expression fails the node with expression_failed and the node's path", async () => {
    const h = await runFlow(`
id: badeval
nodes:
  a: { set: { x: "=$random()" } }
`);
    expect(h.run.status).toBe("failed");
    expect(JSON.stringify(h.run.error)).toContain("expression_failed");
    expect(h.run.error?.message).toContain("nodes.a.set.x");
  });
});

it("flowWorkflow refuses a flow whose components are missing, naming every call", () => {
  const doc = parseFlow(`
id: needs
nodes:
  a: { call: one, next: b }
  b: { call: two }
`);
  expect(() => flowWorkflow(doc, { components: { one: async () => 1 } })).toThrowError(
    expect.objectContaining({ code: "flow_invalid", details: { problems: [expect.objectContaining({ path: "nodes.b.call" })] } }),
  );
});
