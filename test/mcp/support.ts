// The MCP SDK's own client against duro: over stdio (a real `duro mcp` process, node bin/duro.js) or over streamable
// HTTP (a real `duro serve`), and helpers that read a tool call's structured result or its coded error.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { expect } from "vitest";
import { DURO_BIN } from "../support/cli.js";

export interface ToolError {
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

const newClient = () => new Client({ name: "duro-test", version: "1.0.0" });

/** Starts `duro mcp <args>` as the host would (node is the child, no wrapper) and connects to it. */
export async function connectStdio(args: string[], cwd: string): Promise<{ client: Client; transport: StdioClientTransport }> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [DURO_BIN, "mcp", ...args],
    cwd,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? cwd, NO_COLOR: "1" },
    stderr: "pipe",
  });
  const client = newClient();
  await client.connect(transport);
  return { client, transport };
}

/** Connects to the /mcp endpoint of a `duro serve` with an API key (or none). */
export async function connectHttp(baseUrl: string, token?: string): Promise<Client> {
  const headers: Record<string, string> = token === undefined ? {} : { authorization: `Bearer ${token}` };
  const client = newClient();
  await client.connect(new StreamableHTTPClientTransport(new URL(`${baseUrl}/mcp`), { requestInit: { headers } }));
  return client;
}

/** Calls a tool that must succeed and returns its structured result. */
export async function call<T = Record<string, unknown>>(client: Client, name: string, args: Record<string, unknown> = {}): Promise<T> {
  const result = await client.callTool({ name, arguments: args });
  if (result.isError) throw new Error(`${name} failed: ${JSON.stringify(result.content)}`);
  return result.structuredContent as T;
}

/** Calls a tool that must fail and returns its error; the text the model reads starts with the code. */
export async function callError(client: Client, name: string, args: Record<string, unknown> = {}): Promise<ToolError> {
  const result = await client.callTool({ name, arguments: args });
  expect(result.isError, `${name} should fail: ${JSON.stringify(result.structuredContent)}`).toBe(true);
  const error = (result.structuredContent as { error: ToolError }).error;
  expect((result.content as Array<{ text: string }>)[0]?.text).toBe(`${error.code}: ${error.message}`);
  return error;
}
