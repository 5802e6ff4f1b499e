// One invocation of one run: replay the journal through the workflow code, then execute what is new until
// the run ends or blocks on something that is not due soon. Every append is fenced by the lease; a step's
// result is committed together with whatever the code asks for next, so a trivial step costs one commit.
import { setImmediate as nextMacrotask } from "node:timers/promises";
import {
  type ApprovalDecision,
  applyContextExtensions,
  ChildRunFailedError,
  type ContextExtension,
  childRunId,
  DEFAULT_RETRY,
  DuroError,
  type ErrorInfo,
  type EventBody,
  findNonJson,
  foldJournal,
  isDuroError,
  isStandardSchema,
  type JournalEvent,
  type JournalGuard,
  NonDeterminismError as NonDeterminism,
  type NonJsonValue,
  type OpRequest,
  type OpState,
  Replayer,
  type RetryPolicy,
  type RunState,
  retryDelayMs,
  type SecretReader,
  type StepContext,
  StepFailedError,
  type StepOptions,
  type TransactionClient,
  toErrorInfo,
  toMs,
  validateWithSchema,
  valueHash,
  type WaitSpec,
  WaitTimeoutError,
  type WorkflowContext,
  type WorkflowDefinition,
} from "../core/index.js";
import { transactionUnsupported } from "../store/errors.js";
import type { AppendCommit, Lease, Store } from "../store/index.js";
import { userCallSite } from "./call-site.js";
import { childConflict } from "./conflicts.js";
import { failpoint } from "./failpoints.js";
import { approvalKey, askKey, childKey } from "./inbox-keys.js";
import { queueFields } from "./queues.js";
import { versionMismatch } from "./registry.js";
import { StepAbort } from "./step-abort.js";

export interface ExecutorDeps {
  store: Store;
  clock: () => number;
  random: () => number;
  uuid: () => string;
  leaseMs: number;
  /** Timers and retries due within this are awaited in-process; later ones suspend the run. */
  inlineWaitMs: number;
  /** Results whose JSON is longer go to the artifact store; the journal keeps the sha256. */
  artifactThreshold: number;
  /** The code for runs of `name`: at `version` (a run's own), or the newest when no version is given. */
  workflow(name: string, version?: string): WorkflowDefinition | undefined;
  /** Executes a just-started child in this process if its code is here; resolves when that invocation ends. */
  runChildInline(childRunId: string): Promise<void>;
  cancelRun(runId: string, reason: string): Promise<void>;
  /** Resolves once the engine may claim (its queues' limits are in the store); workers await it before claiming. */
  ready?(): Promise<void>;
  /** Sees every committed batch of events (live progress, tests). */
  onEvents?: (runId: string, events: JournalEvent[]) => void;
  /** What `ctx.secrets` reads. */
  secrets: SecretReader;
  /** Refuses secrets in journaled values and errors; none when absent. */
  journalGuard?: JournalGuard;
  /** The pre-deploy check (deploy-check.ts): replay the journal, and end with replay_frontier instead of running anything live. */
  replayOnly?: boolean;
  /** Applied, in order, to each context this executor builds (EngineOptions.extensions). */
  extensions?: readonly ContextExtension[];
}

export type InvocationStatus = "completed" | "failed" | "cancelled" | "waiting" | "lease_lost" | "conflict" | "interrupted";

export interface InvocationOutcome {
  runId: string;
  status: InvocationStatus;
  /** For `waiting`: when a timer or retry is due (epoch ms), if any. */
  wakeAt?: number;
  output?: unknown;
  error?: ErrorInfo;
}

/** A started invocation: its outcome, and a way to stop it early. */
export interface RunningInvocation {
  outcome: Promise<InvocationOutcome>;
  /** Let running steps finish and commit, start nothing new, release the lease. */
  interrupt(): void;
  /** Stop now; running steps are abandoned and run again elsewhere. */
  abandon(): Promise<void>;
}

/** Executes the run under `lease` until it ends, suspends, or loses its lease. */
export function executeRun(deps: ExecutorDeps, lease: Lease): RunningInvocation {
  const invocation = new Invocation(deps, lease);
  return { outcome: invocation.run(), interrupt: () => invocation.interrupt(), abandon: () => invocation.abandon() };
}

type TimerHandle = ReturnType<typeof setTimeout>;
const TERMINAL = new Set(["completed", "failed", "cancelled"]);

interface InboxWait {
  request: OpRequest;
  spec: WaitSpec;
}

export class Invocation {
  private state!: RunState;
  private def!: WorkflowDefinition;
  private replayer!: Replayer;
  private expectedSeq = 0;
  private buffer: EventBody[] = [];
  private consumed: number[] = [];
  private afterFlush: Array<() => void> = [];
  private journaledSteps: string[] = [];
  private flushScheduled = false;
  private flushing: Promise<void> = Promise.resolve();
  private inFlight = 0;
  private committing = 0;
  private replayDone = false;
  /**
   * Calls the code made while the journal was still being replayed, in call order: started (or, for values,
   * journaled) once replay ends, so that new ops enter the journal in the order of the calls.
   */
  private readonly pendingLive: Array<() => void> = [];
  /**
   * Live results waiting to be handed to the code, in the order their settling events were journaled, one per turn
   * of the event loop, exactly as a replay hands them back: the code runs to rest after each, so the calls it makes
   * next come in the same order live and on every replay. A slot without `settle` is reserved (a transaction whose
   * commit gives its result a place in the journal before it is known).
   */
  private readonly deliveries: Array<{ settle?: () => void }> = [];
  private deliveryScheduled = false;
  /** Work that must finish before the next commit (a child's run record): the commit carries its events. */
  private readonly preparing = new Set<Promise<void>>();
  /** Timers too far off to await here: key → due time (epoch ms). */
  private readonly farTimers = new Map<string, number>();
  private readonly inboxWaits = new Map<string, InboxWait>();
  private readonly timers = new Set<TimerHandle>();
  private readonly controllers = new Set<StepAbort>();
  private heartbeat: ReturnType<typeof setInterval> | undefined;
  private finished = false;
  /** Set by interrupt(): start nothing new, commit what finished, give the lease back. */
  private draining = false;
  /** Why the run must fail even if the code catches it: a divergence or a call that could not be journaled. */
  private fatal: unknown;
  /** A bug or a storage failure ended this invocation: nothing more is written. */
  private crashed = false;
  /** In replay-only mode (the pre-deploy check): where the user's code made its latest durable call. */
  private callSite: string | undefined;
  private settleOutcome!: (outcome: InvocationOutcome) => void;
  private failOutcome!: (error: unknown) => void;
  private readonly outcome = new Promise<InvocationOutcome>((resolve, reject) => {
    this.settleOutcome = resolve;
    this.failOutcome = reject;
  });

