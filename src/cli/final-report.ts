// How `duro run` and `duro resume` end: the run's outcome, or what it waits for and the commands that continue it,
// and the exit code that says which (0 completed, 1 failed or cancelled, 3 waiting).
import type { Engine, RunDetails } from "../index.js";
import { checkDbFile, EXIT, type Out } from "./common.js";
import { duroCommand } from "./hints.js";
import { howToContinue, plain } from "./output.js";

/** Prints how a run ended, or what it waits for; `resumeFlags` are the words a `duro resume` hint must repeat. */
export async function finalReport(engine: Engine, runId: string, out: Out, resumeFlags: string[]): Promise<number> {
  checkDbFile(engine.store);
  const run = await engine.get(runId);
  out.data(run);
  out.print(`\nrun ${run.id} ${run.status}`);
  if (run.status === "completed") {
    out.print(`output: ${JSON.stringify(run.output, null, 2)}`);
    return EXIT.ok;
  }
  if (run.status === "failed" || run.status === "cancelled") {
    if (run.error) out.print(`error [${plain(run.error.code)}]: ${plain(run.error.message)}`);
    if (run.cancelReason) out.print(`reason: ${plain(run.cancelReason)}`);
    return EXIT.failed;
  }
  printWaits(run, out, duroCommand("resume", run.id, ...resumeFlags));
  return EXIT.waiting;
}

function printWaits(run: RunDetails, out: Out, resume: string): void {
  if (run.waits.length === 0) {
    out.print(`it is ${run.status}; a worker continues it: duro worker <file>, or ${resume}`);
    return;
  }
  out.print("it is saved and waiting for:");
  for (const wait of run.waits)
    out.print(`  ${plain(wait.key)}${wait.summary ? ` (${plain(wait.summary)})` : ""}: ${howToContinue(run, wait)}`);
  out.print(`then continue it with: ${resume}   (or keep a worker running: duro worker <file>)`);
}
