// duro's public API: define workflows, create an engine over a store, start and drive runs.
import { agentToolkit } from "./agent/index.js";
import type { ContextExtension } from "./core/index.js";
import { checkDeploy as checkRuns, type DeployCheckOptions, type DeployCheckReport, Engine, type EngineOptions } from "./engine/index.js";
import { secretsSetup } from "./observe/index.js";

/** The extensions createEngine and checkDeploy apply before those their options give. */
const DEFAULT_EXTENSIONS: readonly ContextExtension[] = [agentToolkit];

function withDefaultExtensions(extensions: readonly ContextExtension[] = []): ContextExtension[] {
  return [...DEFAULT_EXTENSIONS, ...extensions.filter((extension) => !DEFAULT_EXTENSIONS.includes(extension))];
}

/**
 * Creates an engine over a store; see EngineOptions for each option's default. On top of those, createEngine defaults:
 * - `secrets`: ctx.secrets reads the process environment, and every value it hands out is redacted from transcripts;
 * - `journalGuard`: such a secret is refused in what is journaled (secret_in_journal; see docs/dev-loop.md);
 * - `extensions`: the agent toolkit (`agentToolkit`: ctx.llm, ctx.agent, ctx.budget) first, then the extensions given.
 */
export function createEngine(options: EngineOptions): Engine {
  const defaults = secretsSetup();
  return new Engine({
    secrets: defaults.secrets,
    journalGuard: defaults.journalGuard,
    ...options,
    extensions: withDefaultExtensions(options.extensions),
  });
}

/** The pre-deploy check (docs/deploys.md), with createEngine's default extensions so that runs replay as they ran. */
export function checkDeploy(options: DeployCheckOptions): Promise<DeployCheckReport> {
  return checkRuns({ ...options, extensions: withDefaultExtensions(options.extensions) });
}

export * from "./agent/index.js";
export type {
  AnyWorkflowDefinition,
  ApprovalDecision,
  ApprovalOptions,
  AskOptions,
  Component,
  ComponentRegistry,
  ContextExtension,
  ContextServices,
  Duration,
  ErrorCategory,
  ErrorCode,
  ErrorCodeSpec,
  ErrorInfo,
  EventBody,
  ExternalToolCall,
  ExternalToolOutcome,
  InputOf,
  JournalEvent,
  OutputOf,
  QueueDefinition,
  QueueOptions,
  RetryPolicy,
  RunManifest,
  StepContext,
  StepOptions,
  TransactionClient,
  WaitForEventOptions,
  WaitKind,
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
  parseInstant,
  queue,
  StepFailedError,
  toMs,
  WaitTimeoutError,
  workflow,
} from "./core/index.js";
export type {
  BookmarkView,
  Decision,
  EngineOptions,
  ExecuteOptions,
  FiredRun,
  HolderState,
  InvocationOutcome,
  LeaseNotice,
  PendingQuery,
  PendingWait,
  RunDetails,
  RunHandle,
  ScheduleDefinition,
  ScheduleOptions,
  Scheduler,
  ScheduleView,
  SendOptions,
  StartOptions,
  StepView,
  ToolOutcomeInput,
  WaitView,
  WorkerOptions,
} from "./engine/index.js";
// Retention: pruning, archives and the automatic policy (docs/deploys.md).
export {
  type ArchivedRun,
  applyRetention,
  DEFAULT_WORKER_CONCURRENCY,
  type DeployCheckOptions,
  type DeployCheckReport,
  Engine,
  type ForkOptions,
  forkRun,
  isScheduleDefinition,
  paceBatches,
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
export { analyzeFlow, checkFlow, flowDocumentOf, flowJsonSchema, flowWorkflow, flowWorkflows, parseFlow } from "./flow/index.js";
// Listed rather than `export *`: observe/index.ts also serves the CLI and the dev loop (duro/devloop).
export {
  buildRunFolder,
  buildTranscript,
  DEFAULT_SECRET_KEYS,
  DEFAULT_VALUE_PATTERNS,
  type FailureSummary,
  formatTimeline,
  type JournalSource,
  MIN_SECRET_LENGTH,
  type MockHit,
  REDACTED,
  type Redacted,
  type RedactionPolicy,
  Redactor,
  type RunFolder,
  type RunOutcome,
  type RunSummary,
  readJournal,
  redact,
  SECRET_SHAPES,
  type SecretShape,
  SecretVault,
  type SecretVaultOptions,
  type StepSummary,
  secretGuard,
  secretsSetup,
  type TraceRunOptions,
  type Transcript,
  type TranscriptLine,
  type TranscriptPhase,
  traceRun,
  writeRunFolder,
} from "./observe/index.js";
export type {
  CatchUpPolicy,
  ChainReport,
  ChainRow,
  HeldLease,
  HeldLeaseFilter,
  LeaseHolder,
  QueueInfo,
  RunFilter,
  RunPage,
  RunRecord,
  RunSort,
  RunStatus,
  ScheduleRecord,
  Store,
  WaitingFor,
} from "./store/index.js";
export { MemoryStore, RUN_SORTS, verifyChain, WAITING_FOR } from "./store/index.js";
// Opening a backend loads its driver then, not at this import (see src/store/open.ts).
export { openStore } from "./store/open.js";
export { openPostgresStore, type PostgresStoreOptions } from "./store/postgres/index.js";
export { openSqliteStore, type SqliteStoreOptions } from "./store/sqlite/index.js";
