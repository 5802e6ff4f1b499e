// `duro runs fork <runId> --from-step <key> [--input <json>] [--id <newId>]`: a new run that reuses the journal up to
// that step (src/engine/fork.ts); a worker, or `duro resume <newId> <file>`, executes it from there.
import { forkRun } from "../../engine/fork.js";
import { EXIT, openDb, output, parse, parseJson, requirePositional, usage } from "../common.js";

export async function runsFork(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { "from-step": { type: "string" }, input: { type: "string" }, id: { type: "string" } });
  const out = output(values.json);
  const originId = requirePositional(positionals, 0, "the run id: duro runs fork <runId> --from-step <key>");
  const fromStep = values["from-step"];
  if (!fromStep) throw usage("missing --from-step <key>: the step to execute again (duro runs show <runId> lists the steps)");
  const store = openDb(values.db);
  try {
    const run = await forkRun(store, originId, {
      fromStep,
      ...(values.input === undefined ? {} : { input: parseJson(values.input, "the input", "--input") }),
      ...(values.id === undefined ? {} : { id: values.id }),
    });
    out.data(run);
    out.print(`forked run ${originId} from step ${fromStep} as ${run.id} (queued; a worker or duro resume ${run.id} <file> runs it)`);
    return EXIT.ok;
  } finally {
    await store.close();
  }
}
