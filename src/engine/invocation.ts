// The lifecycle of one invocation of one run: load and replay the journal, send the code's new calls to the part
// that executes their kind (steps, waits, children), and end exactly once: finished, suspended, yielded, stopped by
// the store, or crashed. After its end an invocation writes nothing more, and its outcome settles once.
import { setImmediate as nextMacrotask } from "node:timers/promises";
import {
  DuroError,
  type EventBody,
  foldJournal,
  isDuroError,
  type NonDeterminismError,
  type OpRequest,
  Replayer,
  type ReplayTurns,
  type RunState,
  toErrorInfo,
  type WorkflowDefinition,
} from "../core/index.js";
import type { AppendCommit, Lease } from "../store/index.js";
import { Children, childResult } from "./children.js";
import { Deliveries } from "./deliveries.js";
import type { ExecutorDeps, InvocationOutcome } from "./executor.js";
import { failpoint } from "./failpoints.js";
import { childKey } from "./inbox-keys.js";
import { guardCall, type JournalValue, loadArtifacts, toJournalValue } from "./journal-values.js";
import { JournalWriter } from "./journal-writer.js";
import { versionMismatch } from "./registry.js";
import type { RunScope } from "./run-scope.js";
import { settleFromJournal } from "./settle.js";
import type { StepAbort } from "./step-abort.js";
import { Steps } from "./steps.js";
import { Timers } from "./timers.js";
import { Waits } from "./waits.js";
import { buildContext } from "./workflow-context.js";

type Terminal = Extract<EventBody, { type: "run_completed" | "run_failed" | "run_cancelled" }>;

export class Invocation implements RunScope {
  state!: RunState;
  def!: WorkflowDefinition;
  readonly journal: JournalWriter;
  readonly deliveries = new Deliveries(this);
  readonly timers: Timers;
  readonly controllers = new Set<StepAbort>();
  inFlight = 0;
  finished = false;
  draining = false;
  /** A bug or a storage failure ended this invocation: nothing more is written. */
  crashed = false;
  private replayer!: Replayer;
  private readonly steps = new Steps(this);
  private readonly waits = new Waits(this);
  private readonly children = new Children(this, this.waits);
  private replayDone = false;
  /**
   * Calls the code made while the journal was still being replayed, in call order: started (or, for values,
   * journaled) once replay ends, so that new ops enter the journal in the order of the calls.
   */
  private readonly pendingLive: Array<() => void> = [];
  /** Why the run must fail even if the code catches it: a divergence or a call that could not be journaled. */
  private fatal: unknown;
  /** In replay-only mode (the pre-deploy check): where the user's code made its latest durable call. */
  private callSite: string | undefined;
  private settleOutcome!: (outcome: InvocationOutcome) => void;
  private failOutcome!: (error: unknown) => void;
  private readonly outcome = new Promise<InvocationOutcome>((resolve, reject) => {
    this.settleOutcome = resolve;
    this.failOutcome = reject;
  });

  constructor(
    readonly deps: ExecutorDeps,
    private readonly lease: Lease,
  ) {
    this.timers = new Timers(this, deps.clock, deps.inlineWaitMs);
    // Made here, not after the read: an invocation may be interrupted or abandoned while it reads its journal.
    this.journal = new JournalWriter(deps, lease, this);
  }

  get runId(): string {
    return this.lease.runId;
  }

  afterNextDelivery(fn: () => void): boolean {
    return this.deliveries.afterNextDelivery(fn);
  }

  async run(): Promise<InvocationOutcome> {
    const { store } = this.deps;
    const [events, record] = await Promise.all([store.read(this.runId), store.getRun(this.runId)]);
    this.state = foldJournal(this.runId, events);
    this.journal.readUpTo(this.state.lastSeq);
    if (record?.cancelRequested !== undefined) {
      this.journal.startHeartbeat();
      this.cancel(record.cancelRequested);
      return this.outcome;
    }
    const def = this.deps.workflow(this.state.workflow, this.state.version);
    if (!def) {
      await this.journal.release();
      const other = this.deps.workflow(this.state.workflow);
      if (other) throw versionMismatch({ id: this.runId, workflow: this.state.workflow, version: this.state.version }, [other.version]);
      throw new DuroError(
        "workflow_not_found",
        `run ${this.runId} needs workflow "${this.state.workflow}", which this process has not loaded; pass the file that defines it`,
        { category: "input", details: { runId: this.runId, workflow: this.state.workflow } },
      );
    }
    this.def = def;
    await loadArtifacts(store, this.state);
    this.journal.startHeartbeat();
    if (this.deadlinePassed()) return this.outcome;
    if (!this.startWorkflow()) return this.outcome;
    // Replay runs beside the code it feeds; a failure of its own is a bug: the invocation crashes.
    void this.replay().catch((error) => this.crash(error));
    return this.outcome;
  }

