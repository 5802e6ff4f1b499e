// The workflow context: what workflow code sees (its durable calls and their options); extensions add members to it
// (extensions.ts). Its calls are matched against the journal by the Replayer (replay.ts); the executor does the I/O.
import type { Duration } from "./duration.js";
import type { EventBody } from "./events.js";
import type { RetryPolicy } from "./retry.js";
import type { StandardSchemaV1 } from "./schema.js";
import type { SecretReader } from "./secrets.js";
import type { WorkflowDefinition } from "./workflow.js";

/** What a step's function receives. */
export interface StepContext {
  /** `<runId>:<stepKey>`: the same on every attempt of this step; pass it to the outside world. */
  idempotencyKey: string;
  /** 1 on the first attempt. */
  attempt: number;
  /** Aborted when the step times out or the run is cancelled. */
  signal: AbortSignal;
  /** Journals a usage or limit event with this attempt (committed with or before its result). */
  emit(event: StepEvent): void;
}

/**
 * The database transaction a `ctx.transaction` step runs in: the same one that journals the step's result, so the
 * statements and the record commit together or not at all. SQL is the backend's own: `$1` placeholders on
 * PostgreSQL, `?` on SQLite.
 */
export interface TransactionClient {
  readonly dialect: "postgres" | "sqlite";
  /** Runs one statement; resolves with its rows (none for a statement that returns none). */
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<R[]>;
  /** The driver's own handle, for a query builder: a pg client in the transaction, or the better-sqlite3 Database. */
  readonly raw: unknown;
}
/** Events a step may journal besides its result: what a model call cost, a budget nearing its limit. */
export type StepEvent = Extract<EventBody, { type: "usage_recorded" | "limit_warning" }>;

export interface StepOptions {
  /** default: the workflow's `retry`, else 3 attempts from 1s doubling up to 5m */
  retry?: RetryPolicy;
  /** One attempt may take this long; then it fails with `step_timeout` (retryable). */
  timeout?: Duration;
}

export interface WaitForEventOptions {
  /** The inbox key the event is sent to (`duro signal <key>`). */
  key: string;
  /** Without an event by then, the call throws WaitTimeoutError (`wait_timeout`). */
  timeout?: Duration;
}

export interface ApprovalDecision {
  action: "approve" | "reject" | "abort";
  by?: string;
  comment?: string;
  /** With several gates: each gate's decision. */
  decisions?: Record<string, ApprovalDecision>;
}

export interface ApprovalOptions {
  /** Gates that must all decide; the result approves only if all approve. default: one gate named like the call */
  gates?: string[];
  /** What the approver is asked to approve. */
  summary?: string;
  /** Without a decision by then, the call throws WaitTimeoutError. */
  timeout?: Duration;
}

export interface AskOptions<S extends StandardSchemaV1 | undefined = undefined> {
  prompt: string;
  /** Allowed answers; with `allowFreeText` any string is accepted too. */
  choices?: string[];
  /** default false when `choices` are given, else true */
  allowFreeText?: boolean;
  /** Standard Schema the answer must satisfy; an invalid answer is refused and the question stays open. */
  schema?: S;
  timeout?: Duration;
}

/** How a user's artifact can be found. */
export interface ArtifactOptions {
  /** A name to find it by (`plan.md`); default: none */
  name?: string;
  /** Tags to find it by; default: none */
  tags?: string[];
}

/** What `ctx.artifact` journals: the artifact's sha256 (hex), its size in bytes, and how it was named and tagged. */
export interface ArtifactRef {
  sha256: string;
  size: number;
  name?: string;
  tags?: string[];
}

export interface ExternalToolCall {
  /** The tool's name. */
  tool: string;
  /** The id the host answers (`duro tools result <runId> <callId>`): the model's tool call id. */
  callId: string;
  /** The call's arguments (a JSON value), shown to the host. */
  args: unknown;
  /** Without a result by then, the call throws WaitTimeoutError. default: no timeout */
  timeout?: Duration;
}

/** What the host posted for an external tool call: its result, or the error the tool ended with. */
export type ExternalToolOutcome = { result: unknown; by?: string } | { error: string; by?: string };

