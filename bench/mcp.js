// `node bench/mcp.js` (after `npm run build`): what a tool call over /mcp costs next to the same read through the
// JSON API, in process (app.request, no sockets) over a SQLite file with 200 runs. /mcp is stateless, so every call
// builds an McpServer and a transport; this prints that price. It reports; it does not pass or fail.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { createEngine, openSqliteStore, workflow } from "../dist/index.js";
import { createApiKey, createApp } from "../dist/server/index.js";
import { formatTable, median, progress, round, withTempDb } from "./lib.js";
import { percentile } from "./postgres.js";

const RUNS = 200;
const CALLS = 500;

const waits = workflow("waits", async (ctx) => ctx.approval("go"));

await withTempDb(async (path) => {
  const store = openSqliteStore(path);
  const engine = createEngine({ store, workflows: [waits] });
  for (let i = 0; i < RUNS; i++) await engine.start(waits, {}, { tenant: "acme" });
  const { token } = await createApiKey(store, { tenant: "acme", role: "viewer" });
  const app = createApp({ engine, rateLimitPerMinute: 1_000_000 });
  const authorization = `Bearer ${token}`;
  // The SDK's client, with the app as its fetch: the real protocol and transport, without a socket.
  const viaApp = (input, init) => app.request(new Request(input, init));
  const client = new Client({ name: "bench", version: "1" });
  await client.connect(
    new StreamableHTTPClientTransport(new URL("http://localhost/mcp"), { requestInit: { headers: { authorization } }, fetch: viaApp }),
  );

  const measure = async (what, call) => {
    progress(`${what}: ${CALLS} calls`);
    for (let i = 0; i < 20; i++) await call();
    const ms = [];
    for (let i = 0; i < CALLS; i++) {
      const start = performance.now();
      await call();
      ms.push(performance.now() - start);
    }
    return { what, median: round(median(ms)), p95: round(percentile(ms, 0.95)) };
  };
  const rows = [
    await measure("GET /v1/runs?limit=20", async () => {
      const response = await app.request("/v1/runs?limit=20", { headers: { authorization } });
      if (response.status !== 200) throw new Error(`GET /v1/runs: ${response.status}`);
      await response.json();
    }),
    await measure("MCP tools/call list_runs {limit: 20}", async () => {
      const result = await client.callTool({ name: "list_runs", arguments: { limit: 20 } });
      if (result.isError) throw new Error(JSON.stringify(result.content));
    }),
    await measure("MCP resources/read duro://runs/{id}", async () => {
      await client.readResource({ uri: `duro://runs/${(await store.listRuns({ limit: 1 })).runs[0].id}` });
    }),
  ];
  await client.close();
  await engine.close();
  console.log(
    formatTable(
      ["call", "median ms", "p95 ms"],
      rows.map((r) => [r.what, r.median, r.p95]),
    ),
  );
  console.log(JSON.stringify({ mcp: rows }));
});
