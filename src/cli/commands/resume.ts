// `duro resume <runId> [<file...>]`: continues a run in this process until it ends or waits, with the files it was
// started from (unless others are given) and the mocks it was started with; its run folder is brought up to date.
import { DuroError } from "../../index.js";
import { loadWorkflowFiles } from "../../load/index.js";
import type { CliCommand } from "../command.js";
import { engineFor, output, parse, positiveInt, requirePositional } from "../common.js";
import { devOptions, mockLlm } from "../dev-flags.js";
import { loadOptions } from "../files.js";
import { finalReport } from "../final-report.js";
import { duroCommand } from "../hints.js";
import { progressPrinter, say, warnLease } from "../output.js";
import { PACK_FLAGS, packFlagWords, packOptions } from "../pack-flags.js";
import { ANY_VERSION_FLAG, pinningOption } from "../version-flags.js";

export const resumeCommand: CliCommand = { name: "resume", run };

async function run(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {
    "lease-ms": { type: "string" },
    "mock-llm": { type: "string" },
    mocks: { type: "string" },
    ...ANY_VERSION_FLAG,
    ...PACK_FLAGS,
  });
  const out = output(values.json);
  const runId = requirePositional(positionals, 0, "the run id: duro resume <runId> [<file...>]");
  const leaseMs = positiveInt(values["lease-ms"], "--lease-ms", 30_000);
  const { devSession, refreshRunFolder, resumePlan } = await import("../../devloop/index.js");
  const probe = engineFor(values.db);
  let plan: Awaited<ReturnType<typeof resumePlan>>;
  try {
    plan = await resumePlan(probe, runId, { files: positionals.slice(1), mocks: values.mocks });
  } finally {
    await probe.close();
  }
  if (plan.files.length === 0) {
    throw new DuroError(
      "file_required",
      `run ${runId} (workflow "${plan.workflow}") was not started from a file; pass it: ${duroCommand("resume", runId)} <file>`,
      { category: "input" },
    );
  }
  const modules = await loadWorkflowFiles(plan.files, loadOptions(packOptions(values)));
  const stopMock = await mockLlm(values["mock-llm"]);
  const progress = out.json ? undefined : progressPrinter(say);
  // The mocks the run was started with answer again (recorded with the run, checked by digest in resumePlan).
  const dev = plan.mocks === undefined ? undefined : devSession(devOptions({ mocks: plan.mocks }, progress));
  const engine = engineFor(
    values.db,
    modules.flatMap((m) => m.workflows),
    {
      queues: modules.flatMap((m) => m.queues),
      inlineWaitMs: 30_000,
      leaseMs,
      ...pinningOption(values),
      ...(progress ? { onEvents: progress } : {}),
      ...dev?.engineOptions,
    },
  );
  try {
    if (dev) await dev.settle(engine, runId);
    else await engine.runUntilSettled(runId, { maxWaitMs: 30_000, onLease: warnLease });
    // The folder `duro run` wrote for this run (transcript, summary, report) would otherwise describe it as it was.
    const folder = await refreshRunFolder(engine.store, runId);
    if (folder !== undefined) out.print(`run folder: ${folder}`);
    return await finalReport(engine, runId, out, [...positionals.slice(1), ...packFlagWords(values)]);
  } finally {
    dev?.close();
    await engine.close();
    await stopMock?.();
  }
}
