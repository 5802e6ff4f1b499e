// Context extensions: what adds members to the WorkflowContext an engine builds (the agent toolkit's llm, agent and
// budget; mocked tools). An engine applies the list its options give, in order, to each context; nothing is global.
import type { ArtifactOptions, WorkflowContext } from "./context.js";
import type { DuroError } from "./errors.js";
import type { JournalEvent } from "./events.js";
import type { OpState } from "./state.js";

/** What the executor lends to context extensions: the run's content-addressed artifact store and its journal. */
export interface ContextServices {
  /** Stores bytes once under their sha256 (hex), with the run, and returns it; `options` name and tag it. */
  putArtifact(bytes: Uint8Array, options?: ArtifactOptions): Promise<string>;
  getArtifact(sha256: string): Promise<Uint8Array | undefined>;
  /** The run's journal as committed so far (for reports written by a step). */
  readJournal(): Promise<JournalEvent[]>;
  /** The run's operations as journaled when this invocation began (completed steps with their results). */
  readonly journaled: readonly OpState[];
  /**
   * A check run once every extension was applied, before the code: an error it returns fails the run instead of
   * running it (a workspace changed behind the journal's back). Ignored by the pre-deploy check, which only replays.
   */
  precondition(check: () => DuroError | undefined): void;
}

/** Adds members to a WorkflowContext the engine builds; register it with `createEngine({ extensions })`. */
export type ContextExtension = (ctx: WorkflowContext, services: ContextServices) => void;

/** Applies `extensions` (none when undefined), in order, to a freshly built context. */
export function applyContextExtensions(
  extensions: readonly ContextExtension[] | undefined,
  ctx: WorkflowContext,
  services: ContextServices,
): void {
  for (const extension of extensions ?? []) extension(ctx, services);
}

/** State an extension keeps on a context, for code that has only the context (phase templates, tool calls). */
export interface ContextSlot<T> {
  get(ctx: WorkflowContext): T | undefined;
  set(ctx: WorkflowContext, value: T): void;
}

/**
 * A slot named `name`. Its key is `Symbol.for("duro.<name>")` because two copies of duro can meet in one process (the
 * CLI's dist/ builds the context, a workflow file's own import of src/ reads it): both copies find the same slot.
 */
export function contextSlot<T>(name: string): ContextSlot<T> {
  const key = Symbol.for(`duro.${name}`);
  return {
    get: (ctx) => (ctx as unknown as Record<symbol, T | undefined>)[key],
    set: (ctx, value) => {
      Object.defineProperty(ctx, key, { value, enumerable: false, configurable: true });
    },
  };
}
