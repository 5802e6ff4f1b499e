// The errors every backend raises, built in one place so that codes, categories and wording stay identical.
import { DuroError, inputError } from "../core/index.js";
import type { RunStatus } from "./store.js";

export function runNotFound(runId: string): DuroError {
  return inputError("run_not_found", `run ${runId} does not exist; check the id (duro runs list shows existing runs)`, {
    runId,
  });
}

export function runTerminal(runId: string, status: RunStatus): DuroError {
  return inputError("run_terminal", `run ${runId} already ended (${status}); only runs that have not ended can be cancelled`, {
    runId,
    status,
  });
}

/** A `wait_resolved` tried to take an inbox message another commit took first; retrying after a re-read resolves it. */
export function inboxConflict(runId: string, messageId: number): DuroError {
  return new DuroError(
    "inbox_conflict",
    `inbox message ${messageId} does not exist or was already consumed, so run ${runId} cannot consume it; nothing was appended, re-read the run and retry`,
    { category: "storage", retryable: true, details: { runId, messageId } },
  );
}

export function invalidCursor(cursor: string): DuroError {
  return inputError("invalid_cursor", `"${cursor}" is not a cursor this store returned; pass the nextCursor of a previous page`, {
    cursor,
  });
}

export function storeClosed(): DuroError {
  return new DuroError("store_closed", "the store was closed; open a new one to keep working", { category: "internal" });
}