  journalValue(value: unknown, what: string, allowArtifact = false): Promise<JournalValue> {
    return toJournalValue(this.deps, this.runId, value, what, allowArtifact);
  }

  // ---------- replay ----------

  /** Starts the code; false (the run failed) when a context extension refused to let it run. */
  private startWorkflow(): boolean {
    this.replayer = new Replayer(this.state, {
      live: (request) => (this.replayDone ? this.startLive(request) : this.pendingLive.push(() => this.startLive(request))),
      value: (key, kind) => this.recordValue(key, kind),
      mark: (event) => this.inCallOrder(() => this.journal.push(event)),
      diverged: (error) => {
        // The check's replay (only) reports where in the user's code the diverging call is; see call-site.ts.
        if (this.deps.replayOnly && this.callSite !== undefined) error.details.location ??= this.callSite;
        this.fatal ??= error;
        // The hook runs before the diverging call is rejected: the run ends once that rejection is in place.
        queueMicrotask(() => this.fail(this.fatal));
      },
    });
    let refusal: DuroError | undefined;
    const ctx = buildContext(
      this,
      this.replayer,
      (site) => {
        this.callSite = site;
      },
      (error) => {
        if (!this.deps.replayOnly) refusal ??= error;
      },
    );
    if (refusal) {
      this.fail(refusal);
      return false;
    }
    // The code runs beside the invocation; its end is handled by these two, and a bug in them crashes the invocation.
    Promise.resolve()
      .then(() => this.def.fn(ctx, this.state.input))
      .then(
        (output) => this.onWorkflowReturned(output),
        (error) => this.onWorkflowThrew(error),
      )
      .catch((error) => this.crash(error));
    return true;
  }

  /** Hands the journal's settled results back as the code asks for them, then lets its new calls go live. */
  private async replay(): Promise<void> {
    const turns: ReplayTurns = {
      pause: (delayMs) => (delayMs === 0 ? nextMacrotask() : new Promise((resolve) => setTimeout(resolve, delayMs))),
      stopped: () => this.finished,
      settle: settleFromJournal,
    };
    while (this.replayer.replaying && !this.finished) {
      if (await this.replayer.deliverWhenAsked(turns)) continue;
      return this.diverge(this.replayer.unasked("(nothing: the code did not ask for it)"));
    }
    this.replayDone = true;
    for (const start of this.pendingLive.splice(0)) start();
    this.checkIdle();
  }

  private diverge(error: NonDeterminismError): void {
    this.fatal ??= error;
    this.fail(this.fatal);
  }

  /**
   * Makes a value and journals it in its call's place: after the calls the code made before it (which may still
   * be waiting for replay to end), and never after a call that a draining invocation left out of the journal.
   */
  private recordValue(key: string, kind: "now" | "random" | "uuid" | "patch"): unknown {
    const value = kind === "patch" ? true : kind === "now" ? this.deps.clock() : kind === "random" ? this.deps.random() : this.deps.uuid();
    this.inCallOrder(() => this.journal.push({ type: "value_recorded", key, value }));
    return value;
  }

  /** Journals an event made by a call in that call's place (see recordValue); a draining invocation journals nothing. */
  private inCallOrder(journal: () => void): void {
    const guarded = () => {
      if (!this.draining) journal();
    };
    if (this.replayDone) guarded();
    else this.pendingLive.push(guarded);
  }

  // ---------- live calls: one part per kind ----------

