// `duro runs verify <runId…> | --all`: checks each run's journal hash chain (src/store/chain.ts) and names the first
// event that was edited, removed or reordered. Exit 0 when every chain holds, 1 when any is broken. A sub-command of
// `runs`, which main.ts hands over to here.

import { type ChainReport, runNotFound, type Store, verifyChain } from "../../store/index.js";
import { EXIT, openDb, output, parse, usage } from "../common.js";

/** Checks one run's chain; throws run_not_found for an unknown id. */
export async function verifyRun(store: Store, runId: string): Promise<ChainReport> {
  const run = await store.getRun(runId);
  if (run === undefined) throw runNotFound(runId);
  const [rows, since] = await Promise.all([store.journalChain(runId), store.chainSince()]);
  return verifyChain(rows, { requireChain: run.createdAt > since });
}

async function allRunIds(store: Store): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.listRuns({ limit: 500, ...(cursor === undefined ? {} : { cursor }) });
    ids.push(...page.runs.map((r) => r.id));
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return ids;
}

export async function runsVerify(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { all: { type: "boolean" } });
  const out = output(values.json);
  if (positionals.length === 0 && !values.all) throw usage("missing the run ids: duro runs verify <runId...> (or --all)");
  const store = openDb(values.db);
  try {
    const ids = values.all ? await allRunIds(store) : positionals;
    const reports: Array<ChainReport & { runId: string }> = [];
    for (const runId of ids) {
      const report = { runId, ...(await verifyRun(store, runId)) };
      reports.push(report);
      const legacy = report.unchained > 0 ? ` (${report.unchained} older events predate the chain and are not checked)` : "";
      out.print(
        report.ok
          ? `run ${runId}: ok, ${report.events} events chained${legacy}`
          : `run ${runId}: BROKEN at seq ${report.firstBadSeq}: ${report.problem}`,
      );
    }
    const broken = reports.filter((r) => !r.ok).length;
    out.data({ ok: broken === 0, broken, runs: reports });
    if (ids.length > 1) out.print(`${ids.length - broken} of ${ids.length} runs verified, ${broken} broken`);
    return broken === 0 ? EXIT.ok : EXIT.failed;
  } finally {
    await store.close();
  }
}
