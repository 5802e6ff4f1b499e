// `duro runs prune --status completed --older-than 30d [--batch 500] [--archive <dir>] [--artifacts]`: retention.
// Deletes runs that ended with that status and were last updated before the cutoff, with their journals, waits and
// consumed inbox messages, one bounded batch (one short transaction) at a time, so workers are never blocked for long.
// With --archive each batch is first written to a gzipped JSONL file in <dir> and synced to disk (engine/archive.ts);
// with --artifacts the artifacts no remaining run references are deleted afterwards (after a grace period).
import { DuroError, toMs } from "../../core/index.js";
import { paceBatches, pruneBatch } from "../../index.js";
import { EXIT, openDb, output, parse, positiveInt } from "../common.js";

const STATUSES = ["completed", "failed", "cancelled"] as const;

export async function runsPrune(args: string[]): Promise<number> {
  const { values } = parse(args, {
    status: { type: "string" },
    "older-than": { type: "string" },
    batch: { type: "string" },
    archive: { type: "string" },
    artifacts: { type: "boolean", default: false },
    "artifact-grace": { type: "string" },
  });
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
  const archive = values.archive;
  const graceMs = toMs((values["artifact-grace"] ?? "1h") as Parameters<typeof toMs>[0]);
  const store = openDb(values.db);
  let pruned: number;
  let artifacts = 0;
  const archives: string[] = [];
  try {
    pruned = await paceBatches(
      async () => {
        const batch = await pruneBatch(store, { status, before, limit, ...(archive === undefined ? {} : { archive }) });
        if (batch.archive !== undefined) archives.push(batch.archive);
        return batch.pruned.length;
      },
      { limit },
    );
    if (values.artifacts) {
      artifacts = await paceBatches(async () => (await store.collectArtifacts({ before: Date.now() - graceMs, limit })).length, { limit });
    }
  } finally {
    await store.close();
  }
  out.data({ pruned, status, before: new Date(before).toISOString(), archives, ...(values.artifacts ? { artifacts } : {}) });
  out.print(`pruned ${pruned} ${status} runs last updated before ${new Date(before).toISOString()}`);
  if (archives.length > 0) out.print(`archived them in ${archives.length} file(s) under ${archive}: duro archive inspect <file>`);
  if (values.artifacts) out.print(`deleted ${artifacts} artifacts no remaining run references`);
  return EXIT.ok;
}
