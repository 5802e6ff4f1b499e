// What continuing a run from local files needs: the file it was started from (a child's is its nearest ancestor's),
// the mocks it was started with (the same file, unchanged), and its run folder brought up to date afterwards.
import { existsSync } from "node:fs";
import type { Engine, JournalEvent, Store } from "../index.js";
import { Redactor, runFolderPath, writeRunFolder } from "../observe/index.js";
import { mocksForResume, recordedMocksOf } from "./run-mocks.js";

export interface ResumePlan {
  /** The run's workflow name. */
  workflow: string;
  /** The files to load: those given, else the one the run was started from; empty when neither is known. */
  files: string[];
  /** The mocks file to resume with, when the run was started with mocks. */
  mocks?: string;
}

/**
 * Plans resuming run `runId` here. Throws `run_not_found`, and the mocks errors of mocksForResume (a run started
 * with mocks is never resumed against the real components, nor one started without them against mocks).
 */
export async function resumePlan(
  engine: Engine,
  runId: string,
  given: { files: string[]; mocks?: string | undefined },
): Promise<ResumePlan> {
  const run = await engine.get(runId);
  const created = (await engine.events(runId, 1))[0];
  const recorded = await recordedSource(engine, runId);
  const files = given.files.length === 0 && recorded ? [recorded] : given.files;
  const mocks = mocksForResume(runId, recordedMocksOf(created?.type === "run_created" ? created.options : undefined), given.mocks);
  return { workflow: run.workflow, files, ...(mocks === undefined ? {} : { mocks }) };
}

/**
 * The file a run was started from. A child run was started by its parent's code, so it is the file of the nearest
 * ancestor that records one (the root's, for a run started by `duro run`).
 */
async function recordedSource(engine: Engine, runId: string): Promise<string | undefined> {
  for (let id: string | undefined = runId; id !== undefined; ) {
    const created: JournalEvent | undefined = (await engine.events(id, 1))[0];
    if (created?.type !== "run_created") return undefined;
    const source = created.options.source as string | undefined;
    if (source !== undefined) return source;
    id = created.parentRunId;
  }
  return undefined;
}

/** Rewrites the run folder a local run left (default place), so it does not describe the run as it was; its path, or undefined. */
export async function refreshRunFolder(store: Store, runId: string): Promise<string | undefined> {
  const folder = runFolderPath(runId);
  if (!existsSync(folder)) return undefined;
  await writeRunFolder(store, runId, folder, { redactor: new Redactor() });
  return folder;
}
