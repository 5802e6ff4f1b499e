// `duro runs prune --status completed --older-than 30d [--batch 500]`: retention. Deletes runs that ended with that
// status and were last updated before the cutoff, with their journals, waits and consumed inbox messages, one
// bounded batch (one short transaction) at a time, so workers are never blocked for long.
import { DuroError, toMs } from "../../core/index.js";
import { EXIT, openDb, output, parse, positiveInt } from "../common.js";

const STATUSES = ["completed", "failed", "cancelled"] as const;

export async function runsPrune(args: string[]): Promise<number> {
  const { values } = parse(args, { status: { type: "string" }, "older-than": { type: "string" }, batch: { type: "string" } });
  const out = output(values.json);
  const status = values.status as (typeof STATUSES)[number] | undefined;
  if (status === undefined || !STATUSES.includes(status)) {
    throw new DuroError("usage", `--status must be one of ${STATUSES.join(", ")}: only ended runs can be pruned`, { category: "input" });
  }
  const olderThan = values["older-than"];
  if (olderThan === undefined)
    throw new DuroError("usage", "missing --older-than <duration>, e.g. --older-than 30d", { category: "input" });
  const before = Date.now() - toMs(olderThan as Parameters<typeof toMs>[0]);
  const limit = positiveInt(values.batch, "--batch", 500);
  const store = openDb(values.db);
  let pruned = 0;
  try {
    for (;;) {
      const ids = await store.pruneRuns({ status, before, limit });
      pruned += ids.length;
      if (ids.length < limit) break;
    }
  } finally {
    await store.close();
  }
  out.data({ pruned, status, before: new Date(before).toISOString() });
  out.print(`pruned ${pruned} ${status} runs last updated before ${new Date(before).toISOString()}`);
  return EXIT.ok;
}
