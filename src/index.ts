// duro's public API: define workflows, create an engine over a store, start and drive runs.

export type {
  ApprovalDecision,
  ApprovalOptions,
  AskOptions,
  Component,
  ComponentRegistry,
  Duration,
  ErrorCategory,
  ErrorInfo,
  EventBody,
  InputOf,
  JournalEvent,
  OutputOf,
  QueueDefinition,
  QueueOptions,
  RetryPolicy,
  StepContext,
  StepOptions,
  TransactionClient,
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
  queue,
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
export type {
  PostgresStoreOptions,
  QueueInfo,
  RunFilter,
  RunPage,
  RunRecord,
  RunStatus,
  SqliteStoreOptions,
  Store,
} from "./store/index.js";
export { MemoryStore, openPostgresStore, openSqliteStore, openStore } from "./store/index.js";
