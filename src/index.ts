// duro's public API: define workflows, create an engine over a store, start and drive runs.
import { Engine, type EngineOptions } from "./engine/index.js";
import { secretsSetup } from "./observe/secrets.js";

/**
 * Creates an engine over a store; see EngineOptions. Unless `secrets` and `journalGuard` are given, ctx.secrets
 * reads the environment and secrets are refused in the journal (secret_in_journal; see docs/dev-loop.md).
 */
export function createEngine(options: EngineOptions): Engine {
  const defaults = secretsSetup();
  return new Engine({ secrets: defaults.secrets, journalGuard: defaults.journalGuard, ...options });
}

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
export { Engine, validateInput, Worker } from "./engine/index.js";
export * from "./observe/index.js";
export type { PostgresStoreOptions, RunFilter, RunPage, RunRecord, RunStatus, SqliteStoreOptions, Store } from "./store/index.js";
export { MemoryStore, openPostgresStore, openSqliteStore, openStore } from "./store/index.js";
