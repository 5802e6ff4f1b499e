// `duro answer <runId> <name> --value <json>`: answers a question a run asked (ctx.ask).
import { SEND_FLAGS, sendAttribution } from "../attribution-flags.js";
import type { CliCommand } from "../command.js";
import { currentUser, EXIT, engineFor, output, parse, parseJson, requirePositional, usage } from "../common.js";
import { duroCommand } from "../hints.js";
import { plain } from "../output.js";

export const answerCommand: CliCommand = { name: "answer", run };

async function run(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { value: { type: "string" }, by: { type: "string" }, ...SEND_FLAGS });
  const out = output(values.json);
  const runId = requirePositional(positionals, 0, "the run id: duro answer <runId> <name> --value <json>");
  const name = requirePositional(positionals, 1, "the question's name: duro answer <runId> <name> --value <json>");
  if (values.value === undefined) throw usage("missing --value <json>");
  const value = parseJson(values.value, "the answer", "--value");
  const engine = engineFor(values.db);
  try {
    const wait = await engine.answer(runId, name, value, {
      by: values.by ?? values.actor ?? currentUser(),
      ...sendAttribution(values, values.by),
    });
    out.data({ runId, name: wait.gate, value });
    out.print(
      `answer to "${plain(wait.gate ?? "")}" recorded for run ${runId}; it continues when a worker picks it up (${duroCommand("resume", runId)})`,
    );
  } finally {
    await engine.close();
  }
  return EXIT.ok;
}
