// The CLI's inbox: what waiting runs ask of people and hosts (approvals, questions, external tool calls), one row
// each with the command that answers it. `duro approvals pending` lists all kinds, `duro tools pending` tool calls.
import type { PendingWait, WaitKind } from "../index.js";
import { EXIT, engineFor, output, parse } from "./common.js";
import { howToContinue, jsonText, table } from "./output.js";

/** Runs `<command> pending [--run <runId>] [--tenant <t>]` for waits of `kinds` (all when undefined). */
export async function listPendingWaits(args: string[], kinds?: readonly WaitKind[]): Promise<number> {
  const { values } = parse(args, { run: { type: "string" }, tenant: { type: "string" } });
  const out = output(values.json);
  const engine = engineFor(values.db);
  try {
    const waits = await engine.pending({
      ...(kinds ? { kinds } : {}),
      ...(values.run === undefined ? {} : { runId: values.run }),
      ...(values.tenant === undefined ? {} : { tenant: values.tenant }),
    });
    out.data({ pending: waits.map(({ eventKey: _key, ...wait }) => wait) });
    out.print(waits.length === 0 ? `nothing pending${values.run ? ` for run ${values.run}` : ""}` : pendingTable(waits, values.tenant));
  } finally {
    await engine.close();
  }
  return EXIT.ok;
}

function pendingTable(waits: PendingWait[], tenant: string | undefined): string {
  const rows = waits.map((wait) => [
    wait.runId,
    wait.kind,
    wait.kind === "tool" ? `${wait.tool ?? ""}(${jsonText(wait.args ?? null, 0)}) call ${wait.callId ?? ""}` : (wait.gate ?? wait.key),
    wait.decided ? "sent, not taken yet" : howToContinue({ id: wait.runId, tenant: tenant ?? "default" }, wait),
  ]);
  return table(["RUN", "KIND", "WHAT", "TO ANSWER"], rows);
}
