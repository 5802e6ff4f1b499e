// duro's public API: define workflows, create an engine over a store, start and drive runs.

export * from "./agent/index.js";
export type {
  ApprovalDecision,
  ApprovalOptions,
  AskOptions,
  Duration,
  ErrorCategory,
  ErrorInfo,
  EventBody,
  InputOf,
  JournalEvent,
  OutputOf,
  RetryPolicy,
  StepContext,
  StepOptions,
  WaitForEventOptions,
  WorkflowContext,
  WorkflowDefinition,
  WorkflowOptions,
} from "./core/index.js";
export {
  ChildRunFailedError,
  DuroError,
  isWorkflowDefinition,
  LeaseLostError,
  NonDeterminismError,
  NonRetryableError,
  StepFailedError,
  toMs,
  WaitTimeoutError,
  workflow,
} from "./core/index.js";
export type {
  Decision,
  EngineOptions,
  InvocationOutcome,
  RunDetails,
  RunHandle,
  StartOptions,
  StepView,
  WaitView,
  WorkerOptions,
} from "./engine/index.js";
export { createEngine, Engine, validateInput, Worker } from "./engine/index.js";
export type { PostgresStoreOptions, RunFilter, RunPage, RunRecord, RunStatus, SqliteStoreOptions, Store } from "./store/index.js";
export { MemoryStore, openPostgresStore, openSqliteStore, openStore } from "./store/index.js";
