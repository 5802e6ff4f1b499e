// MCP servers' tools as duro agent tools: `ctx.agent({ tools: await mcpTools(client, { ctx }) })`. Each call the
// model makes is a journaled step (the agent loop runs every tool with `run` as one), so a replay returns the
// journaled result and never calls the MCP server again; with `ctx` the tool listing is journaled too.
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { type Duration, NonRetryableError, type RetryPolicy, type Tool, type WorkflowContext } from "../index.js";

export interface McpToolsOptions {
  /**
   * The workflow's context: the listing of the server's tools becomes a journaled step (`mcp:<server>/tools`), so that
   * replay sees the tools the run saw and does not ask the server. Without it the server is asked on every call of
   * mcpTools (fine outside a workflow). default none
   */
  ctx?: WorkflowContext;
  /** Put before each tool's name, to tell several servers' tools apart ("github_"). default none */
  prefix?: string;
  /** Only the tools with these (MCP) names. default all */
  include?: readonly string[];
  /** default: the workflow's step retry policy (a tool's error result is never retried: the model sees it) */
  retry?: RetryPolicy;
  /** How long one tool call may take. default: the step default */
  timeout?: Duration;
}

type ListedTool = { name: string; description?: string; inputSchema: Record<string, unknown> };

/** The key under which each call's idempotency key (`<runId>:<stepKey>`) is sent in the request's `_meta`. */
export const IDEMPOTENCY_META_KEY = "duro/idempotencyKey";

/** Lists an MCP client's tools and returns them as agent tools that call the server through the client. */
export async function mcpTools(client: Client, options: McpToolsOptions = {}): Promise<Tool[]> {
  const listed = options.ctx
    ? await options.ctx.step(`mcp:${client.getServerVersion()?.name ?? "server"}/tools`, () => listTools(client))
    : await listTools(client);
  const wanted = options.include === undefined ? listed : listed.filter((t) => options.include?.includes(t.name));
  return wanted.map((listedTool) => agentTool(client, listedTool, options));
}

async function listTools(client: Client): Promise<ListedTool[]> {
  const tools: ListedTool[] = [];
  let cursor: string | undefined;
  do {
    const page = await client.listTools(cursor === undefined ? {} : { cursor });
    for (const t of page.tools) {
      // The agent validates arguments with a JSON Schema 2020-12 validator; a server's draft-07 `$schema` would stop it.
      const { $schema: _draft, ...inputSchema } = t.inputSchema;
      tools.push({ name: t.name, ...(t.description === undefined ? {} : { description: t.description }), inputSchema });
    }
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return tools;
}

function agentTool(client: Client, listed: ListedTool, options: McpToolsOptions): Tool {
  return {
    name: `${options.prefix ?? ""}${listed.name}`,
    ...(listed.description === undefined ? {} : { description: listed.description }),
    parameters: listed.inputSchema,
    ...(options.retry === undefined ? {} : { retry: options.retry }),
    ...(options.timeout === undefined ? {} : { timeout: options.timeout }),
    async run(args, step) {
      const result = (await client.callTool(
        { name: listed.name, arguments: args as Record<string, unknown>, _meta: { [IDEMPOTENCY_META_KEY]: step.idempotencyKey } },
        undefined,
        { signal: step.signal },
      )) as CallToolResult;
      if (result.isError) throw new NonRetryableError(`${listed.name}: ${textOf(result) || "the MCP tool reported an error"}`);
      return result.structuredContent ?? (result.content.every((c) => c.type === "text") ? textOf(result) : result.content);
    },
  };
}

function textOf(result: CallToolResult): string {
  return result.content.flatMap((c) => (c.type === "text" ? [c.text] : [])).join("\n");
}
