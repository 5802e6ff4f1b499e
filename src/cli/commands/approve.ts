// `duro approve <runId> [<gate>]`: records a decision (approve, reject or abort) on a run's approval gate.
import { SEND_FLAGS, sendAttribution } from "../attribution-flags.js";
import type { CliCommand } from "../command.js";
import { currentUser, EXIT, engineFor, output, parse, requirePositional, usage } from "../common.js";
import { duroCommand } from "../hints.js";
import { plain } from "../output.js";

export const approveCommand: CliCommand = { name: "approve", run };

async function run(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {
    reject: { type: "boolean", default: false },
    abort: { type: "boolean", default: false },
    comment: { type: "string" },
    by: { type: "string" },
    ...SEND_FLAGS,
  });
  const out = output(values.json);
  const runId = requirePositional(positionals, 0, "the run id: duro approve <runId> [<gate>]");
  if (values.reject && values.abort) throw usage("choose one of --reject and --abort");
  const action = values.reject ? "reject" : values.abort ? "abort" : "approve";
  const engine = engineFor(values.db);
  try {
    const wait = await engine.approve(
      runId,
      positionals[1],
      {
        action,
        by: values.by ?? values.actor ?? currentUser(),
        ...(values.comment === undefined ? {} : { comment: values.comment }),
      },
      sendAttribution(values, values.by),
    );
    out.data({ runId, gate: wait.gate, action });
    out.print(
      `${action} recorded for "${plain(wait.gate ?? "")}" of run ${runId}; it continues when a worker picks it up (${duroCommand("resume", runId)})`,
    );
  } finally {
    await engine.close();
  }
  return EXIT.ok;
}
