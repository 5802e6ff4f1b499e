export { Engine, createEngine, validateInput } from "./engine.js";
export type { EngineOptions, StartOptions, RunHandle, Decision, SettleOptions } from "./engine.js";
export { Worker } from "./worker.js";
export type { WorkerOptions } from "./worker.js";
export type { InvocationOutcome, InvocationStatus } from "./executor.js";
export type { RunDetails, StepView, WaitView } from "./describe.js";
export type { FailpointName } from "./failpoints.js";
