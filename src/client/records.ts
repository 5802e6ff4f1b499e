// What the API answers, as the client hands it out: runs (with times as ISO strings, as the API sends them), pages of
// runs, decisions. Only types: they come from the engine's own definitions, so they cannot drift from the server.
import type { RunDetails } from "../engine/index.js";
import type { RunRecord, RunStatus } from "../store/index.js";

/** A run as GET /v1/runs/{id} shows it: status, input, output or error, steps, open waits; `O` is its output. */
export type Run<O = unknown> = Omit<RunDetails, "output"> & { output?: O };

/** A run as a list shows it: its row in the runs index, with times as ISO strings. */
export type RunListEntry = Omit<RunRecord, "createdAt" | "updatedAt" | "readyAt" | "admittedAt"> & {
  createdAt: string;
  updatedAt: string;
  readyAt?: string;
  admittedAt?: string;
};

/** One page of runs, newest first; pass `nextCursor` back as `cursor` for the next page. */
export interface RunListPage {
  runs: RunListEntry[];
  nextCursor?: string;
}

export type { RunStatus };

/** What an approval, rejection or answer was recorded as. */
export interface Decided {
  runId: string;
  /** The gate (approvals) or question name (answers) that was resolved. */
  gate: string;
  by?: string;
}

/** What sending an event did: the runs it woke at once (others get it when they wait on its key). */
export interface Signalled {
  key: string;
  messageId: string;
  wokeRunIds: string[];
}