  private startLive(request: OpRequest): void {
    if (this.finished || this.draining) return;
    if (this.deps.replayOnly) {
      this.fail(new DuroError("replay_frontier", `the journal ends before "${request.key}"`, { category: "internal" }));
      return;
    }
    try {
      guardCall(this.deps.journalGuard, request);
      this.dispatchLive(request);
    } catch (error) {
      // The call took a position but journaled nothing: a replay would match the next call against the wrong op.
      // These are definition errors (a wait without its key), so the run fails even if the code catches them.
      this.fatal ??= error;
      request.reject(error);
      this.fail(error);
    }
    // A call that only arms a far timer leaves nothing in flight: it may be what makes the run idle.
    this.checkIdle();
  }

  private dispatchLive(request: OpRequest): void {
    switch (request.kind) {
      case "step":
        return this.steps.start(request);
      case "sleep":
        return this.waits.sleep(request);
      case "event":
      case "approval":
      case "ask":
      case "tool":
        return this.waits.inboxWait(request);
      case "child":
        return this.children.start(request);
      case "value":
        return;
    }
  }

  // ---------- endings ----------

  /**
   * Asks the invocation to stop (worker shutdown): steps already running may finish and are committed,
   * nothing new starts, then the lease is released so another worker resumes the run at once.
   */
  interrupt(): void {
    if (this.finished || this.draining) return;
    this.draining = true;
    this.timers.drop();
    this.checkIdle();
  }

