// Starting a run: its input is validated and must be plain JSON, and a start is idempotent by id and by idempotency
// key (the same request returns the existing run; one with another workflow or input is a run_conflict).
import { randomBytes } from "node:crypto";
import {
  checkId,
  type EventBody,
  inputError,
  type JournalGuard,
  newRunId,
  parseRunId,
  type RunManifest,
  toMs,
  validateWithSchema,
  type WorkflowDefinition,
} from "../core/index.js";
import type { RunRecord, Store } from "../store/index.js";
import { runConflict } from "./conflicts.js";
import { type QueueOverrides, queueFields } from "./queues.js";

export interface StartOptions extends QueueOverrides {
  /** Your own run id; starting twice with the same id returns the first run. */
  id?: string;
  /** Deduplicates starts: a second start with the same key returns the existing run. */
  idempotencyKey?: string;
  /** default: the engine's tenant */
  tenant?: string;
  /** The session the run belongs to (a conversation, a chat thread); `duro runs list --session` finds its runs. default none */
  session?: string;
  /** Who starts the run (a user, a service); `duro runs list --actor` finds their runs. default none */
  actor?: string;
  /** The file that defines the workflow, recorded so that `duro resume` can load it. */
  source?: string;
  /** Facts about the run recorded in its run_created event (e.g. the pack it came from and its signature). */
  meta?: Record<string, unknown>;
  /** What started the run, journaled in its run_created (`duro runs show`, `duro runs verify`); see `LoadedModule.manifest`. */
  manifest?: RunManifest;
  /** Starts this registered version of the workflow. default: the definition passed, else the newest registered version */
  version?: string;
  /**
   * Your open database transaction (a pg client after BEGIN, or a better-sqlite3 Database inside a transaction, on
   * the store's own database): the run is created in it and exists only if you commit.
   */
  tx?: unknown;
}

export interface RunHandle {
  id: string;
  /** false when the id or idempotency key already existed and that run was returned. */
  created: boolean;
  run: RunRecord;
}

/** What a start needs of the engine. */
export interface StartContext {
  store: Store;
  clock: () => number;
  /** The engine's tenant, for a start that names none. */
  tenant: string;
  journalGuard: JournalGuard | undefined;
  /** Resolves once the queues' limits are in the store (a queued run is admitted by them). */
  saveQueues(): Promise<void>;
}

/** Creates the run of `def` (queued), or returns the existing one for the same id or idempotency key. */
export async function startRun(ctx: StartContext, def: WorkflowDefinition, input: unknown, options: StartOptions): Promise<RunHandle> {
  const checked = await validateInput(def, input);
  ctx.journalGuard?.check(checked, `input of workflow "${def.name}"`);
  ctx.journalGuard?.check(
    { id: options.id, idempotencyKey: options.idempotencyKey, meta: options.meta },
    `options of a run of workflow "${def.name}"`,
  );
  const now = ctx.clock();
  const id = options.id === undefined ? newRunId(now, randomBytes(16)) : parseRunId(options.id);
  const queued = queueFields(def, checked, options);
  await ctx.saveQueues();
  const { run, created } = await ctx.store.createRun(
    {
      id,
      workflow: def.name,
      version: def.version,
      input: toJsonValue(checked, `input of workflow "${def.name}"`),
      tenant: options.tenant ?? ctx.tenant,
      ...(options.session === undefined ? {} : { session: checkId(options.session, "the run's session") }),
      ...(options.actor === undefined ? {} : { actor: checkId(options.actor, "the run's actor") }),
      options: {
        ...runDeadline(def, now),
        ...(options.source === undefined ? {} : { source: options.source }),
        ...(options.meta === undefined ? {} : { meta: options.meta }),
      },
      ...(options.idempotencyKey === undefined ? {} : { idempotencyKey: options.idempotencyKey }),
      ...packVerified(def),
      ...(options.manifest === undefined ? {} : { manifest: options.manifest }),
      ...queued,
    },
    options.tx === undefined ? {} : { tx: options.tx },
  );
  if (!created) {
    const [existing] = await ctx.store.read(run.id, 1);
    const conflict =
      existing?.type === "run_created" &&
      runConflict(existing, run.id, {
        workflow: def.name,
        input: toJsonValue(checked, `input of workflow "${def.name}"`),
        matchedBy: options.idempotencyKey !== undefined && options.id === undefined ? { idempotencyKey: options.idempotencyKey } : { id },
      });
    if (conflict) throw conflict;
  }
  return { id: run.id, created, run };
}

/** Checks a run's input against the workflow's schema; returns the schema's output or throws `input_invalid`. */
export async function validateInput<I>(def: WorkflowDefinition<I, unknown>, input: unknown): Promise<I> {
  if (!def.options.input) return input as I;
  return (await validateWithSchema(def.options.input, input, "input_invalid", `input of workflow "${def.name}"`)) as I;
}

/** `value` as plain JSON (undefined as null), or `not_json` naming `what`. */
export function toJsonValue(value: unknown, what: string): unknown {
  if (value === undefined) return null;
  try {
    return JSON.parse(JSON.stringify(value));
  } catch (error) {
    throw inputError("not_json", `${what} must be plain JSON: ${(error as Error).message}`);
  }
}

/** A run of `def` started at `now` must end by its workflow's `timeout`, whoever starts it: a caller, a schedule, a parent. */
export function runDeadline(def: WorkflowDefinition, now: number): { deadline?: string } {
  const timeout = def.options.timeout;
  return timeout === undefined ? {} : { deadline: new Date(now + toMs(timeout)).toISOString() };
}

/** What a run of `def` journals right after run_created: `pack_verified` when the workflow came from a pack. */
export function packVerified(def: WorkflowDefinition): { followedBy?: EventBody[] } {
  return def.options.pack === undefined ? {} : { followedBy: [{ type: "pack_verified", ...def.options.pack }] };
}