  constructor(
    private readonly deps: ExecutorDeps,
    private lease: Lease,
  ) {}

  private get runId(): string {
    return this.lease.runId;
  }

  async run(): Promise<InvocationOutcome> {
    const { store } = this.deps;
    const [events, record] = await Promise.all([store.read(this.runId), store.getRun(this.runId)]);
    this.state = foldJournal(this.runId, events);
    this.expectedSeq = this.state.lastSeq;
    if (record?.cancelRequested !== undefined) {
      this.startHeartbeat();
      void this.cancel(record.cancelRequested);
      return this.outcome;
    }
    const def = this.deps.workflow(this.state.workflow, this.state.version);
    if (!def) {
      await store.release(this.lease);
      const other = this.deps.workflow(this.state.workflow);
      if (other) throw versionMismatch({ id: this.runId, workflow: this.state.workflow, version: this.state.version }, [other.version]);
      throw new DuroError(
        "workflow_not_found",
        `run ${this.runId} needs workflow "${this.state.workflow}", which this process has not loaded; pass the file that defines it`,
        { category: "input", details: { runId: this.runId, workflow: this.state.workflow } },
      );
    }
    this.def = def;
    await this.loadArtifacts();
    this.startHeartbeat();
    if (this.deadlinePassed()) return this.outcome;
    this.startWorkflow();
    void this.replay().catch((error) => this.crash(error));
    return this.outcome;
  }

  // ---------- replay ----------

  private startWorkflow(): void {
    this.replayer = new Replayer(this.state, {
      live: (request) => (this.replayDone ? this.startLive(request) : this.pendingLive.push(() => this.startLive(request))),
      value: (key, kind) => this.recordValue(key, kind),
      diverged: (error) => {
        // The check's replay (only) reports where in the user's code the diverging call is; see call-site.ts.
        if (this.deps.replayOnly && this.callSite !== undefined) error.details.location ??= this.callSite;
        this.fatal ??= error;
        queueMicrotask(() => void this.finish({ type: "run_failed", error: toErrorInfo(this.fatal) }));
      },
    });
    const ctx = this.makeContext();
    Promise.resolve()
      .then(() => this.def.fn(ctx, this.state.input))
      .then(
        (output) => this.onWorkflowReturned(output),
        (error) => this.onWorkflowThrew(error),
      );
  }

  private async replay(): Promise<void> {
    while (this.replayer.replaying && !this.finished) {
      if (await this.deliverWhenAsked()) continue;
      const expected = this.replayer.peekDelivery() as OpState;
      return this.diverge(expected.key, "(nothing: the code did not ask for it)");
    }
    this.replayDone = true;
    for (const start of this.pendingLive.splice(0)) start();
    this.checkIdle();
  }

  /**
   * Lets the code run until it asks for the journal's next settled op; false if it never does. One macrotask
   * is enough for code that awaits only durable calls; code that also awaits something else (which it should
   * not) gets about a second before the run is declared diverged, since that verdict is final.
   */
  private async deliverWhenAsked(): Promise<boolean> {
    for (let delayMs = 0; delayMs <= 512; delayMs = delayMs === 0 ? 1 : delayMs * 2) {
      if (delayMs === 0) await nextMacrotask();
      else await new Promise((resolve) => setTimeout(resolve, delayMs));
      if (this.finished) return true;
      if (this.replayer.deliverNext((request, op) => this.settleFromJournal(request, op))) return true;
    }
    return false;
  }

  private settleFromJournal(request: OpRequest, op: OpState): void {
    if (op.kind === "child") {
      try {
        throwChildConflict(request, op);
      } catch (conflict) {
        return request.reject(conflict);
      }
    }
    if (op.kind === "step") {
      if (op.status === "completed") request.resolve(op.result);
      else request.reject(new StepFailedError(op.key, op.error as ErrorInfo));
      return;
    }
    this.settleWait(request, op.wait as WaitSpec, op.result, op.resolvedBy ?? "event");
  }

  private diverge(expected: string, requested: string): void {
    const error = new NonDeterminism(
      `run ${this.runId} diverged from its journal: the journal's next result is for "${expected}" but the code asked for ${requested}. ` +
        "The workflow's code changed while this run was in flight; give the new code a new `version` so old runs keep the old code.",
      { runId: this.runId, position: -1, expected, requested },
    );
    this.fatal ??= error;
    void this.finish({ type: "run_failed", error: toErrorInfo(this.fatal) });
  }

  // ---------- the context the code sees ----------

  private makeContext(): WorkflowContext {
    const replayer = this.replayer;
    const request = <T>(kind: OpRequest["kind"], name: string, args: Record<string, unknown>) => {
      if (typeof name !== "string" || name === "") {
        return Promise.reject(new DuroError("invalid_name", `a ${kind} needs a non-empty name`, { category: "definition" }));
      }
      if (this.deps.replayOnly) this.callSite = userCallSite();
      return replayer.request<T>(kind, name, args);
    };
    const value = (kind: "now" | "random" | "uuid") => {
      if (this.deps.replayOnly) this.callSite = userCallSite();
      return replayer.value(kind);
    };
    // Context extensions (the agent toolkit) add their members in applyContextExtensions below.
    const ctx = {
      runId: this.runId,
      workflow: this.state.workflow,
      step: (name, fn, options) =>
        typeof fn === "function"
          ? request("step", name, { fn, options })
          : Promise.reject(new DuroError("invalid_step", `step "${name}" needs a function`, { category: "definition" })),
      transaction: (name, fn, options) =>
        typeof fn === "function"
          ? request("step", name, { fn, options, transactional: true })
          : Promise.reject(new DuroError("invalid_step", `transaction "${name}" needs a function`, { category: "definition" })),
      sleep: (name, duration) => request("sleep", name, { ms: toMs(duration) }),
      sleepUntil: (name, time) => request("sleep", name, { until: new Date(time).getTime() }),
      waitForEvent: (name, options) => request("event", name, { ...options }),
      approval: (name, options = {}) => this.approval(request, name, options),
      ask: (name, options) => request("ask", name, { ...options }),
      child: (name, workflow, input) => request("child", name, { workflow, input }),
      now: () => new Date(value("now") as number),
      random: () => value("random") as number,
      uuid: () => value("uuid") as string,
      patched: (name) => replayer.patched(name),
      deprecatePatch: (name) => replayer.deprecatePatch(name),
      secrets: this.deps.secrets,
    } as WorkflowContext;
    const { store } = this.deps;
    applyContextExtensions(this.deps.extensions, ctx, {
      // Stored with the run, so the artifact is kept while the run exists (retention collects it after).
      putArtifact: (bytes) => store.putArtifact(bytes, { runId: this.runId }),
      getArtifact: (hash) => store.getArtifact(hash),
      readJournal: () => store.read(this.runId),
    });
    return ctx;
  }

