// An MCP client (the official SDK's, as an MCP host uses it) driving duro: start an expense, find it waiting for
// approval, approve it and see it complete. Over streamable HTTP when DURO_URL is set (a `duro serve` and an API key
// in DURO_TOKEN), otherwise over stdio with its own `duro mcp examples/expense.ts` subprocess.
//   DURO_URL=http://localhost:8080 DURO_TOKEN=<an admin key> node --import tsx examples/mcp.ts
//   DURO_DB=sqlite:demo.db node --import tsx examples/mcp.ts
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

const url = process.env.DURO_URL;
const transport = url
  ? new StreamableHTTPClientTransport(new URL("/mcp", url), {
      requestInit: { headers: { authorization: `Bearer ${process.env.DURO_TOKEN ?? ""}` } },
    })
  : new StdioClientTransport({
      command: "npx",
      args: ["duro", "mcp", "examples/expense.ts"],
      env: { ...process.env } as Record<string, string>,
    });
const client = new Client({ name: "expense-desk", version: "1.0.0" });
await client.connect(transport);

/** A tool's structured result; a failed call throws with duro's error code and message. */
async function call<T>(name: string, args: Record<string, unknown> = {}): Promise<T> {
  const result = await client.callTool({ name, arguments: args });
  if (result.isError) throw new Error(`${name}: ${(result.content as Array<{ text: string }>)[0]?.text}`);
  return result.structuredContent as T;
}

type Run = { id: string; status: string; output?: { paid: boolean; transfer?: string } };
const pause = () => new Promise((resolve) => setTimeout(resolve, 200));

const { run } = await call<{ run: Run }>("start_run", { workflow: "expense", input: { employee: "ada", amount: 80 } });
console.log(`started ${run.id}`);
let waiting: Run[] = [];
while (!waiting.some((r) => r.id === run.id)) {
  await pause();
  ({ runs: waiting } = await call<{ runs: Run[] }>("list_runs", { status: "waiting", waitingFor: "approval" }));
}
console.log(`${waiting.length} run(s) waiting for approval`);
await call("approve_run", { runId: run.id, comment: "approved from an MCP client" });
let shown = run;
while (shown.status !== "completed" && shown.status !== "failed") {
  await pause();
  ({ run: shown } = await call<{ run: Run }>("get_run", { runId: run.id }));
}
console.log(`${shown.status}: paid ${shown.output?.paid}, transfer ${shown.output?.transfer}`);
await client.close();
