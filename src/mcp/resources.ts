// The resources duro offers an MCP host: each run of the caller's tenant (duro://runs/{runId}) and each workflow this
// server has loaded (duro://workflows/{name}), listed and read as JSON.
import { type McpServer, ResourceTemplate } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { ReadResourceResult } from "@modelcontextprotocol/sdk/types.js";
import { DuroError, flowDocumentOf } from "../index.js";
import type { Scope } from "./scope.js";

/** How many of the newest runs a resource listing shows; older ones are found with the list_runs tool. */
const LISTED_RUNS = 100;

export function registerResources(server: McpServer, scope: Scope): void {
  server.registerResource(
    "run",
    new ResourceTemplate("duro://runs/{runId}", {
      list: async () => {
        const page = await scope.engine.list({ tenant: scope.caller.tenant, limit: LISTED_RUNS });
        return {
          resources: page.runs.map((run) => ({
            uri: `duro://runs/${run.id}`,
            name: `${run.workflow} ${run.id}`,
            description: `run of ${run.workflow}, ${run.status}${run.waitingFor ? ` (waiting for ${run.waitingFor})` : ""}`,
            mimeType: "application/json",
          })),
        };
      },
    }),
    {
      title: "Run",
      description: "A workflow run: status, input, output or error, steps, open waits and bookmarks",
      mimeType: "application/json",
    },
    async (uri, { runId }) => {
      const id = String(runId);
      await scope.run(id);
      return jsonResource(uri, await scope.engine.get(id));
    },
  );

  server.registerResource(
    "workflow",
    new ResourceTemplate("duro://workflows/{name}", {
      list: () => ({
        resources: scope.engine.workflowNames().map((name) => ({
          uri: `duro://workflows/${encodeURIComponent(name)}`,
          name,
          description: `the workflow ${name}: its versions and input schema`,
          mimeType: "application/json",
        })),
      }),
    }),
    {
      title: "Workflow",
      description: "A workflow this server can start: its versions, input schema and flow graph",
      mimeType: "application/json",
    },
    (uri, { name }) => jsonResource(uri, workflowView(scope, decodeURIComponent(String(name)))),
  );
}

function workflowView(scope: Scope, name: string) {
  const def = scope.engine.workflowDefinition(name);
  if (!def) {
    throw new DuroError("workflow_not_found", `no workflow "${name}" is loaded on this server; list the duro://workflows resources`, {
      category: "input",
      details: { workflow: name },
    });
  }
  const inputSchema = jsonSchemaOf(def.options.input);
  const flow = flowDocumentOf(def);
  return {
    name,
    versions: scope.engine.workflowVersions()[name] ?? [],
    ...(inputSchema === undefined ? {} : { inputSchema }),
    ...(flow === undefined ? {} : { flow: { id: flow.id, ...(flow.entry === undefined ? {} : { entry: flow.entry }), nodes: flow.nodes } }),
  };
}

/** The JSON Schema of a workflow's input, when its schema can say it (zod 4 and other Standard JSON Schema libraries). */
function jsonSchemaOf(schema: object | undefined): unknown {
  const standard = (schema as { "~standard"?: unknown } | undefined)?.["~standard"] as
    | { jsonSchema?: { input(options: { target: string }): unknown } }
    | undefined;
  return standard?.jsonSchema?.input({ target: "draft-2020-12" });
}

function jsonResource(uri: URL, value: unknown): ReadResourceResult {
  return { contents: [{ uri: uri.href, mimeType: "application/json", text: JSON.stringify(value, null, 2) }] };
}
