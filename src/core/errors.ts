// Every error a user can see: a stable snake_case code, a category, whether retrying can help,
// a message that says what happened and what to do, and structured details.
import { type ErrorCategory, type ErrorCode, errorCodeSpec } from "./error-codes.js";
import { clip, describeJson, kindOf } from "./json-value.js";

export type { ErrorCategory } from "./error-codes.js";

/** The plain-JSON form of an error, as the journal and the API keep it. */
export interface ErrorInfo {
  code: string;
  message: string;
  category?: ErrorCategory;
  retryable?: boolean;
  details?: Record<string, unknown>;
  /** The error's class name when it was not a DuroError (for example TypeError). */
  name?: string;
}

export interface DuroErrorOptions {
  /** default: the code's category in ERROR_CODES */
  category?: ErrorCategory;
  /** default: the code's `retryable` in ERROR_CODES, false for a code of the application's own */
  retryable?: boolean;
  details?: Record<string, unknown>;
  cause?: unknown;
}

/** Options for an error with a code of the application's own: there is no table row to take the category from. */
export interface ApplicationErrorOptions extends DuroErrorOptions {
  category: ErrorCategory;
}

export class DuroError extends Error {
  /** One of ERROR_CODES, or an application's own code (a step may throw its own, with a category). */
  readonly code: string;
  readonly category: ErrorCategory;
  readonly retryable: boolean;
  readonly details: Record<string, unknown>;

  /**
   * An error with one of duro's codes (ERROR_CODES): a code that is not in the table does not compile. duro's own
   * code leaves out `category` (the table's is right) so that a misspelt code cannot fall through to the overload below.
   */
  constructor(code: ErrorCode, message: string, options?: DuroErrorOptions);
  /** An error with a code of the application's own, which must say its category. */
  constructor(code: string, message: string, options: ApplicationErrorOptions);
  constructor(code: string, message: string, options: DuroErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    const spec = errorCodeSpec(code);
    this.name = "DuroError";
    this.code = code;
    this.category = options.category ?? spec?.category ?? "step";
    this.retryable = options.retryable ?? spec?.retryable ?? false;
    this.details = options.details ?? {};
  }

  toJSON(): ErrorInfo {
    return toErrorInfo(this);
  }
}

/** Thrown from a step to fail it at once, without the remaining retries. */
export class NonRetryableError extends DuroError {
  constructor(message: string, details?: Record<string, unknown>) {
    super("non_retryable", message, { category: "step", retryable: false, ...(details ? { details } : {}) });
    this.name = "NonRetryableError";
  }
}

/** Replaying a run asked for a different step than its journal holds: the code changed under a run in flight. */
export class NonDeterminismError extends DuroError {
  constructor(message: string, details: { runId: string; position: number; expected: string; requested: string }) {
    super("non_determinism", message, { category: "definition", details });
    this.name = "NonDeterminismError";
  }
}

/** A writer tried to append to a run whose lease it no longer holds. */
export class LeaseLostError extends DuroError {
  constructor(message: string, details: Record<string, unknown>) {
    super("lease_lost", message, { category: "storage", retryable: true, details });
    this.name = "LeaseLostError";
  }
}

/** A step failed for good (retries exhausted or non-retryable); the workflow may catch it. */
export class StepFailedError extends DuroError {
  constructor(stepKey: string, error: ErrorInfo) {
    super("step_failed", `step "${stepKey}" failed: ${error.message}`, {
      category: "step",
      details: { step: stepKey, error },
    });
    this.name = "StepFailedError";
  }
  /** The error the step's last attempt threw. */
  get stepError(): ErrorInfo {
    return this.details.error as ErrorInfo;
  }
}

/** A wait with a timeout (waitForEvent, approval, ask) was not resolved in time. */
export class WaitTimeoutError extends DuroError {
  constructor(waitKey: string, timeoutAt: string) {
    super("wait_timeout", `wait "${waitKey}" timed out at ${timeoutAt} without being resolved`, {
      category: "step",
      details: { wait: waitKey, timeoutAt },
    });
    this.name = "WaitTimeoutError";
  }
}

/** A child run ended in failure or was cancelled; the parent may catch it. */
export class ChildRunFailedError extends DuroError {
  constructor(childRunId: string, status: string, error: ErrorInfo | undefined) {
    super("child_failed", `child run ${childRunId} ${status}${error ? `: ${error.message}` : ""}`, {
      category: "step",
      details: { childRunId, status, ...(error ? { error } : {}) },
    });
    this.name = "ChildRunFailedError";
  }
}

