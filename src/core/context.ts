// The workflow context and its replay rules. The code's n-th durable call must ask for the journal's n-th
// key; settled results are handed back in the order the journal settled them, so code that races steps
// sees the same winner on every replay. Live (unsettled) calls go to the executor, which does the I/O.
import type { Duration } from "./duration.js";
import { DuroError, NonDeterminismError } from "./errors.js";
import type { EventBody } from "./events.js";
import { stepKey } from "./ids.js";
import type { RetryPolicy } from "./retry.js";
import type { StandardSchemaV1 } from "./schema.js";
import type { SecretReader } from "./secrets.js";
import type { OpState, RunState } from "./state.js";
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
  /** Starts a child run with a deterministic id and waits for its output; a failure throws ChildRunFailedError. */
  child<I, O>(name: string, workflow: WorkflowDefinition<I, O> | string, input: I): Promise<O>;
  /** The current time, journaled: a replay sees the same value. */
  now(): Date;
  /** A random number in [0, 1), journaled. */
  random(): number;
  /** A random UUID v4, journaled. */
  uuid(): string;
  /**
   * Whether this run takes the code path of the patch `name` (see docs/deploys.md). True for a run that reaches this
   * point for the first time (the answer is journaled, so its replays agree); false for a run whose journal already
   * went past this point with code that had no such patch, so it keeps the old path and replays without divergence.
   */
  patched(name: string): boolean;
  /** Marks where `patched(name)` was, once no run that went the old way remains: runs that took the patch replay on. */
  deprecatePatch(name: string): void;
  /** Secrets by name (environment or a provider): not journaled, and redacted wherever they appear later. */
  readonly secrets: SecretReader;
}

export type OpRequestKind = "step" | "sleep" | "event" | "approval" | "ask" | "child" | "value";

/** One durable call the code made, with the promise the code awaits. */
export interface OpRequest {
  key: string;
  kind: OpRequestKind;
  /** Position among the run's calls (0-based). */
  position: number;
  /** What the journal already holds for this key, if anything. */
  recorded: OpState | undefined;
  /** The call's arguments (step fn and options, wait spec, child input…), as the context method received them. */
  args: Record<string, unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

export interface ReplayHooks {
  /** A call the journal has not settled: the executor starts or continues it. */
  live(request: OpRequest): void;
  /** A value call (now/random/uuid) the journal does not hold: the executor makes and journals it. */
  value(key: string, kind: "now" | "random" | "uuid" | "patch"): unknown;
  /** The code diverged from the journal; the run must fail even if the code catches the error. */
  diverged(error: NonDeterminismError): void;
}

/**
 * Matches the code's calls against the journal. Settled calls wait in `settled` until the driver hands them
 * back with `deliverNext`, in journal order.
 */
export class Replayer {
  private position = 0;
  private readonly occurrences = new Map<string, number>();
  private readonly waitingForDelivery = new Map<string, OpRequest>();
  private readonly deliveryOrder: OpState[];
  private nextDelivery = 0;
  private unsettled = 0;

  constructor(
    private readonly state: RunState,
    private readonly hooks: ReplayHooks,
  ) {
    this.deliveryOrder = state.ops
      .filter((op) => op.settledSeq !== undefined && op.kind !== "value")
      .sort((a, b) => (a.settledSeq as number) - (b.settledSeq as number));
  }

  /**
   * Durable calls the code is still awaiting. When it is 0 and the workflow has not returned, the code is busy
   * with something that is not a durable call, and the run must not be suspended under it.
   */
  get outstanding(): number {
    return this.unsettled;
  }

  /** True while the journal still has settled results the code has not received. */
  get replaying(): boolean {
    return this.nextDelivery < this.deliveryOrder.length;
  }

  /** The op whose result is next to hand back. */
  peekDelivery(): OpState | undefined {
    return this.deliveryOrder[this.nextDelivery];
  }

  /** Hands back the next settled result if the code has asked for it; false if it has not (yet). */
  deliverNext(settle: (request: OpRequest, op: OpState) => void): boolean {
    const op = this.deliveryOrder[this.nextDelivery];
    if (!op) return false;
    const request = this.waitingForDelivery.get(op.key);
    if (!request) return false;
    this.waitingForDelivery.delete(op.key);
    this.nextDelivery++;
    settle(request, op);
    return true;
  }

  /** Registers a durable call; returns the promise the code awaits. */
  request<T>(kind: OpRequestKind, name: string, args: Record<string, unknown>): Promise<T> {
    const key = this.nextKey(name);
    const position = this.position++;
    return new Promise<T>((resolve, reject) => {
      const recorded = this.check(key, position, reject);
      if (recorded === null) return;
      this.unsettled++;
      let settled = false;
      const once =
        <A>(settle: (value: A) => void) =>
        (value: A) => {
          if (settled) return;
          settled = true;
          this.unsettled--;
          settle(value);
        };
      const request: OpRequest = {
        key,
        kind,
        position,
        recorded,
        args,
        resolve: once(resolve as (v: unknown) => void),
        reject: once(reject),
      };
      if (recorded?.settledSeq !== undefined) this.waitingForDelivery.set(key, request);
      else this.hooks.live(request);
    });
  }

  /** A journaled value (now/random/uuid): synchronous, recorded on first use, replayed after. */
  value(kind: "now" | "random" | "uuid"): unknown {
    const key = this.nextKey(`$${kind}`);
    const position = this.position++;
    const recorded = this.check(key, position, (error) => {
      throw error;
    });
    if (recorded) return recorded.result;
    return this.hooks.value(key, kind);
  }

  /** A patch marker: true when journaled here or when the journal ends here (then journaled), false when the journal went past without it. */
  patched(name: string): boolean {
    const key = this.nextKey(patchName(name));
    const recorded = this.state.ops[this.position];
    // An old run: its journal holds another call at this point, so it ran code without the patch. The marker takes
    // no position, and the old call matches the code's next one.
    if (recorded !== undefined && recorded.key !== key) return false;
    this.position++;
    if (recorded === undefined) this.hooks.value(key, "patch");
    return true;
  }

  /** Skips the patch's marker where the journal has it; journals nothing. */
  deprecatePatch(name: string): void {
    const key = this.nextKey(patchName(name));
    if (this.state.ops[this.position]?.key === key) this.position++;
  }

  private nextKey(name: string): string {
    const n = this.occurrences.get(name) ?? 0;
    this.occurrences.set(name, n + 1);
    return stepKey(name, n);
  }

  /** The journal's op at this position if it matches; null (after reporting) if the code diverged. */
  private check(key: string, position: number, fail: (error: unknown) => void): OpState | undefined | null {
    const recorded = this.state.ops[position];
    if (!recorded || recorded.key === key) return recorded;
    const error = new NonDeterminismError(
      `run ${this.state.runId} diverged from its journal at call ${position + 1}: the journal has "${recorded.key}" but the code asked for "${key}". ` +
        "The workflow's code changed while this run was in flight; give the new code a new `version` so old runs keep the old code, or use a patch.",
      { runId: this.state.runId, position, expected: recorded.key, requested: key },
    );
    this.hooks.diverged(error);
    fail(error);
    return null;
  }
}

function patchName(name: string): string {
  if (typeof name !== "string" || name === "") {
    throw new DuroError("invalid_name", 'a patch needs a non-empty name, e.g. ctx.patched("new-pricing")', { category: "definition" });
  }
  return `$patch:${name}`;
}
