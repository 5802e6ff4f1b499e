// `duro signal <eventKey>`: delivers an event to the runs waiting on its key, or keeps it in the inbox until one does.
import { SEND_FLAGS, sendAttribution } from "../attribution-flags.js";
import type { CliCommand } from "../command.js";
import { EXIT, engineFor, output, parse, parseJson, requirePositional } from "../common.js";
import { duroCommand } from "../hints.js";
import { plain } from "../output.js";

export const signalCommand: CliCommand = { name: "signal", run };

async function run(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { payload: { type: "string" }, tenant: { type: "string" }, ...SEND_FLAGS });
  const out = output(values.json);
  const key = requirePositional(positionals, 0, "the event key: duro signal <eventKey>");
  const payload = values.payload === undefined ? null : parseJson(values.payload, "the event's payload", "--payload");
  const engine = engineFor(values.db);
  try {
    const result = await engine.signal(key, payload, {
      ...(values.tenant === undefined ? {} : { tenant: values.tenant }),
      ...sendAttribution(values),
    });
    out.data({ eventKey: key, ...result });
    out.print(
      result.wokeRunIds.length > 0
        ? `delivered to ${result.wokeRunIds.join(", ")}; it continues when a worker picks it up (${duroCommand("resume", result.wokeRunIds[0] as string)})`
        : `no run is waiting on "${plain(key)}" yet; the event is kept in the inbox (${duroCommand("runs", "list", "--inbox")}) until one does`,
    );
  } finally {
    await engine.close();
  }
  return EXIT.ok;
}