  private async approval(
    request: <T>(kind: OpRequest["kind"], name: string, args: Record<string, unknown>) => Promise<T>,
    name: string,
    options: { gates?: string[]; summary?: string; timeout?: string | number },
  ): Promise<ApprovalDecision> {
    const { gates, ...rest } = options;
    if (!gates || gates.length === 0) return request<ApprovalDecision>("approval", name, { ...rest, gate: name });
    const decisions = await Promise.all(gates.map((gate) => request<ApprovalDecision>("approval", `${name}/${gate}`, { ...rest, gate })));
    const byGate = Object.fromEntries(gates.map((gate, i) => [gate, decisions[i] as ApprovalDecision]));
    const deciding = decisions.find((d) => d.action === "abort") ?? decisions.find((d) => d.action === "reject") ?? decisions[0];
    return { ...(deciding as ApprovalDecision), decisions: byGate };
  }

  /**
   * Makes a value and journals it in its call's place: after the calls the code made before it (which may still
   * be waiting for replay to end), and never after a call that a draining invocation left out of the journal.
   */
  private recordValue(key: string, kind: "now" | "random" | "uuid" | "patch"): unknown {
    const value = kind === "patch" ? true : kind === "now" ? this.deps.clock() : kind === "random" ? this.deps.random() : this.deps.uuid();
    const journal = () => {
      if (!this.draining) this.push({ type: "value_recorded", key, value });
    };
    if (this.replayDone) journal();
    else this.pendingLive.push(journal);
    return value;
  }

  // ---------- live execution ----------

  private startLive(request: OpRequest): void {
    if (this.finished || this.draining) return;
    if (this.deps.replayOnly) {
      const frontier = new DuroError("replay_frontier", `the journal ends before "${request.key}"`, { category: "internal" });
      void this.finish({ type: "run_failed", error: toErrorInfo(frontier) });
      return;
    }
    try {
      this.guardCall(request);
      this.dispatchLive(request);
    } catch (error) {
      // The call took a position but journaled nothing: a replay would match the next call against the wrong op.
      // These are definition errors (a wait without its key), so the run fails even if the code catches them.
      this.fatal ??= error;
      request.reject(error);
      void this.finish({ type: "run_failed", error: toErrorInfo(error) });
    }
    // A call that only arms a far timer leaves nothing in flight: it may be what makes the run idle.
    this.checkIdle();
  }

  /**
   * Refuses a call whose name or wait options hold a secret before anything of it is journaled or created: a step
   * name, an event key, a gate, an approval summary or a question become journal keys and fields.
   */
  private guardCall(request: OpRequest): void {
    const guard = this.deps.journalGuard;
    if (!guard) return;
    const fields: Record<string, unknown> = { key: request.key };
    for (const [name, value] of Object.entries(request.args)) {
      if (typeof value === "string" || (Array.isArray(value) && value.every((v) => typeof v === "string"))) fields[name] = value;
    }
    const workflow = request.args.workflow as { name?: unknown } | undefined;
    if (typeof workflow === "object" && workflow !== null && typeof workflow.name === "string") fields.workflow = workflow.name;
    guard.check(fields, `call "${request.key}"`);
  }

  private dispatchLive(request: OpRequest): void {
    switch (request.kind) {
      case "step":
        return this.liveStep(request);
      case "sleep":
        return this.liveSleep(request);
      case "event":
      case "approval":
      case "ask":
        return this.liveInboxWait(request);
      case "child":
        if (request.recorded) throwChildConflict(request, request.recorded);
        return this.liveChild(request);
      case "value":
        return;
    }
  }

  private liveStep(request: OpRequest): void {
    const op = request.recorded;
    if (op?.status === "retrying" && op.retryAt) {
      return this.attemptAt(request, op.attempts + 1, Date.parse(op.retryAt));
    }
    if (op?.status === "running") return this.resumeOrphaned(request, op);
    this.startAttempt(request, (op?.attempts ?? 0) + 1);
  }

  /**
   * The poison-step rule: an attempt that was started and never finished (its process died, or lost its lease) is
   * journaled as orphaned, and counts against the step's maxAttempts like a failed one. A step whose attempts are
   * used up that way fails with attempts_exhausted instead of running again: it may be what kills the process,
   * and every worker that ran it again would die with the other runs it holds.
   */
  private resumeOrphaned(request: OpRequest, op: OpState): void {
    if (this.draining) return;
    this.push({ type: "attempt_orphaned", key: request.key, attempt: op.attempts });
    const maxAttempts = { ...DEFAULT_RETRY, ...this.retryPolicy(request) }.maxAttempts;
    if (op.attempts < maxAttempts) return this.startAttempt(request, op.attempts + 1);
    const died = (op.orphaned ?? 0) + 1;
    const error = toErrorInfo(
      new DuroError(
        "attempts_exhausted",
        `step "${request.key}" was started ${op.attempts} time(s) and the process died during it ${died} time(s); ` +
          `its retry policy allows ${maxAttempts} attempt(s), so it is not run again (it may be what kills the process). ` +
          "Fix the step and start a new run, or raise the step's retry.maxAttempts if the crashes were unrelated to it",
        { category: "step", details: { step: request.key, attempts: op.attempts, died, maxAttempts } },
      ),
    );
    this.push({ type: "step_failed", key: request.key, attempt: op.attempts, error });
    this.deliver(() => request.reject(new StepFailedError(request.key, error)));
  }

  private retryPolicy(request: OpRequest): RetryPolicy | undefined {
    return (request.args.options as StepOptions | undefined)?.retry ?? this.def.options.retry;
  }

  private attemptAt(request: OpRequest, attempt: number, dueAt: number): void {
    this.atTime(request.key, dueAt, () => this.startAttempt(request, attempt));
  }

  /** Journals the attempt's start; the function runs once that is committed. */
  private startAttempt(request: OpRequest, attempt: number): void {
    if (this.draining) return;
    this.push({ type: "step_started", key: request.key, attempt });
    this.inFlight++;
    this.afterFlush.push(() => this.runAttempt(request, attempt));
  }

