// duro/mcp: duro as an MCP server (stdio with `duro mcp`, streamable HTTP at /mcp on `duro serve`), and MCP servers'
// tools as durable agent tools (mcpTools).
export { handleMcpRequest } from "./http.js";
export { type McpToolsOptions, mcpTools } from "./mcp-tools.js";
export type { DuroMcpOptions, McpCaller } from "./scope.js";
export { createMcpServer } from "./server.js";
