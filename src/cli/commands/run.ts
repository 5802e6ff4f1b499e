// `duro run <file>`: starts a run of a workflow file, flow or pack and executes it in this process, with the dev loop
// (mocks, run folder, cassette), until it ends or waits; --detach only starts it for a worker.
import { randomBytes } from "node:crypto";
import { newRunId } from "../../core/index.js";
import { DuroError, validateInput } from "../../index.js";
import { loadWorkflowFile, pickWorkflow } from "../../load/index.js";
import { runFolderPath, writeRefusalFolder } from "../../observe/index.js";
import { START_FLAGS, startAttribution } from "../attribution-flags.js";
import type { CliCommand } from "../command.js";
import { EXIT, engineFor, output, parse, parseJson, positiveInt, requirePositional, usage } from "../common.js";
import { DEV_RUN_FLAGS, devOptions, mockLlm } from "../dev-flags.js";
import { loadOptions } from "../files.js";
import { finalReport } from "../final-report.js";
import { duroCommand } from "../hints.js";
import { progressPrinter, say, warn } from "../output.js";
import { PACK_FLAGS, packFlagWords, packOptions } from "../pack-flags.js";

export const runCommand: CliCommand = { name: "run", run };

async function run(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {
    workflow: { type: "string" },
    /** For a pack or flow: the flow id (another name for --workflow). */
    flow: { type: "string" },
    input: { type: "string" },
    id: { type: "string" },
    "idempotency-key": { type: "string" },
    detach: { type: "boolean", default: false },
    "lease-ms": { type: "string" },
    "mock-llm": { type: "string" },
    ...START_FLAGS,
    ...PACK_FLAGS,
    ...DEV_RUN_FLAGS,
  });
  const out = output(values.json);
  const file = requirePositional(positionals, 0, "the workflow file: duro run <file>");
  // Mocks answer in this process only: a worker claiming the detached run would call the real components.
  if (values.detach && values.mocks !== undefined) {
    throw new DuroError(
      "mocks_detached",
      "--mocks apply only in the process that runs the run, and a worker does not load them; drop --detach (a run that waits is continued with the same mocks by duro resume <runId>)",
      { category: "input" },
    );
  }
  const input = values.input === undefined ? {} : parseJson(values.input, "the run's input", "--input");
  const module = await loadWorkflowFile(file, loadOptions(packOptions(values))).catch((error: unknown) => {
    throw recordRefusal(error, file, values);
  });
  if (values.flow !== undefined && values.workflow !== undefined) throw usage("--flow and --workflow name the same thing; give one");
  const def = pickWorkflow(module, values.flow ?? values.workflow);
  // Refuse bad input before the store is opened: a refused start must not even create the database file.
  await validateInput(def, input);
  const stopMock = await mockLlm(values["mock-llm"]);
  const { devSession } = await import("../../devloop/index.js");
  const dev = devSession(devOptions(values, out.json || values.detach ? undefined : progressPrinter(say)));
  dev.checkInput(input, def.name);
  const engine = engineFor(
    values.db,
    module.workflows,
    {
      queues: module.queues,
      inlineWaitMs: 30_000,
      leaseMs: positiveInt(values["lease-ms"], "--lease-ms", 30_000),
      ...dev.engineOptions,
    },
    { create: true },
  );
  try {
    const handle = await engine.start(def, input, {
      source: module.file,
      manifest: module.manifest,
      ...(module.pack || Object.keys(dev.startMeta).length > 0
        ? { meta: { ...(module.pack ? { pack: module.pack } : {}), ...dev.startMeta } }
        : {}),
      ...(values.id === undefined ? {} : { id: values.id }),
      ...startAttribution(values),
      ...(values["idempotency-key"] === undefined ? {} : { idempotencyKey: values["idempotency-key"] }),
    });
    if (!handle.created) out.print(`run ${handle.id} already exists (same id or idempotency key); showing it`);
    if (values.detach) {
      out.print(`started ${handle.id} (${def.name}); a worker will execute it: ${duroCommand("worker", file, ...packFlagWords(values))}`);
      out.data({ id: handle.id, status: handle.run.status, created: handle.created });
      return EXIT.ok;
    }
    out.print(`run ${handle.id} (${def.name})`);
    await dev.settle(engine, handle.id);
    const dir = await dev.finish(engine, handle.id, module.file);
    out.print(`run folder: ${dir}`);
    return await finalReport(engine, handle.id, out, packFlagWords(values));
  } finally {
    dev.close();
    await engine.close();
    await stopMock?.();
  }
}

const SIGNING_REFUSALS = new Set(["pack_unsigned", "pack_signature_invalid", "pack_untrusted_key"]);

/**
 * A pack refused by strict signing leaves its refusal where the run's folder would have been (--artifacts-dir, else
 * .duro/runs/<the --id or a new run id>/) and says where; returns the error to throw on.
 */
function recordRefusal(error: unknown, file: string, values: { id?: string | undefined; "artifacts-dir"?: string | undefined }): unknown {
  if (!(error instanceof DuroError) || !SIGNING_REFUSALS.has(error.code)) return error;
  const now = Date.now();
  const runId = values.id ?? newRunId(now, randomBytes(16));
  const dir = values["artifacts-dir"] ?? runFolderPath(runId);
  const path = writeRefusalFolder(dir, { runId, at: new Date(now).toISOString(), source: file, error: error.toJSON() });
  warn(`duro: nothing ran; the refusal is recorded in ${path}`);
  return error;
}
