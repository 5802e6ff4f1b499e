// Retention archives: the full record of pruned runs (the runs row and every journal row as stored, with its chain
// hash), one gzipped JSONL file per pruned batch. A file is complete and on disk (fsync of the file, rename, fsync of
// the directory) before the batch is deleted, so a crash in between loses nothing: at worst a run is archived twice.
import { randomBytes } from "node:crypto";
import { mkdir, open, rename, unlink } from "node:fs/promises";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { DuroError } from "../core/index.js";
import type { ChainRow, RunRecord, Store } from "../store/index.js";

/** The first line of every archive file. */
export const ARCHIVE_FORMAT = "duro-archive/1";

/** One pruned run as archived: enough to read its journal and check its hash chain offline (verifyChain). */
export interface ArchivedRun {
  run: RunRecord;
  /** The journal rows as stored, in seq order, with their chain hashes. */
  journal: ChainRow[];
}

export interface ArchiveHeader {
  format: typeof ARCHIVE_FORMAT;
  /** ISO time the file was written. */
  archivedAt: string;
  runs: number;
}

/** What an archive is read from: each run's row and its journal as stored, with the chain hashes. */
export type ArchiveSource = Pick<Store, "getRun" | "journalChain">;

/** Reads the runs to archive from the store; a run already gone (pruned by someone else) is left out. */
export async function recordsOf(store: ArchiveSource, runIds: string[]): Promise<ArchivedRun[]> {
  const records = await Promise.all(
    runIds.map(async (id) => {
      const [run, journal] = await Promise.all([store.getRun(id), store.journalChain(id)]);
      return run && { run, journal };
    }),
  );
  return records.filter((r) => r !== undefined);
}

/**
 * Writes one archive file into `dir` (created if missing) and returns its path once it is durable. One file per
 * batch rather than per run: one fsync pair per batch, and a directory that stays listable after millions of runs.
 */
export async function writeArchive(dir: string, runs: ArchivedRun[], now: number): Promise<string> {
  const stamp = new Date(now).toISOString().replace(/[-:]/g, "").replace(".", "");
  const name = `runs-${stamp}-${runs[0]?.run.id ?? "empty"}-${randomBytes(3).toString("hex")}.jsonl.gz`;
  const path = join(dir, name);
  const temporary = `${path}.tmp`;
  const header: ArchiveHeader = { format: ARCHIVE_FORMAT, archivedAt: new Date(now).toISOString(), runs: runs.length };
  const text = [header, ...runs].map((line) => JSON.stringify(line)).join("\n");
  try {
    await mkdir(dir, { recursive: true });
    const file = await open(temporary, "wx");
    try {
      await file.writeFile(gzipSync(text));
      await file.sync();
    } finally {
      await file.close();
    }
    // Renamed only when complete, so a file under its final name is never a torn write.
    await rename(temporary, path);
    const folder = await open(dir, "r");
    try {
      await folder.sync();
    } finally {
      await folder.close();
    }
    return path;
  } catch (error) {
    await unlink(temporary).catch(() => undefined); // the error that matters is the write's
    throw new DuroError(
      "archive_failed",
      `could not write the retention archive ${path}: ${(error as Error).message}; nothing was pruned. Check that the archive directory is writable and has space`,
      { category: "storage", retryable: true, cause: error, details: { dir } },
    );
  }
}

/** Reads an archive file back: its header and its runs, in the order they were pruned. */
export async function readArchive(path: string): Promise<{ header: ArchiveHeader; runs: ArchivedRun[] }> {
  let lines: string[];
  try {
    const file = await open(path, "r");
    try {
      lines = gunzipSync(await file.readFile())
        .toString("utf8")
        .split("\n");
    } finally {
      await file.close();
    }
  } catch (error) {
    throw invalidArchive(path, (error as Error).message, error);
  }
  const header = parseLine<ArchiveHeader>(path, lines[0] ?? "", 1);
  if (header.format !== ARCHIVE_FORMAT) throw invalidArchive(path, `its first line is not a ${ARCHIVE_FORMAT} header`);
  const runs = lines.slice(1).map((line, i) => parseLine<ArchivedRun>(path, line, i + 2));
  if (runs.length !== header.runs) throw invalidArchive(path, `the header counts ${header.runs} runs but it holds ${runs.length}`);
  return { header, runs };
}

function parseLine<T>(path: string, line: string, n: number): T {
  try {
    return JSON.parse(line) as T;
  } catch (error) {
    throw invalidArchive(path, `line ${n} is not JSON`, error);
  }
}

function invalidArchive(path: string, problem: string, cause?: unknown): DuroError {
  return new DuroError(
    "archive_invalid",
    `${path} is not a readable duro archive (${problem}); archives are the runs-*.jsonl.gz files duro runs prune --archive writes`,
    {
      category: "input",
      ...(cause === undefined ? {} : { cause }),
      details: { path },
    },
  );
}
