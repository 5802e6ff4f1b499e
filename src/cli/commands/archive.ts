// `duro archive inspect <file> [<runId>]`: reads a retention archive (duro runs prune --archive, or a worker's
// retention policy) offline: lists its runs with their hash-chain check, or shows one run's record and journal.

import { DuroError } from "../../core/index.js";
import { type ArchivedRun, readArchive } from "../../index.js";
import { decodeEvent, verifyChain } from "../../store/index.js";
import type { CliCommand } from "../command.js";
import { EXIT, output, parse, usage } from "../common.js";

async function inspect(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {});
  const out = output(values.json);
  const [file, runId] = positionals;
  if (file === undefined) throw usage("missing the archive file: duro archive inspect <file> [<runId>]");
  const { header, runs } = await readArchive(file);
  if (runId === undefined) return list(out, header.archivedAt, runs);
  const found = runs.find((r) => r.run.id === runId);
  if (!found) {
    throw new DuroError("run_not_found", `run ${runId} is not in ${file}; duro archive inspect ${file} lists the runs it holds`, {
      category: "input",
    });
  }
  const chain = verifyChain(found.journal);
  const events = found.journal.map((row) => decodeEvent(row.type, row.seq, row.at, row.data));
  out.data({ run: found.run, chain, events });
  out.print(`run ${found.run.id} (${found.run.workflow} v${found.run.version}): ${found.run.status}, tenant ${found.run.tenant}`);
  out.print(`created ${new Date(found.run.createdAt).toISOString()}, last updated ${new Date(found.run.updatedAt).toISOString()}`);
  out.print(chainLine(chain));
  for (const event of events) out.print(`  ${event.seq}  ${event.at}  ${event.type}${"key" in event ? ` ${event.key}` : ""}`);
  return chain.ok ? EXIT.ok : EXIT.failed;
}

function list(out: ReturnType<typeof output>, archivedAt: string, runs: ArchivedRun[]): number {
  const rows = runs.map(({ run, journal }) => ({ id: run.id, workflow: run.workflow, status: run.status, chain: verifyChain(journal) }));
  out.data({ archivedAt, runs: rows });
  out.print(`archived ${archivedAt}: ${runs.length} runs`);
  for (const row of rows) out.print(`  ${row.id}  ${row.workflow}  ${row.status}  ${chainLine(row.chain)}`);
  return rows.every((r) => r.chain.ok) ? EXIT.ok : EXIT.failed;
}

function chainLine(chain: ReturnType<typeof verifyChain>): string {
  return chain.ok ? `chain ok (${chain.events} events)` : `chain BROKEN at seq ${chain.firstBadSeq}: ${chain.problem}`;
}

export const archiveCommand: CliCommand = {
  name: "archive",
  async run(args) {
    if (args[0] === "inspect") return inspect(args.slice(1));
    throw usage("duro archive takes one sub-command: inspect <file> [<runId>]");
  },
};
