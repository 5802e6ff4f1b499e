// Every error a user can see: a stable snake_case code, a category, whether retrying can help,
// a message that says what happened and what to do, and structured details.

export type ErrorCategory = "input" | "definition" | "storage" | "step" | "limit" | "auth" | "internal";

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
  category: ErrorCategory;
  /** default false */
  retryable?: boolean;
  details?: Record<string, unknown>;
  cause?: unknown;
}

export class DuroError extends Error {
  readonly code: string;
  readonly category: ErrorCategory;
  readonly retryable: boolean;
  readonly details: Record<string, unknown>;

  constructor(code: string, message: string, options: DuroErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "DuroError";
    this.code = code;
    this.category = options.category;
    this.retryable = options.retryable ?? false;
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

/** Turns anything thrown into the JSON the journal keeps; never includes a stack. */
export function toErrorInfo(error: unknown): ErrorInfo {
  if (isDuroError(error)) {
    const info: ErrorInfo = { code: error.code, message: error.message, category: error.category, retryable: error.retryable };
    if (Object.keys(error.details).length > 0) info.details = error.details;
    return info;
  }
  if (error instanceof Error) {
    return { code: "step_error", message: error.message, name: error.name, category: "step", retryable: true };
  }
  return {
    code: "step_error",
    message: typeof error === "string" ? error : (JSON.stringify(error) ?? String(error)),
    category: "step",
    retryable: true,
  };
}

/** Rebuilds a throwable error from journaled JSON, keeping the code and details. */
export function fromErrorInfo(info: ErrorInfo): DuroError {
  return new DuroError(info.code, info.message, {
    category: info.category ?? "step",
    retryable: info.retryable ?? false,
    ...(info.details ? { details: info.details } : {}),
  });
}

export const inputError = (code: string, message: string, details?: Record<string, unknown>) =>
  new DuroError(code, message, { category: "input", ...(details ? { details } : {}) });

export const definitionError = (code: string, message: string, details?: Record<string, unknown>) =>
  new DuroError(code, message, { category: "definition", ...(details ? { details } : {}) });
