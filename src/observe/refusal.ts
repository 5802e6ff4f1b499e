// The folder of a run that never started: a pack refused by strict signing leaves `refusal.json` and a one-line
// `transcript.jsonl` where the run's folder would have been, so the refusal is on disk even though nothing ran.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ErrorInfo } from "../core/index.js";
import type { TranscriptLine } from "./transcript.js";

/** What `refusal.json` holds. */
export interface Refusal {
  status: "refused";
  /** The run id the refused start would have had (its folder's name). */
  runId: string;
  /** ISO time of the refusal. */
  at: string;
  /** The pack file or directory, as given. */
  source: string;
  error: ErrorInfo;
}

export const REFUSAL_FILE = "refusal.json";

/** Writes the refusal into `dir` (created if needed) and returns the path of its `refusal.json`. */
export function writeRefusalFolder(dir: string, refusal: Omit<Refusal, "status">): string {
  const record: Refusal = { status: "refused", ...refusal };
  const line: TranscriptLine = {
    ts: refusal.at,
    runId: refusal.runId,
    workflow: "",
    step: null,
    component: "pack",
    phase: "verify",
    status: "refused",
    inputs: { source: refusal.source },
    error: refusal.error,
    metrics: {},
    redactions: [],
  };
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "transcript.jsonl"), `${JSON.stringify(line)}\n`);
  const file = join(dir, REFUSAL_FILE);
  writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
  return file;
}
