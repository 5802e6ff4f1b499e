// `duro serve`: the HTTP API, live journal streams and the web UI, with a worker for the given workflow files.
import { DEFAULT_WORKER_CONCURRENCY, DuroError } from "../../index.js";
import { loadWorkflowFiles } from "../../load/index.js";
import type { ServerMetrics } from "../../server/index.js";
import type { CliCommand } from "../command.js";
import { EXIT, engineFor, output, parse, positiveInt } from "../common.js";
import { loadOptions } from "../files.js";
import { warn } from "../output.js";

export const serveCommand: CliCommand = {
  name: "serve",
  run: serve,
};

async function serve(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {
    port: { type: "string" },
    host: { type: "string" },
    "allowed-host": { type: "string", multiple: true },
    "allowed-origin": { type: "string", multiple: true },
    "no-worker": { type: "boolean", default: false },
    concurrency: { type: "string" },
    dev: { type: "boolean", default: false },
  });
  const out = output(values.json);
  const port = portOf(values.port);
  if (values.dev && values.host !== undefined && values.host !== "127.0.0.1") {
    throw new DuroError("usage", `--dev serves without API keys and only on 127.0.0.1; drop --host ${values.host} or --dev`, {
      category: "input",
    });
  }
  const modules = await loadWorkflowFiles(positionals, loadOptions());
  const workflows = modules.flatMap((m) => m.workflows);
  // A run started through the API records the file that defines its workflow, as `duro run` does.
  const manifests = new Map(modules.flatMap((m) => m.workflows.map((w) => [w.name, m.manifest] as const)));
  const { listen, RunEventHub, ServerMetrics } = await import("../../server/index.js");
  const hub = new RunEventHub();
  let metrics: ServerMetrics | undefined;
  const engine = engineFor(
    values.db,
    workflows,
    {
      onEvents: (runId, events) => {
        hub.publish(runId);
        metrics?.onEvents(runId, events);
      },
    },
    { create: true },
  );
  metrics = new ServerMetrics(engine.store);
  const worker = !values["no-worker"] && workflows.length > 0;
  const server = await listen({
    engine,
    hub,
    metrics,
    port,
    dev: values.dev,
    manifestOf: (workflow) => manifests.get(workflow),
    worker: worker ? { concurrency: positiveInt(values.concurrency, "--concurrency", DEFAULT_WORKER_CONCURRENCY) } : false,
    ...(values.host === undefined ? {} : { host: values.host }),
    ...(values["allowed-host"] ? { allowedHosts: values["allowed-host"] } : {}),
    ...(values["allowed-origin"] ? { allowedOrigins: values["allowed-origin"] } : {}),
  }).catch(async (error: unknown) => {
    await engine.close();
    throw (error as { code?: unknown }).code === "EADDRINUSE"
      ? new DuroError(
          "port_in_use",
          `port ${port} is in use by another program; stop it or choose another port: --port <n> (0 picks a free one)`,
          {
            category: "input",
            details: { port },
            cause: error,
          },
        )
      : error;
  });
  if (values.dev) {
    warn(
      "\n  !!! duro serve --dev: NO AUTHENTICATION. Anyone who can reach 127.0.0.1:" +
        `${server.port} acts as an admin of tenant "default". Never use --dev on a shared machine or in production. !!!\n`,
    );
  }
  out.print(
    `duro serving on ${server.url}${server.address === "127.0.0.1" ? "" : ` (listening on ${server.address})`} (UI at ${server.url}/, API at ${server.url}/v1, OpenAPI at ${server.url}/openapi.json); ` +
      (worker ? `worker for ${workflows.map((w) => w.name).join(", ")}` : "no worker"),
  );
  out.data({
    url: server.url,
    address: server.address,
    port: server.port,
    dev: values.dev,
    worker,
    workflows: workflows.map((w) => w.name),
  });
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  out.print("stopping: letting running steps finish…");
  await server.close();
  return EXIT.ok;
}

/** --port: 1 to 65535, or 0 for any free port. */
function portOf(value: string | undefined): number {
  if (value === undefined) return 8080;
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65_535) {
    throw new DuroError("port_invalid", `--port must be a TCP port from 1 to 65535 (or 0 for any free one), not "${value}"`, {
      category: "input",
      details: { port: value },
    });
  }
  return port;
}