export interface WorkflowContext {
  readonly runId: string;
  readonly workflow: string;
  /** Runs `fn` once and journals its result; on replay returns the journaled result without running it. */
  step<T>(name: string, fn: (step: StepContext) => T | Promise<T>, options?: StepOptions): Promise<Awaited<T>>;
  /**
   * A step whose function runs inside the database transaction that journals its result (SQLite and PostgreSQL
   * stores): its writes to your own tables and its record commit together, so the effect happens exactly once.
   * A failed attempt rolls its statements back and is retried like any step.
   */
  transaction<T>(name: string, fn: (tx: TransactionClient, step: StepContext) => Promise<T>, options?: StepOptions): Promise<Awaited<T>>;
  /** A durable timer: survives restarts; nothing is held in memory while it waits. */
  sleep(name: string, duration: Duration): Promise<void>;
  sleepUntil(name: string, time: Date | string | number): Promise<void>;
  /** Resolves with the payload of the next event sent to `key`; events sent earlier wait in the inbox. */
  waitForEvent<T = unknown>(name: string, options: WaitForEventOptions): Promise<T>;
  /** Waits for a person's decision (`duro approve`). */
  approval(name: string, options?: ApprovalOptions): Promise<ApprovalDecision>;
  /** Asks a person a question (`duro answer`) and resolves with the validated answer. */
  ask<S extends StandardSchemaV1 | undefined = undefined>(
    name: string,
    options: AskOptions<S>,
  ): Promise<S extends StandardSchemaV1 ? StandardSchemaV1.InferOutput<S> : string>;
  /**
   * Waits for the host to run a tool and post its outcome (`duro tools result`, `POST /v1/runs/{id}/tool-calls/{callId}`):
   * how chat front-ends and IDE hosts run tools on the user's side. Journaled like an approval.
   */
  externalTool(name: string, call: ExternalToolCall): Promise<ExternalToolOutcome>;
  /** Starts a child run with a deterministic id and waits for its output; a failure throws ChildRunFailedError. */
  child<I, O>(name: string, workflow: WorkflowDefinition<I, O> | string, input: I): Promise<O>;
  /** The current time, journaled: a replay sees the same value. */
  now(): Date;
  /** A random number in [0, 1), journaled. */
  random(): number;
  /** A random UUID v4, journaled. */
  uuid(): string;
  /**
   * Stores `content` (text, bytes, or a JSON value) in the run's content-addressed artifact store, as the step `name`:
   * once, and kept while the run exists. `duro artifacts list --run/--tag/--name` finds it; `duro artifacts get` reads it.
   */
  artifact(name: string, content: string | Uint8Array | object, options?: ArtifactOptions): Promise<ArtifactRef>;
  /**
   * Whether this run takes the code path of the patch `name` (see docs/deploys.md). True for a run that reaches this
   * point for the first time (the answer is journaled, so its replays agree); false for a run whose journal already
   * went past this point with code that had no such patch, so it keeps the old path and replays without divergence.
   */
  patched(name: string): boolean;
  /** Marks where `patched(name)` was, once no run that went the old way remains: runs that took the patch replay on. */
  deprecatePatch(name: string): void;
  /**
   * Marks this point of the run with a name (`duro runs bookmarks`), so that `duro runs fork <runId> --from-bookmark
   * <name>` can start a new run from here. A bookmark is a journal position, not a copy of state: the fork replays
   * everything journaled before it and runs everything after it anew. Journaled and matched on replay like `now()`.
   */
  bookmark(name: string): void;
  /**
   * Records a domain event (`order.shipped`, data) in the journal for its readers: the timeline, the transcript, the
   * journal stream. Data must be plain JSON (at most 64 KiB) without secrets. It never affects replay: a replay skips
   * the emits it finds journaled, and adding or removing an emit in code does not make runs in flight diverge.
   */
  emit(name: string, data?: unknown): void;
  /** Secrets by name (environment or a provider): not journaled, and redacted wherever they appear later. */
  readonly secrets: SecretReader;
}
