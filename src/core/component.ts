// The contract between a flow's `call` node and what it calls: a function registered in code, a pack's
// JavaScript module or a pack's WebAssembly (WASI) module. One shape for all three, so the flow
// interpreter never knows which kind it is calling.
import type { StepContext } from "./context.js";

/**
 * Receives the node's evaluated `with:` arguments and the step's context (idempotency key, attempt,
 * abort signal); resolves with a JSON-serializable result, or throws (a DuroError keeps its code).
 */
export type Component = (input: unknown, step: StepContext) => Promise<unknown>;

/** Components by the name flows call them with (`call: <name>`). */
export type ComponentRegistry = Readonly<Record<string, Component>>;
