// The errors every backend raises, built in one place so that codes, categories and wording stay identical.
import { DuroError, inputError, type TransactionClient } from "../core/index.js";
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

export function invalidCursor(cursor: string, sort = "created"): DuroError {
  return inputError(
    "invalid_cursor",
    `"${cursor}" is not a cursor this store returned for runs sorted by ${sort}; pass the nextCursor of a previous page with the same sort`,
    { cursor, sort },
  );
}

export function storeClosed(): DuroError {
  return new DuroError("store_closed", "the store was closed; open a new one to keep working", { category: "internal" });
}

/**
 * Carries an error the caller's own part of a transaction threw (`transact`'s work, a ctx.transaction function)
 * past the store's error mapping: it is the step's failure, not a storage failure.
 */
export class CallerError {
  constructor(readonly error: unknown) {}
}

/** Runs the caller's part of a transaction; whatever it throws comes out wrapped in CallerError. */
export async function callerWork<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw new CallerError(error);
  }
}

/** The caller's error if `error` wraps one, else the mapped storage error. */
export function unwrapCallerError(error: unknown, mapStorageError: (error: unknown) => unknown): unknown {
  return error instanceof CallerError ? error.error : mapStorageError(error);
}

export function transactionUnsupported(what: string): DuroError {
  return new DuroError(
    "transaction_unsupported",
    `${what} needs a SQL store (SQLite or PostgreSQL); the in-memory store has no database transaction to join`,
    { category: "definition" },
  );
}

export function invalidTransaction(expected: string): DuroError {
  return new DuroError("invalid_transaction", `the tx option must be ${expected}, with a transaction open on it`, { category: "input" });
}

/** A transaction client used after its transaction ended (kept past the step's function). */
export function transactionClosed(): DuroError {
  return new DuroError("transaction_closed", "this transaction already ended; use the client only inside the ctx.transaction function", {
    category: "definition",
  });
}

/** A TransactionClient that refuses to run statements once `close` is called (its transaction has ended). */
export function closableClient(
  dialect: TransactionClient["dialect"],
  raw: unknown,
  run: (sql: string, params: unknown[]) => Promise<unknown[]> | unknown[],
): TransactionClient & { close(): void } {
  let open = true;
  return {
    dialect,
    raw,
    async query<R>(sql: string, params: unknown[] = []): Promise<R[]> {
      if (!open) throw transactionClosed();
      return (await run(sql, params)) as R[];
    },
    close: () => {
      open = false;
    },
  };
}
