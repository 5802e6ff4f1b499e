// `duro runs export <runId>` (regenerate the run folder from the journal) and `duro runs tail <runId>` (follow a
// live run). They are sub-commands of `runs`, which main.ts hands over to here.
import { setTimeout as sleep } from "node:timers/promises";
import { isTerminalEvent } from "../../core/index.js";
import { Redactor, runFolderPath, writeRunFolder } from "../../observe/index.js";
import { EXIT, engineFor, output, parse, positiveInt, requirePositional } from "../common.js";
import { jsonText, progressPrinter, say } from "../output.js";

export async function runsExport(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { "artifacts-dir": { type: "string" } });
  const out = output(values.json);
  const runId = requirePositional(positionals, 0, "the run id: duro runs export <runId>");
  const engine = engineFor(values.db);
  try {
    await engine.get(runId);
    const dir = values["artifacts-dir"] ?? runFolderPath(runId);
    const folder = await writeRunFolder(engine.store, runId, dir, { redactor: new Redactor() });
    out.data({ runId, dir, status: folder.summary.status, files: [...folder.files.keys()] });
    out.print(`run ${runId}: ${folder.summary.status}; wrote ${folder.files.size} files to ${dir}`);
  } finally {
    await engine.close();
  }
  return EXIT.ok;
}

/** Prints the run's events as they are committed, until it ends (or, with --until-wait, until it waits). */
export async function runsTail(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { "poll-ms": { type: "string" } });
  const runId = requirePositional(positionals, 0, "the run id: duro runs tail <runId>");
  const pollMs = positiveInt(values["poll-ms"], "--poll-ms", 250);
  const engine = engineFor(values.db);
  const print = values.json ? (runId: string, events: unknown[]) => console.log(jsonText({ runId, events }, 0)) : progressPrinter(say);
  try {
    let next = 1;
    for (;;) {
      const events = await engine.events(runId, next);
      if (events.length > 0) {
        print(runId, events);
        next = (events[events.length - 1]?.seq ?? next) + 1;
        if (events.some(isTerminalEvent)) return EXIT.ok;
      }
      await sleep(pollMs);
    }
  } finally {
    await engine.close();
  }
}
