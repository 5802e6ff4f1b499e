// The agent layer's face for model clients built outside it (duro/ai): the metered model step, the run's ledger,
// prices and HTTP error classification, so that every model call in a run shares one budget, one cost table and one
// span shape. Not re-exported by the root entry: these are building blocks, not the user's API.
export { type Budget, Ledger } from "./budget.js";
export { runtimeOf } from "./context.js";
export { type MeteredCall, type MeteredRecord, type MeteredReply, meteredStep } from "./metered.js";
export { costOf, type ModelPrice } from "./models.js";
export { httpError, retryAfterMs, type Usage } from "./provider.js";
export { withSpan } from "./telemetry.js";
