// The mocks a run was started with are part of the run: `duro run --mocks` records the file and its digest in
// the run's options (never its contents: a mocks file may hold mocked secrets), and `duro resume` applies the same
// file again, so a resumed run does not reach the real components its first part only pretended to call. A file
// that is gone or changed is refused with a code rather than silently mixing mocked and real calls.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { inputError } from "../core/index.js";

/** What a run keeps of its mocks: where the file was and what it held. */
export interface RecordedMocks {
  file: string;
  sha256: string;
}

function digest(path: string): string {
  try {
    return createHash("sha256").update(readFileSync(path)).digest("hex");
  } catch (error) {
    throw inputError("mocks_not_found", `cannot read the mocks file ${path}: ${(error as Error).message}`, { file: path });
  }
}

/** The record of a mocks file for the run's options (`meta.mocks`). */
export function recordMocks(path: string): RecordedMocks {
  const file = resolve(path);
  return { file, sha256: digest(file) };
}

/** The mocks a run recorded, read from its `run_created` options. */
export function recordedMocksOf(options: Record<string, unknown> | undefined): RecordedMocks | undefined {
  const mocks = (options?.meta as { mocks?: unknown } | undefined)?.mocks as Partial<RecordedMocks> | undefined;
  return typeof mocks?.file === "string" && typeof mocks.sha256 === "string" ? { file: mocks.file, sha256: mocks.sha256 } : undefined;
}

/**
 * The mocks file to resume run `runId` with: the one it recorded, or `given` when it holds the same contents.
 * Refuses (`mocks_not_recorded`) mocks for a run started without them, (`mocks_not_found`) a recorded file that
 * is gone, and (`mocks_changed`) a file whose contents differ from what the run was started with.
 */
export function mocksForResume(runId: string, recorded: RecordedMocks | undefined, given: string | undefined): string | undefined {
  if (!recorded) {
    if (given === undefined) return undefined;
    throw inputError(
      "mocks_not_recorded",
      `run ${runId} was started without mocks; resuming it with --mocks ${given} would mix real calls (before) with mocked ones (after). Resume it without --mocks, or start a new run with them`,
      { runId, file: given },
    );
  }
  const file = given === undefined ? recorded.file : resolve(given);
  let sha256: string;
  try {
    sha256 = digest(file);
  } catch (error) {
    throw inputError(
      "mocks_not_found",
      `run ${runId} was started with the mocks ${recorded.file}, which cannot be read now (${(error as Error).message}); resuming without them would call the real components. Restore the file, or pass a copy of it: duro resume ${runId} --mocks <file>`,
      { runId, file, recorded: recorded.file },
    );
  }
  if (sha256 !== recorded.sha256) {
    throw inputError(
      "mocks_changed",
      `the mocks ${file} differ from the ones run ${runId} was started with (sha256 ${recorded.sha256.slice(0, 12)}…, now ${sha256.slice(0, 12)}…); a run resumed with other mocks would see other answers than its journal. Restore the file as it was, or start a new run`,
      { runId, file, recorded: recorded.sha256, now: sha256 },
    );
  }
  return file;
}