/** Raised inside a run's code when the run is cancelled; the run ends as cancelled. */
export class CancelledError extends DuroError {
  constructor(reason: string) {
    super("cancelled", `run cancelled: ${reason}`, { category: "step", details: { reason } });
    this.name = "CancelledError";
  }
}

export function isDuroError(value: unknown): value is DuroError {
  return (
    value instanceof DuroError ||
    (value instanceof Error &&
      typeof (value as { code?: unknown }).code === "string" &&
      typeof (value as { category?: unknown }).category === "string")
  );
}

/** A journaled error's message is cut to this many characters (the rest is counted, not kept). */
export const ERROR_MESSAGE_MAX_CHARS = 8_192;
/** A journaled error's details are at most this many characters of JSON; larger details are replaced by a note. */
export const ERROR_DETAILS_MAX_CHARS = 16_384;

/**
 * Turns anything thrown into the JSON the journal keeps; never includes a stack, and never throws: a BigInt, a
 * cycle, a Symbol, a getter that throws or a huge string becomes a bounded description (json-value.ts).
 */
export function toErrorInfo(error: unknown): ErrorInfo {
  try {
    return boundedErrorInfo(error);
  } catch (failure) {
    return {
      code: "step_error",
      message: `a value was thrown that cannot be described (${clip(safeString(failure), 200)})`,
      category: "step",
      retryable: true,
    };
  }
}

function boundedErrorInfo(error: unknown): ErrorInfo {
  if (isDuroError(error)) {
    const info: ErrorInfo = {
      code: String(error.code),
      message: clip(String(error.message), ERROR_MESSAGE_MAX_CHARS),
      category: error.category,
      retryable: error.retryable === true,
    };
    const details = boundedDetails(error.details);
    if (details !== undefined) info.details = details;
    return info;
  }
  if (error instanceof Error) {
    return {
      code: "step_error",
      message: clip(String(error.message), ERROR_MESSAGE_MAX_CHARS),
      name: clip(String(error.name), 100),
      category: "step",
      retryable: true,
    };
  }
  return { code: "step_error", message: describeThrown(error), category: "step", retryable: true };
}

/** What a thrown non-Error says about itself: a string as is, anything else as JSON-ish text naming its kind. */
export function describeThrown(value: unknown): string {
  if (typeof value === "string") return clip(value, ERROR_MESSAGE_MAX_CHARS);
  if (value === undefined) return "undefined";
  const described = describeJson(value);
  const text = typeof described === "string" ? described : JSON.stringify(described);
  const kind = typeof value === "object" && value !== null && !Array.isArray(value) && Object.getPrototypeOf(value) === Object.prototype;
  return clip(kind || value === null || typeof value !== "object" ? text : `${kindOf(value)}: ${text}`, ERROR_MESSAGE_MAX_CHARS);
}

function boundedDetails(details: unknown): Record<string, unknown> | undefined {
  if (typeof details !== "object" || details === null || Object.keys(details).length === 0) return undefined;
  const described = describeJson(details, { depth: 16, stringChars: 4_000 }) as Record<string, unknown>;
  const json = JSON.stringify(described);
  if (json.length <= ERROR_DETAILS_MAX_CHARS) return described;
  return {
    truncated: `the details were ${json.length} characters of JSON; a journaled error keeps at most ${ERROR_DETAILS_MAX_CHARS}`,
    preview: clip(json, 1_000),
  };
}

function safeString(value: unknown): string {
  try {
    return value instanceof Error ? String(value.message) : String(value);
  } catch {
    return "unreadable";
  }
}

/** Rebuilds a throwable error from journaled JSON, keeping the code and details. */
export function fromErrorInfo(info: ErrorInfo): DuroError {
  return new DuroError(info.code, info.message, {
    category: info.category ?? "step",
    retryable: info.retryable ?? false,
    ...(info.details ? { details: info.details } : {}),
  });
}

export const inputError = (code: ErrorCode, message: string, details?: Record<string, unknown>) =>
  new DuroError(code, message, { category: "input", ...(details ? { details } : {}) });

export const definitionError = (code: ErrorCode, message: string, details?: Record<string, unknown>) =>
  new DuroError(code, message, { category: "definition", ...(details ? { details } : {}) });

/** An invariant of duro's own that did not hold: a bug to report, never the user's doing. */
export const internalError = (message: string, details?: Record<string, unknown>) =>
  new DuroError("internal_error", message, details ? { details } : {});
