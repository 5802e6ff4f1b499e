// core's face for code that must run in any JavaScript runtime (browsers, Deno, Bun, Node): the errors and the types
// a client needs, and nothing that imports a Node built-in. duro/client imports core only through this file.
export type { ErrorCategory, ErrorCode, ErrorCodeSpec } from "./error-codes.js";
export { ERROR_CODES, errorCodeSpec, isErrorCode } from "./error-codes.js";
export type { ErrorInfo } from "./errors.js";
export { DuroError, fromErrorInfo, isDuroError } from "./errors.js";
export type { JournalEvent } from "./events.js";
export { clip } from "./json-value.js";
export type { AnyWorkflowDefinition, InputOf, OutputOf, WorkflowDefinition } from "./workflow.js";
