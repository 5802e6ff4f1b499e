// duro/client: the typed client of a duro server (fetch only; runs in Node 20+, Deno, Bun and browsers).
export type { ErrorCategory, ErrorCode, ErrorInfo, JournalEvent } from "../core/portable.js";
export { DuroError, isDuroError } from "../core/portable.js";
export {
  type AnswerOptions,
  type CallOptions,
  type CancelOptions,
  type ClientOptions,
  createClient,
  type DecisionOptions,
  type DuroClient,
  type EventsOptions,
  type ListFilter,
  type ResultOptions,
  type StartedRun,
  type StartOptions,
} from "./client.js";
export type { Decided, Run, RunListEntry, RunListPage, RunStatus, Signalled } from "./records.js";
