// `duro mcp [<file...>]`: duro's MCP server on stdin/stdout, for an MCP host (Claude Desktop, Claude Code, an IDE)
// that starts it as a subprocess. stdout carries only the protocol; what a person should read goes to stderr.
import { DEFAULT_WORKER_CONCURRENCY, DuroError } from "../../index.js";
import { loadWorkflowFiles } from "../../load/index.js";
import type { CliCommand } from "../command.js";
import { currentUser, EXIT, engineFor, parse, positiveInt } from "../common.js";
import { loadOptions } from "../files.js";
import { warn, warnLease } from "../output.js";

export const mcpCommand: CliCommand = { name: "mcp", run };

const ROLES = ["admin", "operator", "viewer"] as const;
type Role = (typeof ROLES)[number];

async function run(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {
    tenant: { type: "string", default: "default" },
    role: { type: "string", default: "admin" },
    actor: { type: "string" },
    "no-worker": { type: "boolean", default: false },
    concurrency: { type: "string" },
  });
  const role = roleOf(values.role);
  const concurrency = positiveInt(values.concurrency, "--concurrency", DEFAULT_WORKER_CONCURRENCY);
  const modules = await loadWorkflowFiles(positionals, loadOptions());
  const workflows = modules.flatMap((m) => m.workflows);
  const manifests = new Map(modules.flatMap((m) => m.workflows.map((w) => [w.name, m.manifest] as const)));
  // With workflow files it can start runs, so it may create the database (as duro serve does); without, a wrong
  // --db must fail rather than answer from a new empty database.
  const engine = engineFor(values.db, workflows, {}, { create: workflows.length > 0 });
  const { createMcpServer } = await import("../../mcp/index.js");
  const { StdioServerTransport } = await import("@modelcontextprotocol/sdk/server/stdio.js");
  const worker = !values["no-worker"] && workflows.length > 0 ? engine.runWorker({ concurrency, onLease: warnLease }) : undefined;
  const server = createMcpServer({
    engine,
    caller: { tenant: values.tenant, role, actor: values.actor ?? currentUser() },
    manifestOf: (workflow) => manifests.get(workflow),
  });
  await server.connect(new StdioServerTransport());
  warn(
    `duro mcp: serving tenant "${values.tenant}" as ${role} over stdio; ` +
      (worker ? `worker for ${workflows.map((w) => w.name).join(", ")}` : "no worker"),
  );
  await new Promise<void>((resolve) => {
    // The host ends the server by closing its stdin (or with a signal).
    process.stdin.once("end", resolve);
    process.stdin.once("close", resolve);
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  await server.close();
  if (worker) {
    await worker.stop();
    await worker.done;
  }
  await engine.close();
  return EXIT.ok;
}

function roleOf(value: string): Role {
  if ((ROLES as readonly string[]).includes(value)) return value as Role;
  throw new DuroError("usage", `--role must be admin, operator or viewer, not "${value}"`, { category: "input" });
}
