export type { RunDetails, StepView, WaitView } from "./describe.js";
export type { Decision, EngineOptions, RunHandle, SettleOptions, StartOptions } from "./engine.js";
export { createEngine, Engine, validateInput } from "./engine.js";
export type { InvocationOutcome, InvocationStatus } from "./executor.js";
export type { FailpointName } from "./failpoints.js";
export type { WorkerOptions } from "./worker.js";
export { Worker } from "./worker.js";
