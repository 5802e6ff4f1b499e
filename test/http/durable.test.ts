// Durable endpoints: a request that ends within the limit answers as the handler does; a longer one answers 202 with
// the run's URL under the mounted API; an Idempotency-Key joins a retry to its run; credentials never reach the journal.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { durable, duroHandler } from "duro/http";
import { describe, expect, it } from "vitest";
import { until } from "../support/poll.js";
import { bearer, fixture } from "./support.js";

const ORIGIN = "http://shop.example";

/** A gate the test opens: steps wait on it so that a request outlives its limit. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

function post(path: string, body: unknown, headers: Record<string, string> = {}): Request {
  return new Request(`${ORIGIN}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
}

describe("durable()", () => {
  it("answers with the handler's response when the run ends within the limit", async () => {
    const { engine } = await fixture([]);
    const checkout = durable(
      async (request, ctx) => {
        const { sku } = (await request.json()) as { sku: string };
        const order = await ctx.step("create-order", () => ({ orderId: `o-${sku}` }));
        return new Response(JSON.stringify(order), { status: 201, headers: { "content-type": "application/json", "x-shop": "1" } });
      },
      { engine, name: "checkout", timeoutMs: 10_000 },
    );

    const response = await checkout(post("/checkout", { sku: "pen" }));
    const runId = response.headers.get("duro-run-id") as string;

    expect(response.status).toBe(201);
    expect(response.headers.get("x-shop")).toBe("1");
    expect(await response.json()).toEqual({ orderId: "o-pen" });
    expect((await engine.get(runId)).steps.map((s) => s.key)).toEqual(["create-order#0"]);
  });

  it("answers a JSON value as 200 application/json", async () => {
    const { engine } = await fixture([]);
    const echo = durable(async (request) => ({ path: new URL(request.url).pathname }), { engine, name: "echo" });

    const response = await echo(new Request(`${ORIGIN}/echo?x=1`));

    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(await response.json()).toEqual({ path: "/echo" });
  });

  it("answers 202 with the run's URL under the mounted API when the run outlives the limit; the result appears there", async () => {
    const { engine, keys } = await fixture([]);
    const slow = gate();
    const report = durable(
      async (_request, ctx) => {
        const rows = await ctx.step("crunch", async () => {
          await slow.opened;
          return 42;
        });
        return { rows };
      },
      { engine, name: "report", timeoutMs: 100, tenant: "acme", prefix: "/duro" },
    );
    const api = duroHandler({ engine, auth: "keys", prefix: "/duro" });

    const response = await report(post("/reports", {}));
    const location = response.headers.get("location") as string;
    const pending = await api(new Request(`${ORIGIN}${location}`, { headers: bearer(keys.acme) }));
    const pendingStatus = ((await pending.json()) as { status: string }).status;
    slow.open();
    // The invocation this process started goes on after the 202 and ends the run.
    const runId = response.headers.get("duro-run-id") as string;
    const read = () =>
      api(new Request(`${ORIGIN}${location}`, { headers: bearer(keys.acme) })).then((r) => r.json() as Promise<{ status: string }>);
    const done = await until(read, (run) => run.status === "completed", "the report run to complete");

    expect(response.status).toBe(202);
    expect(location).toBe(`/duro/v1/runs/${runId}`);
    expect(await response.json()).toEqual({ runId, status: "running", location });
    expect(pendingStatus).toBe("running");
    expect(done).toMatchObject({
      status: "completed",
      output: { status: 200, headers: { "content-type": "application/json" }, body: '{"rows":42}' },
    });
  });

  it("joins a retried request with the same Idempotency-Key to the first run, whose step ran once", async () => {
    const { engine } = await fixture([]);
    let charges = 0;
    const pay = durable(
      async (request, ctx) => {
        const { amount } = (await request.json()) as { amount: number };
        return ctx.step("charge", () => ({ charged: amount, charge: ++charges }));
      },
      { engine, name: "pay" },
    );

    const first = await pay(post("/pay", { amount: 5 }, { "idempotency-key": "k-1", "x-request-id": "a" }));
    const retry = await pay(post("/pay", { amount: 5 }, { "idempotency-key": "k-1", "x-request-id": "b" }));
    const reused = await pay(post("/pay", { amount: 9 }, { "idempotency-key": "k-1" }));
    const other = await pay(post("/pay", { amount: 5 }, { "idempotency-key": "k-2" }));

    expect(retry.headers.get("duro-run-id")).toBe(first.headers.get("duro-run-id"));
    expect(await first.json()).toEqual({ charged: 5, charge: 1 });
    expect(await retry.json()).toEqual({ charged: 5, charge: 1 });
    expect(reused.status).toBe(409);
    expect(((await reused.json()) as { error: { code: string } }).error.code).toBe("run_conflict");
    expect(await other.json()).toEqual({ charged: 5, charge: 2 });
    expect((await engine.get(first.headers.get("duro-run-id") as string)).idempotencyKey).toBe("pay:k-1");
  });

  it("journals the request without its Authorization, Cookie and token headers", async () => {
    const { engine, dir } = await fixture([]);
    const secret = "sk_live_5f3a9e1c2b7d4e8f";
    const whoami = durable(async (request) => ({ auth: request.headers.get("authorization"), trace: request.headers.get("x-trace") }), {
      engine,
      name: "whoami",
      redactHeaders: ["x-internal"],
    });

    const response = await whoami(
      post(
        "/whoami",
        { q: 1 },
        {
          authorization: `Bearer ${secret}`,
          cookie: `session=${secret}`,
          "x-csrf-token": secret,
          "x-internal": secret,
          "x-trace": "t-1",
        },
      ),
    );
    const runId = response.headers.get("duro-run-id") as string;
    const [created] = await engine.events(runId, 1);
    await engine.close();
    const database = readFileSync(join(dir, "duro.db")).toString("latin1") + readWal(dir);

    expect(await response.json()).toEqual({ auth: null, trace: "t-1" });
    expect(created).toMatchObject({ type: "run_created", input: { method: "POST", url: `${ORIGIN}/whoami`, body: '{"q":1}' } });
    expect(Object.keys((created as { input: { headers: object } }).input.headers).sort()).toEqual(["content-type", "x-trace"]);
    expect(database).not.toContain(secret);
  });

  it("answers a handler's failure with the error's code and the run id", async () => {
    const { engine } = await fixture([]);
    const broken = durable(
      async () => {
        throw new Error("boom");
      },
      { engine, name: "broken" },
    );

    const response = await broken(new Request(`${ORIGIN}/broken`));

    expect(response.status).toBe(500);
    expect(response.headers.get("duro-run-id")).toBeTruthy();
    expect(((await response.json()) as { error: { message: string } }).error.message).toContain("boom");
  });

  it("runs on PostgreSQL: fast answer, then a retry joins the run", async () => {
    const { engine } = await fixture([], "postgres");
    let runs = 0;
    const greet = durable(
      async (request, ctx) => ctx.step("greet", () => ({ hello: new URL(request.url).searchParams.get("name"), n: ++runs })),
      {
        engine,
        name: "greet",
      },
    );

    const first = await greet(new Request(`${ORIGIN}/greet?name=ada`, { headers: { "idempotency-key": "g-1" } }));
    const again = await greet(new Request(`${ORIGIN}/greet?name=ada`, { headers: { "idempotency-key": "g-1" } }));

    expect(await first.json()).toEqual({ hello: "ada", n: 1 });
    expect(await again.json()).toEqual({ hello: "ada", n: 1 });
  });
});

function readWal(dir: string): string {
  try {
    return readFileSync(join(dir, "duro.db-wal")).toString("latin1");
  } catch {
    return "";
  }
}
