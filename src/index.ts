// duro's public API: define workflows, create an engine over a store, start and drive runs.
export {
  workflow,
  isWorkflowDefinition,
  DuroError,
  NonRetryableError,
  NonDeterminismError,
  LeaseLostError,
  StepFailedError,
  WaitTimeoutError,
  ChildRunFailedError,
  toMs,
} from "./core/index.js";
export type {
  WorkflowContext,
  WorkflowDefinition,
  WorkflowOptions,
  StepContext,
  StepOptions,
  RetryPolicy,
  ApprovalDecision,
  ApprovalOptions,
  AskOptions,
  WaitForEventOptions,
  Duration,
  ErrorInfo,
  ErrorCategory,
  JournalEvent,
  EventBody,
  InputOf,
  OutputOf,
} from "./core/index.js";
export { createEngine, Engine, Worker, validateInput } from "./engine/index.js";
export type { EngineOptions, StartOptions, RunHandle, Decision, WorkerOptions, RunDetails, StepView, WaitView, InvocationOutcome } from "./engine/index.js";
export { MemoryStore, openSqliteStore } from "./store/index.js";
export type { Store, RunRecord, RunStatus, RunFilter, RunPage } from "./store/index.js";