  private runAttempt(request: OpRequest, attempt: number): void {
    if (request.args.transactional === true) return this.runTransactionAttempt(request, attempt);
    const key = request.key;
    const { fn, options } = request.args as { fn: (s: StepContext) => unknown; options?: StepOptions };
    if (this.finished) {
      this.inFlight--;
      return;
    }
    failpoint("before_step", key);
    const controller = new StepAbort();
    this.controllers.add(controller);
    const stepContext = this.stepContext(key, attempt, controller);
    let result: Promise<unknown>;
    try {
      result = Promise.resolve(fn(stepContext));
    } catch (error) {
      result = Promise.reject(error);
    }
    failpoint("during_step", key);
    if (options?.timeout !== undefined) result = this.withTimeout(result, key, toMs(options.timeout), controller);
    result
      .then(
        (value) => this.stepSucceeded(request, attempt, value),
        (error) => this.stepFailed(request, attempt, error),
      )
      .catch((error) => this.crash(error))
      .finally(() => {
        this.controllers.delete(controller);
        this.inFlight--;
        this.checkIdle();
      });
  }

  /**
   * A ctx.transaction attempt: the function runs inside the store transaction that appends its step_completed, so
   * its statements and its record commit together. It is one link of the commit chain: this run's other commits
   * wait for it, and it starts once the commits before it (its step_started among them) have landed.
   */
  private runTransactionAttempt(request: OpRequest, attempt: number): void {
    const key = request.key;
    const { fn, options } = request.args as { fn: (tx: TransactionClient, s: StepContext) => Promise<unknown>; options?: StepOptions };
    const controller = new StepAbort();
    this.controllers.add(controller);
    const stepContext = this.stepContext(key, attempt, controller);
    let thrown: { error: unknown } | undefined;
    let returned: unknown;
    const work = async (tx: TransactionClient): Promise<EventBody[]> => {
      try {
        let result = Promise.resolve(fn(tx, stepContext));
        failpoint("during_step", key);
        if (options?.timeout !== undefined) result = this.withTimeout(result, key, toMs(options.timeout), controller);
        // Inline, never an artifact: the artifact store would need a write of its own while this one holds the lock.
        const journal = await this.toJournalValue(await result, `result of transaction "${key}"`);
        returned = journal.returned;
        failpoint("after_step_effect", key);
        return [{ type: "step_completed", key, ...(journal.stored === undefined ? {} : { result: journal.stored }) }];
      } catch (error) {
        thrown = { error };
        throw error;
      }
    };
    const attemptDone = this.flushing.then(async () => {
      if (this.finished) return;
      failpoint("before_step", key);
      const { transact } = this.deps.store;
      if (!transact) {
        return this.stepFailed(request, attempt, transactionUnsupported("ctx.transaction"));
      }
      await this.flush();
      if (this.finished) return;
      const expectedSeq = this.expectedSeq;
      this.committing++;
      // Its result takes the next seq: results journaled while it commits come after it.
      const slot = this.reserveDelivery();
      let result: Awaited<ReturnType<Store["append"]>>;
      try {
        result = await transact.call(this.deps.store, this.runId, [], { lease: this.lease, expectedSeq }, work);
      } catch (error) {
        this.fillDelivery(slot, undefined);
        if (thrown && error === thrown.error) return this.stepFailed(request, attempt, error);
        return this.stop(error);
      } finally {
        this.committing--;
      }
      this.expectedSeq = result.lastSeq;
      this.observe([{ type: "step_completed", key }], expectedSeq + 1);
      failpoint("after_step_journaled", key);
      if (result.cancelRequested !== undefined && !this.finished) void this.cancel(result.cancelRequested);
      this.fillDelivery(slot, () => request.resolve(returned));
    });
    this.flushing = attemptDone
      .catch((error) => this.crash(error))
      .finally(() => {
        this.controllers.delete(controller);
        this.inFlight--;
        this.checkIdle();
      });
  }

  /** What a step's function receives; events it emits are journaled with the run's next commit. */
  private stepContext(key: string, attempt: number, controller: StepAbort): StepContext {
    return {
      idempotencyKey: `${this.runId}:${key}`,
      attempt,
      get signal() {
        return controller.signal;
      },
      emit: (event) => {
        if (!this.finished) this.push(event);
      },
    };
  }

  private async stepSucceeded(request: OpRequest, attempt: number, value: unknown): Promise<void> {
    failpoint("after_step_effect", request.key);
    if (this.finished) return;
    let journalValue: Awaited<ReturnType<Invocation["toJournalValue"]>>;
    try {
      journalValue = await this.toJournalValue(value, `result of step "${request.key}"`, true);
    } catch (error) {
      return this.stepFailed(request, attempt, error);
    }
    const { stored, ref, returned } = journalValue;
    if (this.finished) return;
    this.push({ type: "step_completed", key: request.key, ...(ref ? { resultRef: ref } : stored === undefined ? {} : { result: stored }) });
    this.journaledSteps.push(request.key);
    this.deliver(() => request.resolve(returned));
  }

  private stepFailed(request: OpRequest, attempt: number, thrown: unknown): void {
    if (this.finished) return;
    const error = toErrorInfo(thrown);
    const delay = retryDelayMs(this.retryPolicy(request), attempt, error);
    if (delay === undefined) {
      this.push({ type: "step_failed", key: request.key, attempt, error });
      this.deliver(() => request.reject(new StepFailedError(request.key, error)));
      return;
    }
    const retryAt = this.deps.clock() + delay;
    this.push({ type: "step_failed", key: request.key, attempt, error, retryAt: new Date(retryAt).toISOString() });
    this.attemptAt(request, attempt + 1, retryAt);
  }

