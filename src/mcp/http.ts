// duro's MCP tools over MCP's streamable HTTP transport, stateless: each POST gets a server for its caller and a
// transport of its own, answers in JSON and is done, so any process of a fleet behind a load balancer can answer it.
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import type { DuroMcpOptions } from "./scope.js";
import { createMcpServer } from "./server.js";

/**
 * Answers one MCP request (a fetch `Request`) for an authenticated caller. Only POST: a stateless server has no
 * session to stream to (GET) or end (DELETE), which the MCP specification answers with 405.
 */
export async function handleMcpRequest(request: Request, options: DuroMcpOptions): Promise<Response> {
  if (request.method !== "POST") {
    return Response.json(
      {
        jsonrpc: "2.0",
        error: { code: -32000, message: `${request.method} is not supported: this MCP endpoint is stateless; POST JSON-RPC to it` },
        id: null,
      },
      { status: 405, headers: { allow: "POST" } },
    );
  }
  const server = createMcpServer(options);
  const transport = new WebStandardStreamableHTTPServerTransport({ enableJsonResponse: true });
  await server.connect(transport);
  try {
    return await transport.handleRequest(request);
  } finally {
    await server.close();
  }
}
