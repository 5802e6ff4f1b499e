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

export * from "./agent/index.js";
export type {
  ApprovalDecision,
  ApprovalOptions,
  AskOptions,
  Component,
  ComponentRegistry,
  Duration,
  ErrorCategory,
  ErrorCode,
  ErrorCodeSpec,
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
  ERROR_CODES,
  isSourceHashVersion,
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
  ExecuteOptions,
  FiredRun,
  HolderState,
  InvocationOutcome,
  LeaseNotice,
  RunDetails,
  RunHandle,
  ScheduleDefinition,
  ScheduleOptions,
  Scheduler,
  ScheduleView,
  StartOptions,
  StepView,
  WaitView,
  WorkerOptions,
} from "./engine/index.js";
// Retention: pruning, archives and the automatic policy (docs/deploys.md).
export {
  type ArchivedRun,
  applyRetention,
  checkDeploy,
  DEFAULT_WORKER_CONCURRENCY,
  type DeployCheckOptions,
  type DeployCheckReport,
  Engine,
  type ForkOptions,
  forkRun,
  isScheduleDefinition,
  pruneBatch,
  type RetentionOptions,
  type RetentionPolicy,
  type RetentionReport,
  type RunCheck,
  readArchive,
  schedule,
  scheduledRunId,
  validateInput,
  Worker,
} from "./engine/index.js";
export type { CheckOptions, FlowDocument, FlowGraph, FlowNode, FlowProblem, FlowWorkflowOptions, ParseOptions } from "./flow/index.js";
export { analyzeFlow, checkFlow, flowJsonSchema, flowWorkflow, flowWorkflows, parseFlow } from "./flow/index.js";
export * from "./observe/index.js";
export type {
  CatchUpPolicy,
  ChainReport,
  ChainRow,
  HeldLease,
  HeldLeaseFilter,
  LeaseHolder,
  PostgresStoreOptions,
  QueueInfo,
  RunFilter,
  RunPage,
  RunRecord,
  RunStatus,
  ScheduleRecord,
  SqliteStoreOptions,
  Store,
} from "./store/index.js";
export { MemoryStore, openPostgresStore, openSqliteStore, openStore, verifyChain } from "./store/index.js";