  private withTimeout(result: Promise<unknown>, key: string, ms: number, controller: StepAbort): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const error = new DuroError("step_timeout", `step "${key}" did not finish within ${ms} ms`, {
          category: "step",
          retryable: true,
          details: { step: key, timeoutMs: ms },
        });
        controller.abort(error);
        reject(error);
      }, ms);
      result.then(resolve, reject).finally(() => clearTimeout(timer));
    });
  }

  private liveSleep(request: OpRequest): void {
    let until: number;
    if (request.recorded?.wait?.until) {
      until = Date.parse(request.recorded.wait.until);
    } else {
      const { ms, until: at } = request.args as { ms?: number; until?: number };
      until = at ?? this.deps.clock() + (ms as number);
      this.push({ type: "wait_started", key: request.key, kind: "sleep", until: new Date(until).toISOString() });
    }
    this.atTime(request.key, until, () => {
      this.push({ type: "wait_resolved", key: request.key, payload: null, by: "timer" });
      this.deliver(() => request.resolve(undefined));
    });
  }

  private liveInboxWait(request: OpRequest): void {
    const spec = request.recorded?.wait ?? this.waitSpec(request);
    if (!request.recorded) this.push({ type: "wait_started", key: request.key, ...spec });
    this.inboxWaits.set(request.key, { request, spec });
    if (spec.timeoutAt) {
      this.atTime(request.key, Date.parse(spec.timeoutAt), () => {
        if (!this.inboxWaits.delete(request.key)) return;
        this.push({ type: "wait_resolved", key: request.key, payload: null, by: "timeout" });
        this.deliver(() => request.reject(new WaitTimeoutError(request.key, spec.timeoutAt as string)));
      });
    }
    this.track(this.checkInbox(request.key));
  }

  private waitSpec(request: OpRequest): WaitSpec {
    const args = request.args as Record<string, unknown>;
    const timeout = args.timeout as string | number | undefined;
    const timeoutAt = timeout === undefined ? {} : { timeoutAt: new Date(this.deps.clock() + toMs(timeout)).toISOString() };
    switch (request.kind) {
      case "event":
        if (typeof args.key !== "string" || args.key === "") {
          throw new DuroError("invalid_event_key", `waitForEvent "${request.key}" needs a non-empty \`key\``);
        }
        return { kind: "event", eventKey: args.key, ...timeoutAt };
      case "approval":
        return {
          kind: "approval",
          gate: args.gate as string,
          eventKey: approvalKey(this.runId, request.key),
          ...(typeof args.summary === "string" ? { summary: args.summary } : {}),
          ...timeoutAt,
        };
      default: {
        const choices = Array.isArray(args.choices) ? (args.choices as string[]) : undefined;
        return {
          kind: "ask",
          gate: request.key.replace(/#\d+$/, ""),
          eventKey: askKey(this.runId, request.key),
          prompt: String(args.prompt ?? ""),
          ...(choices ? { choices } : {}),
          allowFreeText: (args.allowFreeText as boolean | undefined) ?? !choices,
          ...timeoutAt,
        };
      }
    }
  }

  /** Takes the oldest inbox message for an open wait, if there is one. */
  private async checkInbox(key: string): Promise<void> {
    for (;;) {
      const wait = this.inboxWaits.get(key);
      if (!wait || this.finished) return;
      const message = await this.deps.store.peekInbox(wait.spec.eventKey as string, this.state.tenant);
      if (!message || this.finished || !this.inboxWaits.has(key)) return;
      this.consumed.push(message.id);
      if (await this.refuseAnswer(wait, message.payload)) {
        // Commit the refusal's consumption before looking again, or the next peek returns the same message.
        this.flushing = this.flushing.then(() => this.flush());
        await this.flushing;
        continue;
      }
      this.inboxWaits.delete(key);
      const by = messageAuthor(message.payload);
      this.push({ type: "wait_resolved", key, payload: message.payload, by });
      this.deliver(() => this.settleWait(wait.request, wait.spec, message.payload, by));
      return;
    }
  }

  /** An answer the question's schema refuses is consumed without resolving the question. */
  private async refuseAnswer(wait: InboxWait, payload: unknown): Promise<boolean> {
    const schema = wait.request.args.schema;
    if (wait.spec.kind !== "ask" || !isStandardSchema(schema)) return false;
    try {
      await validateWithSchema(schema, (payload as { value?: unknown })?.value, "answer_invalid", `answer to "${wait.request.key}"`);
      return false;
    } catch {
      return true;
    }
  }

  /** Resolves a wait's promise from its payload, live or replayed: the same mapping both ways. */
  private settleWait(request: OpRequest, spec: WaitSpec, payload: unknown, by: string): void {
    if (by === "timeout") {
      request.reject(new WaitTimeoutError(request.key, spec.timeoutAt ?? ""));
      return;
    }
    switch (spec.kind) {
      case "sleep":
        return request.resolve(undefined);
      case "event":
        return request.resolve(payload);
      case "approval":
        return request.resolve(payload);
      case "ask":
        return request.resolve((payload as { value?: unknown } | null)?.value);
      case "child": {
        const result = payload as { status: string; output?: unknown; error?: ErrorInfo };
        if (result.status === "completed") return request.resolve(result.output);
        return request.reject(new ChildRunFailedError(spec.childRunId ?? "", result.status, result.error));
      }
    }
  }

  /**
   * A child call journals `child_started` at once, in its call's place among the run's calls; the child's run record
   * (input validated, then created) is made before the commit that carries those events, so a journaled child always
   * exists. A child the engine refuses to create (its input is invalid) is journaled as a call that failed.
   */
  private liveChild(request: OpRequest): void {
    const childId = childRunId(this.runId as never, request.key as never);
    const recorded = request.recorded?.wait;
    if (recorded) {
      this.inboxWaits.set(request.key, { request, spec: recorded });
      return this.track(this.checkInbox(request.key));
    }
    const { workflow, input } = request.args as { workflow: WorkflowDefinition | string; input: unknown };
    const name = typeof workflow === "string" ? workflow : workflow.name;
    const spec: WaitSpec = { kind: "child", eventKey: childKey(childId), childRunId: childId, childWorkflow: name };
    const started: EventBody = {
      type: "child_started",
      key: request.key,
      childRunId: childId,
      workflow: name,
      inputHash: valueHash(input),
    };
    this.push(started);
    this.push({ type: "wait_started", key: request.key, ...spec });
    this.inboxWaits.set(request.key, { request, spec });
    let created = false;
    this.afterFlush.push(() => {
      if (created) this.track(this.deps.runChildInline(childId).then(() => this.checkInbox(request.key)));
    });
    this.beforeNextCommit(
      this.createChild(request, childId, name, workflow, input).then(
        () => {
          created = true;
        },
        (error: unknown) => this.refuseChild(request, spec, started, error),
      ),
    );
  }

  private async createChild(request: OpRequest, childId: string, name: string, workflow: WorkflowDefinition | string, input: unknown) {
    const def = this.deps.workflow(name) ?? (typeof workflow === "string" ? undefined : workflow);
    const childInput = def?.options.input
      ? await validateWithSchema(def.options.input, input, "input_invalid", `input of child "${request.key}"`)
      : input;
    const { stored } = await this.toJournalValue(childInput, `input of child "${request.key}"`);
    await this.deps.store.createRun({
      id: childId,
      workflow: name,
      version: def?.version ?? "unknown",
      input: stored ?? null,
      tenant: this.state.tenant,
      options: {},
      parentRunId: this.runId,
      ...(def ? queueFields(def, childInput) : {}),
    });
  }

  /**
   * The child was not created: its call is journaled as settled with the failure (no `child_started`, as no child
   * exists), and the code gets the error a replay of that record gives. Storage failures are not refusals: they
   * end the invocation, and the run is resumed elsewhere.
   */
  private refuseChild(request: OpRequest, spec: WaitSpec, started: EventBody, error: unknown): void {
    if (isDuroError(error) && error.category === "storage") throw error;
    if (!this.inboxWaits.delete(request.key)) return;
    const at = this.buffer.indexOf(started);
    if (at < 0)
      throw new DuroError("internal_error", `child "${request.key}" was committed before its run was created`, { category: "internal" });
    this.buffer.splice(at, 1);
    const info = this.deps.journalGuard?.error(toErrorInfo(error), `child "${request.key}"`) ?? toErrorInfo(error);
    const payload = { status: "failed", error: info };
    this.push({ type: "wait_resolved", key: request.key, payload, by: "refused" });
    this.deliver(() => this.settleWait(request, spec, payload, "refused"));
  }

  /**
   * Holds the next commit until `work` is done; a failure of `work` ends the invocation (nothing more is written and
   * the lease lapses), since the events it guards are already in the buffer.
   */
  private beforeNextCommit(work: Promise<void>): void {
    const guarded: Promise<void> = work
      .catch((error) => this.crash(error))
      .finally(() => {
        this.preparing.delete(guarded);
      });
    this.preparing.add(guarded);
    this.track(guarded);
  }

  /** Hands a live result to the code in its journal order (see `deliveries`). */
  private deliver(settle: () => void): void {
    this.deliveries.push({ settle });
    this.inFlight++;
    this.scheduleDelivery();
  }

  private reserveDelivery(): { settle?: () => void } {
    const slot = {};
    this.deliveries.push(slot);
    this.inFlight++;
    return slot;
  }

  /** Fills a reserved slot, or gives it up (undefined) when the result will be delivered from elsewhere. */
  private fillDelivery(slot: { settle?: () => void }, settle: (() => void) | undefined): void {
    if (settle) slot.settle = settle;
    else {
      this.deliveries.splice(this.deliveries.indexOf(slot), 1);
      this.inFlight--;
    }
    this.scheduleDelivery();
  }

  private scheduleDelivery(): void {
    if (this.deliveryScheduled || !this.deliveries[0]?.settle) return;
    this.deliveryScheduled = true;
    setImmediate(() => {
      this.deliveryScheduled = false;
      const next = this.deliveries.shift();
      this.inFlight--;
      if (!this.finished) next?.settle?.();
      this.scheduleDelivery();
      this.checkIdle();
    });
  }

  /** Runs `fire` at `dueAt`: now, after an in-process timer, or by suspending the run until then. */
  private atTime(key: string, dueAt: number, fire: () => void): void {
    const delay = dueAt - this.deps.clock();
    if (delay <= 0) return fire();
    if (delay > this.deps.inlineWaitMs) {
      this.farTimers.set(key, dueAt);
      return;
    }
    this.inFlight++;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.inFlight--;
      if (!this.finished) fire();
      this.checkIdle();
    }, delay);
    this.timers.add(timer);
  }

  // ---------- committing ----------

  private push(event: EventBody): void {
    const guard = this.deps.journalGuard;
    if (guard && (event.type === "step_failed" || event.type === "run_failed")) {
      event = {
        ...event,
        error: guard.error(event.error, event.type === "run_failed" ? "error of the run" : `error of step "${event.key}"`),
      };
    } else if (guard && !this.guardEvent(guard, event)) {
      return;
    }
    this.buffer.push(event);
    this.scheduleFlush();
  }

  /**
   * The last line before the journal: every string of an event is checked (results, outputs and payloads were
   * checked where they entered, and are not walked twice). What slips past the call guard fails the run and is
   * not journaled; a cancellation reason that holds a secret is journaled without it.
   */
  private guardEvent(guard: JournalGuard, event: EventBody): boolean {
    const { result: _r, output: _o, payload: _p, ...rest } = event as EventBody & { result?: unknown; output?: unknown; payload?: unknown };
    try {
      guard.check(rest, `${event.type} event`);
      return true;
    } catch (error) {
      if (event.type === "run_cancelled") {
        this.buffer.push({ ...event, reason: "the cancellation reason held a secret and was not journaled" });
        this.scheduleFlush();
      } else if (!this.finished) {
        void this.finish({ type: "run_failed", error: toErrorInfo(error) });
      }
      return false;
    }
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || this.finished) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      // An ending (finish, suspend, yield) commits the buffer itself, with its own terms; do not race it.
      if (this.finished) return;
      // Results not yet handed to the code go first, so what the code asks for next joins this commit.
      if (this.deliveries[0]?.settle) return this.scheduleFlush();
      this.flushing = this.flushing.then(() => this.flush()).catch((error) => this.crash(error));
    });
  }

  private async flush(extra: Partial<AppendCommit> = {}): Promise<void> {
    while (this.preparing.size > 0) await Promise.all(this.preparing);
    if (this.crashed) return;
    const events = this.buffer;
    const consume = this.consumed;
    const after = this.afterFlush;
    const journaled = this.journaledSteps;
    if (events.length === 0 && consume.length === 0 && Object.keys(extra).length === 0) {
      this.afterFlush = [];
      for (const fn of after) fn();
      return;
    }
    this.buffer = [];
    this.consumed = [];
    this.afterFlush = [];
    this.journaledSteps = [];
    const commit: AppendCommit = { lease: this.lease, expectedSeq: this.expectedSeq, ...extra };
    if (consume.length > 0) commit.consume = consume;
    let result: Awaited<ReturnType<Store["append"]>>;
    // Work that starts once this commit lands (a step's function, an inline child) is not in flight yet:
    // the run must not be judged idle while the commit is on its way.
    this.committing++;
    try {
      result = await this.deps.store.append(this.runId, events, commit);
    } catch (error) {
      return this.stop(error);
    } finally {
      this.committing--;
    }
    const firstSeq = this.expectedSeq + 1;
    this.expectedSeq = result.lastSeq;
    this.observe(events, firstSeq);
    for (const key of journaled) failpoint("after_step_journaled", key);
    if (result.cancelRequested !== undefined && !this.finished) void this.cancel(result.cancelRequested);
    for (const fn of after) fn();
    this.checkIdle();
  }

  private observe(events: EventBody[], firstSeq: number): void {
    if (!this.deps.onEvents || events.length === 0) return;
    const at = new Date(this.deps.clock()).toISOString();
    this.deps.onEvents(
      this.runId,
      events.map((e, i) => ({ ...e, seq: firstSeq + i, at }) as JournalEvent),
    );
  }

  /** After the code has had a turn with nothing in flight and nothing to commit, the run is blocked: suspend it. */
  private checkIdle(): void {
    if (this.draining && !this.finished && this.inFlight === 0) return void this.yieldLease().catch((error) => this.crash(error));
    if (!this.isIdle()) return;
    setImmediate(() => {
      if (this.isIdle()) void this.suspend().catch((error) => this.crash(error));
    });
  }

  private isIdle(): boolean {
    return (
      !this.finished &&
      this.replayDone &&
      this.inFlight === 0 &&
      this.committing === 0 &&
      this.replayer.outstanding > 0 &&
      !this.flushScheduled &&
      this.buffer.length === 0 &&
      this.consumed.length === 0
    );
  }

  private async suspend(): Promise<void> {
    this.finished = true;
    this.stopTimers();
    const deadline = this.deadline();
    const dues = [...this.farTimers.values(), ...(deadline === undefined ? [] : [deadline])];
    const wakeAt = dues.length > 0 ? Math.min(...dues) : undefined;
    await this.flushing;
    await this.flush({ status: "waiting", release: true, ...(wakeAt === undefined ? {} : { readyAt: wakeAt }) });
    for (const key of this.inboxWaits.keys()) failpoint("while_waiting", key);
    for (const key of this.farTimers.keys()) failpoint("while_waiting", key);
    this.settleOutcome({ runId: this.runId, status: "waiting", ...(wakeAt === undefined ? {} : { wakeAt }) });
  }

  // ---------- endings ----------

  /**
   * Asks the invocation to stop (worker shutdown): steps already running may finish and are committed,
   * nothing new starts, then the lease is released so another worker resumes the run at once.
   */
  interrupt(): void {
    if (this.finished || this.draining) return;
    this.draining = true;
    for (const timer of this.timers) {
      clearTimeout(timer);
      this.inFlight--;
    }
    this.timers.clear();
    this.checkIdle();
  }

  /** Hard stop after the grace period: abandon running steps (they run again elsewhere) and release the lease. */
  async abandon(): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    this.stopTimers();
    for (const controller of this.controllers)
      controller.abort(new DuroError("worker_stopped", "the worker stopped", { category: "internal" }));
    await this.deps.store.release(this.lease).catch(() => undefined);
    this.settleOutcome({ runId: this.runId, status: "interrupted" });
  }

  private async yieldLease(): Promise<void> {
    this.finished = true;
    this.stopTimers();
    await this.flushing;
    await this.flush();
    await this.deps.store.release(this.lease, { status: "queued" });
    this.settleOutcome({ runId: this.runId, status: "interrupted" });
  }

  private onWorkflowReturned(output: unknown): void {
    if (this.finished) return;
    if (this.fatal) return void this.finish({ type: "run_failed", error: toErrorInfo(this.fatal) });
    if (this.replayer.replaying) {
      const expected = this.replayer.peekDelivery() as OpState;
      return this.diverge(expected.key, "nothing more: the code returned");
    }
    void this.toJournalValue(output, "output of the run")
      .then(({ stored }) => this.finish({ type: "run_completed", output: stored ?? null }))
      .catch((error) => this.finish({ type: "run_failed", error: toErrorInfo(error) }));
  }

  private onWorkflowThrew(error: unknown): void {
    if (this.finished) return;
    if (this.fatal !== undefined || isDuroError(error))
      return void this.finish({ type: "run_failed", error: toErrorInfo(this.fatal ?? error) });
    // A step's failure reaches the code as a DuroError; anything else was thrown by the workflow's own code (between
    // steps, or before the first), and saying "step_error" would send the user looking for a step that never ran.
    void this.finish({ type: "run_failed", error: { ...toErrorInfo(error), code: "workflow_error" } });
  }

  private async cancel(reason: string): Promise<void> {
    if (this.finished) return;
    await this.finish({ type: "run_cancelled", reason });
  }

  private deadline(): number | undefined {
    const deadline = this.state.options.deadline;
    return typeof deadline === "string" ? Date.parse(deadline) : undefined;
  }

  /** Fails the run if its deadline passed; arms a timer if it falls within this invocation's reach. */
  private deadlinePassed(): boolean {
    const deadline = this.deadline();
    if (deadline === undefined) return false;
    const fail = () =>
      this.finish({
        type: "run_failed",
        error: toErrorInfo(
          new DuroError("run_timeout", `run ${this.runId} did not finish by its deadline ${new Date(deadline).toISOString()}`, {
            category: "limit",
            details: { deadline: new Date(deadline).toISOString() },
          }),
        ),
      });
    const delay = deadline - this.deps.clock();
    if (delay <= 0) {
      void fail();
      return true;
    }
    if (delay <= 2 ** 31 - 1) {
      const timer = setTimeout(() => void fail(), delay);
      timer.unref();
      this.timers.add(timer);
    }
    return false;
  }

  /** Journals the terminal event (with anything still buffered), hands a child's result to its parent, releases the lease. */
  private async finish(terminal: Extract<EventBody, { type: "run_completed" | "run_failed" | "run_cancelled" }>): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    this.stopTimers();
    for (const controller of this.controllers) controller.abort(new DuroError("run_ended", "the run ended", { category: "step" }));
    try {
      await this.flushing;
      if (terminal.type !== "run_completed") {
        // Open children are cancelled while the run can still be resumed: a process that dies after the terminal
        // commit would leave them for ever (nothing resumes an ended run), one that dies before it leaves a run that
        // finishes again and cancels again. The buffered starts are committed first, so every child is in the store.
        await this.flush();
        await this.cancelOpenChildren(terminal.type === "run_cancelled" ? terminal.reason : "parent failed");
        failpoint("before_run_ended", terminal.type);
      }
      this.push(terminal);
      const commit: Partial<AppendCommit> = { release: true };
      if (this.state.parentRunId)
        commit.deliver = [{ eventKey: childKey(this.runId), payload: childResult(terminal), tenant: this.state.tenant }];
      await this.flush(commit);
      failpoint("after_run_ended", terminal.type);
    } catch (error) {
      return this.failOutcome(error);
    }
    this.settleOutcome({ runId: this.runId, ...outcomeOf(terminal) });
  }

  /**
   * Cancels the children that have not ended: those in the journal, those started by this invocation, and those the
   * store knows as this run's children (a child is created just before the commit that journals it, so an invocation
   * that died in between leaves one the journal does not name).
   */
  private async cancelOpenChildren(reason: string): Promise<void> {
    const children = this.state.ops.filter((op) => op.kind === "child" && op.status === "waiting" && op.childRunId);
    const started = [...this.inboxWaits.values()].filter((w) => w.spec.kind === "child").map((w) => w.spec.childRunId as string);
    const ids = new Set([...children.map((op) => op.childRunId as string), ...started]);
    let cursor: string | undefined;
    do {
      const page = await this.deps.store.listRuns({ parentRunId: this.runId, limit: 500, ...(cursor ? { cursor } : {}) });
      for (const run of page.runs) if (!TERMINAL.has(run.status)) ids.add(run.id);
      cursor = page.nextCursor;
    } while (cursor);
    for (const id of ids) {
      await this.deps.cancelRun(id, `parent run ${this.runId}: ${reason}`).catch((error: unknown) => {
        if (!(isDuroError(error) && error.code === "run_terminal")) throw error;
      });
    }
  }

  /** The store refused a commit: lost lease or a conflicting consume. Nothing more is written. */
  private stop(error: unknown): void {
    const wasFinished = this.finished;
    this.finished = true;
    this.stopTimers();
    for (const controller of this.controllers) controller.abort(error);
    if (isDuroError(error) && (error.code === "lease_lost" || error.code === "inbox_conflict")) {
      const status = error.code === "lease_lost" ? "lease_lost" : "conflict";
      if (status === "conflict") void this.deps.store.release(this.lease).catch(() => undefined);
      this.settleOutcome({ runId: this.runId, status, error: toErrorInfo(error) });
      return;
    }
    if (!wasFinished) this.failOutcome(error);
    else throw error;
  }

  /** A bug or a storage failure: stop writing and report; the lease expires and another invocation resumes. */
  private crash(error: unknown): void {
    this.finished = true;
    this.crashed = true;
    this.stopTimers();
    this.failOutcome(error);
  }

  /**
   * Counts background work (looking for a wait's message, running a child inline) until it settles. A storage failure
   * or a lost lease there says nothing about the run: it ends this invocation and the run resumes from its journal,
   * as a failed commit would. Anything else is the run's own failure.
   */
  private track(promise: Promise<unknown>): void {
    this.inFlight++;
    promise
      .catch((error) => {
        if (this.finished) return;
        if (isDuroError(error) && (error.code === "lease_lost" || error.code === "inbox_conflict")) return this.stop(error);
        if (isDuroError(error) && error.category === "storage") return this.crash(error);
        void this.finish({ type: "run_failed", error: toErrorInfo(error) });
      })
      .finally(() => {
        this.inFlight--;
        this.checkIdle();
      });
  }

  private stopTimers(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }

  private startHeartbeat(): void {
    this.heartbeat = setInterval(
      () => {
        this.deps.store.heartbeat(this.lease, this.deps.leaseMs).then(
          ({ expiresAt, cancelRequested }) => {
            this.lease = { ...this.lease, expiresAt };
            if (cancelRequested !== undefined) void this.cancel(cancelRequested);
          },
          (error) => {
            if (!this.finished) this.stop(error);
          },
        );
      },
      Math.max(50, Math.floor(this.deps.leaseMs / 3)),
    );
    this.heartbeat.unref();
  }

  // ---------- values ----------

  /** The JSON form a value is journaled in (inline or as an artifact) and the value the code gets back. */
  private async toJournalValue(
    value: unknown,
    what: string,
    allowArtifact = false,
  ): Promise<{ stored: unknown; ref?: string; returned: unknown }> {
    if (value === undefined) return { stored: undefined, returned: undefined };
    // JSON.stringify alone would journal a Map, a Set or a class instance as {} and a NaN as null: refuse instead.
    const found = findNonJson(value);
    if (found) throw notSerializable(what, found);
    const json = JSON.stringify(value);
    const returned = JSON.parse(json);
    this.deps.journalGuard?.check(returned, what);
    if (!allowArtifact || json.length <= this.deps.artifactThreshold) return { stored: returned, returned };
    const ref = await this.deps.store.putArtifact(Buffer.from(json, "utf8"), { runId: this.runId });
    return { stored: undefined, ref, returned };
  }

  private async loadArtifacts(): Promise<void> {
    for (const op of this.state.ops) {
      if (op.resultRef === undefined) continue;
      const bytes = await this.deps.store.getArtifact(op.resultRef);
      if (!bytes) {
        throw new DuroError(
          "artifact_missing",
          `artifact ${op.resultRef} of step "${op.key}" in run ${this.runId} is missing from the store`,
          {
            category: "storage",
          },
        );
      }
      op.result = JSON.parse(Buffer.from(bytes).toString("utf8"));
    }
  }
}