  /** Hard stop after the grace period: abandon running steps (they run again elsewhere) and release the lease. */
  async abandon(): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    this.stopTimers();
    for (const controller of this.controllers)
      controller.abort(new DuroError("worker_stopped", "the worker stopped", { category: "internal" }));
    await this.journal.release().catch(() => undefined);
    this.settleOutcome({ runId: this.runId, status: "interrupted" });
  }

  private async yieldLease(): Promise<void> {
    this.finished = true;
    this.stopTimers();
    await this.journal.settled();
    await this.journal.flush();
    await this.journal.release({ status: "queued" });
    this.settleOutcome({ runId: this.runId, status: "interrupted" });
  }

  private onWorkflowReturned(output: unknown): void {
    if (this.finished) return;
    if (this.fatal) return this.fail(this.fatal);
    if (this.replayer.replaying) return this.diverge(this.replayer.unasked("nothing more: the code returned"));
    // The output is journaled with the ending; a value that cannot be is the run's failure.
    void this.journalValue(output, "output of the run")
      .then(({ stored }) => this.end({ type: "run_completed", output: stored ?? null }))
      .catch((error) => this.fail(error));
  }

  private onWorkflowThrew(error: unknown): void {
    if (this.finished) return;
    if (this.fatal !== undefined || isDuroError(error)) return this.fail(this.fatal ?? error);
    // A step's failure reaches the code as a DuroError; anything else was thrown by the workflow's own code (between
    // steps, or before the first), and saying "step_error" would send the user looking for a step that never ran.
    this.end({ type: "run_failed", error: { ...toErrorInfo(error), code: "workflow_error" } });
  }

  cancel(reason: string): void {
    if (this.finished) return;
    this.end({ type: "run_cancelled", reason });
  }

  /** Fails the run with `error`. */
  fail(error: unknown): void {
    this.end({ type: "run_failed", error: toErrorInfo(error) });
  }

  /** Ends the run with `terminal`. Not awaited: finish() never rejects, its own failure settles the outcome. */
  private end(terminal: Terminal): void {
    void this.finish(terminal);
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
      this.fail(
        new DuroError("run_timeout", `run ${this.runId} did not finish by its deadline ${new Date(deadline).toISOString()}`, {
          category: "limit",
          details: { deadline: new Date(deadline).toISOString() },
        }),
      );
    return this.timers.armDeadline(deadline, fail);
  }

  /** A cancellation with who asked for it (kept with the request in the runs index). */
  private async attributed(terminal: Extract<Terminal, { type: "run_cancelled" }>): Promise<Terminal> {
    const requested = (await this.deps.store.getRun(this.runId))?.cancelAttribution;
    return requested ? { ...terminal, ...requested } : terminal;
  }

  /** Journals the terminal event (with anything still buffered), hands a child's result to its parent, releases the lease. */
  private async finish(terminal: Terminal): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    this.stopTimers();
    for (const controller of this.controllers) controller.abort(new DuroError("run_ended", "the run ended", { category: "step" }));
    try {
      await this.journal.settled();
      if (terminal.type !== "run_completed") {
        // Open children are cancelled while the run can still be resumed: a process that dies after the terminal
        // commit would leave them for ever (nothing resumes an ended run), one that dies before it leaves a run that
        // finishes again and cancels again. The buffered starts are committed first, so every child is in the store.
        await this.journal.flush();
        await this.children.cancelOpen(terminal.type === "run_cancelled" ? terminal.reason : "parent failed");
        failpoint("before_run_ended", terminal.type);
      }
      this.journal.push(terminal.type === "run_cancelled" ? await this.attributed(terminal) : terminal);
      const commit: Partial<AppendCommit> = { release: true };
      if (this.state.parentRunId)
        commit.deliver = [{ eventKey: childKey(this.runId), payload: childResult(terminal), tenant: this.state.tenant }];
      await this.journal.flush(commit);
      failpoint("after_run_ended", terminal.type);
    } catch (error) {
      return this.failOutcome(error);
    }
    this.settleOutcome({ runId: this.runId, ...outcomeOf(terminal) });
  }

  /** The store refused a commit: lost lease or a conflicting consume. Nothing more is written. */
  stop(error: unknown): void {
    const wasFinished = this.finished;
    this.finished = true;
    this.stopTimers();
    for (const controller of this.controllers) controller.abort(error);
    if (isDuroError(error) && (error.code === "lease_lost" || error.code === "inbox_conflict")) {
      const status = error.code === "lease_lost" ? "lease_lost" : "conflict";
      // Not awaited, and a failure ignored: the lease would lapse anyway, a release only lets another worker in sooner.
      if (status === "conflict") void this.journal.release().catch(() => undefined);
      this.settleOutcome({ runId: this.runId, status, error: toErrorInfo(error) });
      return;
    }
    if (!wasFinished) this.failOutcome(error);
    else throw error;
  }

  /** A bug or a storage failure: stop writing and report; the lease expires and another invocation resumes. */
  crash(error: unknown): void {
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
  track(promise: Promise<unknown>): void {
    this.inFlight++;
    promise
      .catch((error) => {
        if (this.finished) return;
        if (isDuroError(error) && (error.code === "lease_lost" || error.code === "inbox_conflict")) return this.stop(error);
        if (isDuroError(error) && error.category === "storage") return this.crash(error);
        this.fail(error);
      })
      .finally(() => {
        this.inFlight--;
        this.checkIdle();
      });
  }

  private stopTimers(): void {
    this.timers.clear();
    this.journal.stopHeartbeat();
  }

  // ---------- idle ----------

  /** After the code has had a turn with nothing in flight and nothing to commit, the run is blocked: suspend it. */
  checkIdle(): void {
    // Both endings are awaited by nothing but the outcome; their failures crash the invocation.
    if (this.draining && !this.finished && this.inFlight === 0) return void this.yieldLease().catch((error) => this.crash(error));
    if (!this.isIdle()) return;
    setImmediate(() => {
      if (this.isIdle()) void this.suspend().catch((error) => this.crash(error));
    });
  }

  private isIdle(): boolean {
    return !this.finished && this.replayDone && this.inFlight === 0 && this.replayer.outstanding > 0 && this.journal.quiet;
  }

  private async suspend(): Promise<void> {
    this.finished = true;
    this.stopTimers();
    const wakeAt = this.timers.wakeAt(this.deadline());
    await this.journal.settled();
    await this.journal.flush({ status: "waiting", release: true, ...(wakeAt === undefined ? {} : { readyAt: wakeAt }) });
    for (const key of this.waits.open.keys()) failpoint("while_waiting", key);
    for (const key of this.timers.farKeys()) failpoint("while_waiting", key);
    this.settleOutcome({ runId: this.runId, status: "waiting", ...(wakeAt === undefined ? {} : { wakeAt }) });
  }
}

function outcomeOf(terminal: EventBody): Omit<InvocationOutcome, "runId"> {
  if (terminal.type === "run_completed") return { status: "completed", output: terminal.output };
  if (terminal.type === "run_failed") return { status: "failed", error: terminal.error };
  return { status: "cancelled" };
}
