// `node bench/http.js` (after npm run build): what duro/http adds to a request, on SQLite. It prints the median and
// p95 of (1) GET <prefix>/v1/runs/<id> through duroHandler and through the server's app with no prefix, in process,
// (2) the same through Express 5 (toNodeListener) over HTTP on 127.0.0.1, and (3) a durable endpoint's fast path
// (one step, so a run created, executed and read back per request). It reports; it does not pass or fail.
import { durable, duroHandler, toNodeListener } from "../dist/http/index.js";
import { createEngine, openStore, workflow } from "../dist/index.js";
import { createApiKey, createApp } from "../dist/server/index.js";
import { formatTable, median, progress, repeat, round, withTempDb } from "./lib.js";
import { percentile } from "./postgres.js";

const REQUESTS = 500;
const DURABLE_REQUESTS = 200;

const noop = workflow("noop", async (ctx) => ctx.step("one", () => 1));

async function latencies(times, request) {
  await repeat(20, request); // warm-up
  return repeat(times, async () => {
    const start = performance.now();
    await request();
    return performance.now() - start;
  });
}

const row = (name, values) => [name, round(median(values)), round(percentile(values, 0.95)), values.length];

const rows = await withTempDb(async (path) => {
  const engine = createEngine({ store: openStore(path), workflows: [noop] });
  const { token } = await createApiKey(engine.store, { tenant: "default", role: "admin" });
  const headers = { authorization: `Bearer ${token}` };
  const { id } = await engine.start(noop, {});
  await engine.runUntilSettled(id);
  const handler = duroHandler({ engine, auth: "keys", prefix: "/duro", rateLimitPerMinute: 1_000_000 });
  const app = createApp({ engine, rateLimitPerMinute: 1_000_000 });

  progress("in-process requests");
  const direct = await latencies(REQUESTS, () => app.fetch(new Request(`http://x/v1/runs/${id}`, { headers })).then((r) => r.text()));
  const mounted = await latencies(REQUESTS, () => handler(new Request(`http://x/duro/v1/runs/${id}`, { headers })).then((r) => r.text()));

  progress("Express over HTTP");
  const { default: express } = await import("express");
  const server = await new Promise((resolve) => {
    const expressApp = express();
    expressApp.use("/duro", toNodeListener(handler));
    const s = expressApp.listen(0, "127.0.0.1", () => resolve(s));
  });
  const base = `http://127.0.0.1:${server.address().port}`;
  const overHttp = await latencies(REQUESTS, () => fetch(`${base}/duro/v1/runs/${id}`, { headers }).then((r) => r.text()));
  await new Promise((resolve) => server.close(resolve));

  progress("durable endpoint fast path");
  const endpoint = durable(async (_request, ctx) => ctx.step("work", () => ({ ok: true })), { engine, name: "bench-durable" });
  const fast = await latencies(DURABLE_REQUESTS, () =>
    endpoint(new Request("http://x/work", { method: "POST", body: "{}" })).then((r) => r.text()),
  );
  await engine.close();
  return [
    row("GET run, server app, no prefix (in process)", direct),
    row("GET run, duroHandler under /duro (in process)", mounted),
    row("GET run, Express 5 + toNodeListener (HTTP)", overHttp),
    row("durable() fast path, 1 step (in process)", fast),
  ];
});

console.log(formatTable(["request", "median ms", "p95 ms", "n"], rows));
console.log(JSON.stringify(Object.fromEntries(rows.map(([name, med, p95]) => [name, { medianMs: med, p95Ms: p95 }]))));
