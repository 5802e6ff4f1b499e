// `duro tools result|pending`: the host's side of external tools (declared `external: true`): post a call's outcome,
// list the calls runs wait on.
import type { CliCommand } from "../command.js";
import { currentUser, EXIT, engineFor, output, parse, parseJson, requirePositional, usage } from "../common.js";
import { duroCommand } from "../hints.js";
import { plain } from "../output.js";
import { listPendingWaits } from "../pending.js";

export const toolsCommand: CliCommand = {
  name: "tools",
  run: async ([sub, ...rest]) => {
    if (sub === "result") return result(rest);
    if (sub === "pending") return listPendingWaits(rest, ["tool"]);
    throw usage(`unknown "tools ${sub ?? ""}"; use tools result <runId> <callId> --result <json>, or tools pending [--run <runId>]`);
  },
};

async function result(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { result: { type: "string" }, error: { type: "string" }, by: { type: "string" } });
  const out = output(values.json);
  const runId = requirePositional(positionals, 0, "the run id: duro tools result <runId> <callId> --result <json>");
  const callId = requirePositional(
    positionals,
    1,
    "the call id: duro tools result <runId> <callId> --result <json> (duro tools pending lists them)",
  );
  if ((values.result === undefined) === (values.error === undefined)) throw usage("give one of --result <json> and --error <message>");
  const outcome =
    values.result === undefined ? { error: values.error as string } : { result: parseJson(values.result, "the tool's result", "--result") };
  const engine = engineFor(values.db);
  try {
    const wait = await engine.toolResult(runId, callId, { ...outcome, by: values.by ?? currentUser() });
    out.data({ runId, callId, tool: wait.tool, ...outcome });
    out.print(
      `${"error" in outcome ? "error" : "result"} of tool "${plain(wait.tool ?? "")}" (call ${plain(callId)}) recorded for run ${runId}; it continues when a worker picks it up (${duroCommand("resume", runId)})`,
    );
  } finally {
    await engine.close();
  }
  return EXIT.ok;
}
