// duro as an MCP server: the run tools and resources, for one caller (tenant and role), on any MCP transport. Tool
// failures are tool results (isError) that carry duro's error code, so the model sees what went wrong and how to fix it.
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { CallToolRequestSchema, type CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { isDuroError } from "../core/index.js";
import { DuroError } from "../index.js";
import { registerResources } from "./resources.js";
import { RUN_TOOLS, type RunTool } from "./run-tools.js";
import { type DuroMcpOptions, Scope } from "./scope.js";

/** The version the server reports to MCP hosts. */
const SERVER_INFO = { name: "duro", title: "duro: durable workflow runs", version: "0.1.0" };

const INSTRUCTIONS =
  "duro runs durable workflows. Find runs with list_runs (status, workflow, waitingFor filters) and list_pending " +
  "(what waits for a person); read one with get_run, read_events or explain_failure; act with start_run, send_event, " +
  "approve_run, reject_run, answer_question, cancel_run and fork_run. Errors carry a code (run_not_found, forbidden, " +
  "invalid_arguments, not_waiting, …) and say how to fix the call.";

/** An MCP server with duro's tools and resources, acting for `options.caller`; connect it to a transport. */
export function createMcpServer(options: DuroMcpOptions): McpServer {
  const scope = new Scope(options);
  const server = new McpServer(SERVER_INFO, { instructions: INSTRUCTIONS });
  for (const tool of RUN_TOOLS) {
    const readOnly = tool.role === "viewer";
    server.registerTool(
      tool.name,
      {
        title: tool.title,
        description: `${tool.description} (needs the ${tool.role} role)`,
        inputSchema: tool.input,
        annotations: { readOnlyHint: readOnly, destructiveHint: tool.name === "cancel_run", openWorldHint: false },
      },
      () => ({ content: [] }),
    );
  }
  // registerTool gives the listing (names, JSON Schemas, annotations). Calls are answered here instead: McpServer
  // answers arguments that fail the schema with a bare text, and a model needs the code and the field to fix its call.
  server.server.setRequestHandler(CallToolRequestSchema, (request) => callTool(scope, request.params.name, request.params.arguments ?? {}));
  registerResources(server, scope);
  return server;
}

async function callTool(scope: Scope, name: string, args: unknown): Promise<CallToolResult> {
  try {
    const tool = RUN_TOOLS.find((t) => t.name === name);
    if (!tool) {
      throw new DuroError("not_found", `there is no tool "${name}"; the tools are ${RUN_TOOLS.map((t) => t.name).join(", ")}`, {
        category: "input",
        details: { tool: name },
      });
    }
    scope.require(tool.role, `${tool.name}`);
    const result = await tool.run(parseArguments(tool, args), scope);
    return { content: [{ type: "text", text: JSON.stringify(result, null, 2) }], structuredContent: result };
  } catch (error) {
    return toolError(error);
  }
}

function parseArguments(tool: RunTool, args: unknown): Record<string, unknown> {
  const parsed = tool.input.safeParse(args);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => ({ path: issue.path.map(String).join("."), message: issue.message }));
  const listed = issues.map((i) => `${i.path || "(arguments)"}: ${i.message}`).join("; ");
  throw new DuroError("invalid_arguments", `invalid arguments for ${tool.name}: ${listed}; call it again with corrected arguments`, {
    category: "input",
    details: { tool: tool.name, issues },
  });
}

/** A failed call as the model sees it: "<code>: <message>", and the error as structured content. */
function toolError(error: unknown): CallToolResult {
  if (!isDuroError(error)) {
    // An unexpected error's text may hold anything (a connection string, a value); the log keeps it, the model does not.
    console.error("duro mcp: internal error:", error);
    return errorResult({ code: "internal_error", category: "internal", retryable: false, message: "duro failed; see its log" });
  }
  const details = Object.keys(error.details).length > 0 ? { details: error.details } : {};
  return errorResult({ code: error.code, category: error.category, retryable: error.retryable, message: error.message, ...details });
}

function errorResult(error: { code: string; message: string } & Record<string, unknown>): CallToolResult {
  return { isError: true, content: [{ type: "text", text: `${error.code}: ${error.message}` }], structuredContent: { error } };
}