/** A child call that asks for a journaled child with another workflow or input: child_conflict, not the old child. */
function throwChildConflict(request: OpRequest, op: OpState): void {
  const { workflow, input } = request.args as { workflow: WorkflowDefinition | string; input: unknown };
  const conflict = childConflict(op, { workflow: typeof workflow === "string" ? workflow : workflow.name, input });
  if (conflict) throw conflict;
}

function notSerializable(what: string, found: NonJsonValue): DuroError {
  const at = found.path === "$" ? "" : ` at ${found.path}`;
  return new DuroError(
    "result_not_serializable",
    `${what} cannot be journaled: it holds ${found.what}${at}. Return plain JSON values (objects, arrays, strings, finite numbers, ` +
      "booleans, null; a Date is kept as its ISO string): convert a Map with Object.fromEntries(map), a Set with [...set], a BigInt with String(n)",
    { category: "step", details: { what, path: found.path, found: found.what } },
  );
}

function messageAuthor(payload: unknown): string {
  const by = (payload as { by?: unknown } | null)?.by;
  return typeof by === "string" && by !== "" ? by : "event";
}

function childResult(terminal: EventBody): unknown {
  if (terminal.type === "run_completed") return { status: "completed", output: terminal.output, by: "child" };
  if (terminal.type === "run_failed") return { status: "failed", error: terminal.error, by: "child" };
  if (terminal.type === "run_cancelled")
    return { status: "cancelled", error: { code: "cancelled", message: terminal.reason }, by: "child" };
  return undefined;
}

function outcomeOf(terminal: EventBody): Omit<InvocationOutcome, "runId"> {
  if (terminal.type === "run_completed") return { status: "completed", output: terminal.output };
  if (terminal.type === "run_failed") return { status: "failed", error: terminal.error };
  return { status: "cancelled" };
}
