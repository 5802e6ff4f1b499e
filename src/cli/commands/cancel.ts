// `duro cancel <runId>`: cancels a run; one executing on another worker stops at its next commit.
import { SEND_FLAGS, sendAttribution } from "../attribution-flags.js";
import type { CliCommand } from "../command.js";
import { currentUser, EXIT, engineFor, output, parse, requirePositional } from "../common.js";

export const cancelCommand: CliCommand = { name: "cancel", run };

async function run(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { reason: { type: "string" }, ...SEND_FLAGS });
  const out = output(values.json);
  const runId = requirePositional(positionals, 0, "the run id: duro cancel <runId>");
  const engine = engineFor(values.db);
  try {
    const who = sendAttribution(values);
    const record = await engine.cancel(runId, values.reason ?? `cancelled by ${who.actor ?? currentUser()}`, who);
    out.data(record);
    out.print(
      record.status === "cancelled"
        ? `run ${runId} cancelled`
        : `cancel requested; run ${runId} is executing on ${record.leaseOwner ?? "another worker"} and stops at its next commit`,
    );
  } finally {
    await engine.close();
  }
  return EXIT.ok;
}
