// Secrets as the workflow code sees them (`ctx.secrets.get`), and the guard that keeps them out of the journal.
// Both are contracts only: the engine is given implementations (see src/observe/secrets.ts).
import type { ErrorInfo } from "./errors.js";

/** Reads secrets by name; values are never journaled and are redacted wherever they appear later. */
export interface SecretReader {
  /** The secret's value; throws `secret_not_found` when it is not configured. */
  get(name: string): string;
}

/** Checks what is about to be journaled. */
export interface JournalGuard {
  /** Throws `secret_in_journal` (naming where, never the value) when `value` holds a secret. */
  check(value: unknown, where: string): void;
  /** The error to journal in place of `error`: itself, or a `secret_in_journal` error when it holds a secret. */
  error(error: ErrorInfo, where: string): ErrorInfo;
}
