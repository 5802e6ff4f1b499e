// `duro worker <file...>`: claims and executes runs of these files' workflows (and fires their schedules) until
// stopped, or until no run is left with --until-idle; SIGINT/SIGTERM let running steps finish first.
import { isDuroError } from "../../core/index.js";
import { DEFAULT_WORKER_CONCURRENCY } from "../../index.js";
import { loadWorkflowFiles } from "../../load/index.js";
import type { CliCommand } from "../command.js";
import { EXIT, engineFor, output, parse, positiveInt, usage } from "../common.js";
import { loadOptions } from "../files.js";
import { progressPrinter, say, warn, warnLease } from "../output.js";
import { PACK_FLAGS, packOptions } from "../pack-flags.js";
import { RETENTION_FLAGS, retentionOption } from "../retention-flags.js";
import { ANY_VERSION_FLAG, describeVersions, pinningOption } from "../version-flags.js";

export const workerCommand: CliCommand = { name: "worker", run };

async function run(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {
    concurrency: { type: "string" },
    "until-idle": { type: "boolean", default: false },
    "lease-ms": { type: "string" },
    "grace-ms": { type: "string" },
    ...ANY_VERSION_FLAG,
    ...PACK_FLAGS,
    ...RETENTION_FLAGS,
  });
  if (positionals.length === 0) throw usage("missing the workflow files: duro worker <file...>");
  const concurrency = positiveInt(values.concurrency, "--concurrency", DEFAULT_WORKER_CONCURRENCY);
  const leaseMs = positiveInt(values["lease-ms"], "--lease-ms", 30_000);
  const graceMs = positiveInt(values["grace-ms"], "--grace-ms", 10_000);
  const modules = await loadWorkflowFiles(positionals, loadOptions(packOptions(values)));
  const workflows = modules.flatMap((m) => m.workflows);
  const out = output(values.json);
  const engine = engineFor(
    values.db,
    workflows,
    {
      queues: modules.flatMap((m) => m.queues),
      leaseMs,
      schedules: modules.flatMap((m) => m.schedules),
      ...pinningOption(values),
      ...(out.json ? {} : { onEvents: progressPrinter(say) }),
      ...retentionOption(values, out),
    },
    { create: true },
  );
  // Registers the files' schedules now, so that a bad one (its input fails the workflow's schema) fails here.
  await engine.schedules.sync();
  const counts = { completed: 0, failed: 0, cancelled: 0, waiting: 0 };
  const worker = engine.runWorker({
    concurrency,
    graceMs,
    untilIdle: values["until-idle"],
    onOutcome: (o) => {
      if (o.status in counts) counts[o.status as keyof typeof counts]++;
    },
    // On stderr, so that --json output stays one document.
    onLease: warnLease,
    onError: (error, runId) =>
      warn(
        `duro worker${runId ? ` (run ${runId})` : ""}: ${isDuroError(error) ? `error [${error.code}]: ${error.message}` : (error as Error).stack}`,
      ),
  });
  out.print(
    `worker ${engine.workerId} executing ${describeVersions(engine, values["any-version"])} (concurrency ${concurrency})${values["until-idle"] ? " until idle" : "; Ctrl-C stops"}`,
  );
  const stop = () => {
    out.print("stopping: letting running steps finish…");
    void worker.stop();
  };
  const schedules = engine.schedules.names();
  if (schedules.length > 0) out.print(`firing schedules: ${schedules.join(", ")} (duro schedules list)`);
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  await worker.done;
  process.off("SIGINT", stop);
  process.off("SIGTERM", stop);
  await engine.close();
  out.print(
    `worker stopped: ${counts.completed} completed, ${counts.failed} failed, ${counts.cancelled} cancelled, ${counts.waiting} suspended waiting`,
  );
  out.data({ workerId: engine.workerId, ...counts });
  return EXIT.ok;
}
