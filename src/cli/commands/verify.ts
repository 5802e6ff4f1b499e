// `duro runs verify <runId…> | --all [--against <file>]`: checks each run's journal hash chain (src/store/chain.ts)
// and names the first event that was edited, removed or reordered; and checks the manifest the run recorded against
// the code file, flow or pack on disk now (src/load/manifest.ts), saying what differs. Exit 0 when everything holds,
// 1 when a chain is broken or the code changed. A sub-command of `runs`, which main.ts hands over to here.

import type { RunManifest } from "../../index.js";
import { checkManifest, type ManifestCheck } from "../../load/index.js";
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
  const { values, positionals } = parse(args, { all: { type: "boolean" }, against: { type: "string" } });
  const out = output(values.json);
  if (positionals.length === 0 && !values.all) throw usage("missing the run ids: duro runs verify <runId...> (or --all)");
  const store = openDb(values.db);
  try {
    const ids = values.all ? await allRunIds(store) : positionals;
    const reports: Array<ChainReport & { runId: string; manifest?: ManifestCheck }> = [];
    for (const runId of ids) {
      const chain = { runId, ...(await verifyRun(store, runId)) };
      const manifest = await manifestCheck(store, runId, values.against);
      const report = manifest === undefined ? chain : { ...chain, manifest };
      reports.push(report);
      const legacy = report.unchained > 0 ? ` (${report.unchained} older events predate the chain and are not checked)` : "";
      out.print(
        report.ok
          ? `run ${runId}: ok, ${report.events} events chained${legacy}`
          : `run ${runId}: BROKEN at seq ${report.firstBadSeq}: ${report.problem}`,
      );
      if (manifest) printManifest(out, manifest);
    }
    const broken = reports.filter((r) => !r.ok || r.manifest?.ok === false).length;
    out.data({ ok: broken === 0, broken, runs: reports });
    if (ids.length > 1) out.print(`${ids.length - broken} of ${ids.length} runs verified, ${broken} broken`);
    return broken === 0 ? EXIT.ok : EXIT.failed;
  } finally {
    await store.close();
  }
}

/** The run's manifest against the file on disk: always with --against, else for runs that recorded one. */
async function manifestCheck(store: Store, runId: string, against: string | undefined): Promise<ManifestCheck | undefined> {
  const [created] = await store.read(runId, 1);
  const manifest = created?.type === "run_created" ? (created.manifest as RunManifest | undefined) : undefined;
  if (manifest === undefined && against === undefined) return undefined;
  return checkManifest(runId, manifest, against);
}

function printManifest(out: { print(line: string): void }, check: ManifestCheck): void {
  if (check.ok) out.print(`  code: ok, ${check.file} is what the run was started from`);
  else for (const difference of check.differences) out.print(`  code: DIFFERS: ${difference}`);
  for (const note of check.notes) out.print(`  note: ${note}`);
}
