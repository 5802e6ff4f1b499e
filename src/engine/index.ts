export { type ArchivedRun, type ArchiveHeader, readArchive, recordsOf, writeArchive } from "./archive.js";
export { checkDeploy, checkRun, type DeployCheckOptions, type DeployCheckReport, type RunCheck } from "./deploy-check.js";
export type { BookmarkView, RunDetails, StepView, WaitView } from "./describe.js";
export { Engine } from "./engine.js";
export type { EngineOptions, ExecuteOptions, SettleOptions } from "./engine-options.js";
export type { InvocationOutcome, InvocationStatus } from "./executor.js";
export type { FailpointName } from "./failpoints.js";
export { type ForkOptions, forkRun } from "./fork.js";
export { type HolderState, holderState, type ProcessTable, thisProcess } from "./holder.js";
export type { Decision, SendOptions } from "./messages.js";
export type { PendingQuery, PendingWait } from "./pending.js";
export {
  applyRetention,
  PRUNABLE_STATUSES,
  type PrunableStatus,
  type PruneBatchRequest,
  paceBatches,
  parseRetentionSpec,
  pruneBatch,
  type RetentionOptions,
  type RetentionPolicy,
  type RetentionReport,
} from "./retention.js";
export type { ScheduleDefinition, ScheduleOptions } from "./schedule.js";
export { isScheduleDefinition, schedule, scheduledRunId } from "./schedule.js";
export type { FiredRun, Scheduler, ScheduleView } from "./scheduler.js";
export { type RunHandle, type StartOptions, validateInput } from "./start.js";
export { type LeaseNotice, type TakeoverContext, takeOverGone, takeOverGoneOnThisHost } from "./takeover.js";
export type { ToolOutcomeInput } from "./tool-calls.js";
export { type CoverageState, coverageProblem, type VersionCoverage, versionCoverage } from "./version-coverage.js";
export type { WorkerOptions } from "./worker.js";
export { DEFAULT_WORKER_CONCURRENCY, Worker } from "./worker.js";
