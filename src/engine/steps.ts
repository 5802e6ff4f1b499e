// Steps, their retries and transactions. An attempt's start is committed before its function runs (so attempts are
// counted even when the process dies in one), its result is journaled before the code gets it, and a transaction's
// function runs inside the store transaction that journals its result.
import {
  DEFAULT_RETRY,
  DuroError,
  type EventBody,
  type OpRequest,
  type OpState,
  type RetryPolicy,
  retryDelayMs,
  type StepContext,
  type StepEvent,
  StepFailedError,
  type StepOptions,
  type TransactionClient,
  toErrorInfo,
  toMs,
} from "../core/index.js";
import { type AppendResult, transactionUnsupported } from "../store/index.js";
import { failpoint } from "./failpoints.js";
import type { JournalValue } from "./journal-values.js";
import type { RunScope } from "./run-scope.js";
import { StepAbort } from "./step-abort.js";

export class Steps {
  constructor(private readonly run: RunScope) {}

  /** A step call the journal has not settled: a first attempt, a retry that is due, or an orphaned attempt. */
  start(request: OpRequest): void {
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
    if (this.run.draining) return;
    this.run.journal.push({ type: "attempt_orphaned", key: request.key, attempt: op.attempts });
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
    this.run.journal.push({ type: "step_failed", key: request.key, attempt: op.attempts, error });
    this.run.deliveries.deliver(() => request.reject(new StepFailedError(request.key, error)));
  }

  private retryPolicy(request: OpRequest): RetryPolicy | undefined {
    return (request.args.options as StepOptions | undefined)?.retry ?? this.run.def.options.retry;
  }

  private attemptAt(request: OpRequest, attempt: number, dueAt: number): void {
    this.run.timers.at(request.key, dueAt, () => this.startAttempt(request, attempt));
  }

  /** Journals the attempt's start; the function runs once that is committed. */
  private startAttempt(request: OpRequest, attempt: number): void {
    if (this.run.draining) return;
    this.run.journal.push({ type: "step_started", key: request.key, attempt });
    this.run.inFlight++;
    this.run.journal.afterCommit(() => this.runAttempt(request, attempt));
  }

  private runAttempt(request: OpRequest, attempt: number): void {
    if (request.args.transactional === true) return this.runTransactionAttempt(request, attempt);
    const key = request.key;
    const { fn, options } = request.args as { fn: (s: StepContext) => unknown; options?: StepOptions };
    if (this.run.finished) {
      this.run.inFlight--;
      return;
    }
    failpoint("before_step", key);
    const controller = new StepAbort();
    this.run.controllers.add(controller);
    const stepContext = this.stepContext(key, attempt, controller);
    let result: Promise<unknown>;
    try {
      result = Promise.resolve(fn(stepContext));
    } catch (error) {
      result = Promise.reject(error);
    }
    failpoint("during_step", key);
    if (options?.timeout !== undefined) result = withTimeout(result, key, toMs(options.timeout), controller);
    result
      .then(
        (value) => this.succeeded(request, attempt, value),
        (error) => this.failed(request, attempt, error),
      )
      .catch((error) => this.run.crash(error))
      .finally(() => this.attemptEnded(controller));
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
    this.run.controllers.add(controller);
    const stepContext = this.stepContext(key, attempt, controller);
    let thrown: { error: unknown } | undefined;
    let returned: unknown;
    const work = async (tx: TransactionClient): Promise<EventBody[]> => {
      try {
        let result = Promise.resolve(fn(tx, stepContext));
        failpoint("during_step", key);
        if (options?.timeout !== undefined) result = withTimeout(result, key, toMs(options.timeout), controller);
        // Inline, never an artifact: the artifact store would need a write of its own while this one holds the lock.
        const journal = await this.run.journalValue(await result, `result of transaction "${key}"`);
        returned = journal.returned;
        failpoint("after_step_effect", key);
        return [{ type: "step_completed", key, ...(journal.stored === undefined ? {} : { result: journal.stored }) }];
      } catch (error) {
        thrown = { error };
        throw error;
      }
    };
    const commit = async () => {
      if (this.run.finished) return;
      failpoint("before_step", key);
      if (!this.run.journal.supportsTransactions) {
        return this.failed(request, attempt, transactionUnsupported("ctx.transaction"));
      }
      await this.run.journal.flush();
      if (this.run.finished) return;
      // Its result takes the next seq: results journaled while it commits come after it.
      const slot = this.run.deliveries.reserve();
      let result: AppendResult;
      try {
        result = await this.run.journal.transact(key, work);
      } catch (error) {
        this.run.deliveries.fill(slot, undefined);
        if (thrown && error === thrown.error) return this.failed(request, attempt, error);
        return this.run.stop(error);
      }
      failpoint("after_step_journaled", key);
      if (result.cancelRequested !== undefined && !this.run.finished) this.run.cancel(result.cancelRequested);
      this.run.deliveries.fill(slot, () => request.resolve(returned));
    };
    this.run.journal.inOrder(commit, () => this.attemptEnded(controller));
  }

  private attemptEnded(controller: StepAbort): void {
    this.run.controllers.delete(controller);
    this.run.inFlight--;
    this.run.checkIdle();
  }

  /** What a step's function receives; events it emits are journaled with the run's next commit. */
  private stepContext(key: string, attempt: number, controller: StepAbort): StepContext {
    return new LiveStepContext(this.run, key, attempt, controller);
  }

  private async succeeded(request: OpRequest, attempt: number, value: unknown): Promise<void> {
    failpoint("after_step_effect", request.key);
    if (this.run.finished) return;
    let journalValue: JournalValue;
    try {
      journalValue = await this.run.journalValue(value, `result of step "${request.key}"`, true);
    } catch (error) {
      return this.failed(request, attempt, error);
    }
    const { stored, ref, returned } = journalValue;
    if (this.run.finished) return;
    this.run.journal.push({
      type: "step_completed",
      key: request.key,
      ...(ref ? { resultRef: ref } : stored === undefined ? {} : { result: stored }),
    });
    this.run.journal.stepJournaled(request.key);
    this.run.deliveries.deliver(() => request.resolve(returned));
  }

  private failed(request: OpRequest, attempt: number, thrown: unknown): void {
    if (this.run.finished) return;
    const error = toErrorInfo(thrown);
    const delay = retryDelayMs(this.retryPolicy(request), attempt, error);
    if (delay === undefined) {
      this.run.journal.push({ type: "step_failed", key: request.key, attempt, error });
      this.run.deliveries.deliver(() => request.reject(new StepFailedError(request.key, error)));
      return;
    }
    const retryAt = this.run.deps.clock() + delay;
    this.run.journal.push({ type: "step_failed", key: request.key, attempt, error, retryAt: new Date(retryAt).toISOString() });
    this.attemptAt(request, attempt + 1, retryAt);
  }
}

/**
 * A class, not an object literal: a literal with a getter took about a microsecond to make (V8 defines the accessor
 * at run time), as much as the rest of a trivial step's bookkeeping.
 */
class LiveStepContext implements StepContext {
  readonly idempotencyKey: string;
  /** An own function, not a method: step code may pass it on detached. */
  readonly emit: (event: StepEvent) => void;
  readonly #controller: StepAbort;

  constructor(
    run: RunScope,
    key: string,
    readonly attempt: number,
    controller: StepAbort,
  ) {
    this.idempotencyKey = `${run.runId}:${key}`;
    this.#controller = controller;
    this.emit = (event) => {
      if (!run.finished) run.journal.push(event);
    };
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }
}

function withTimeout(result: Promise<unknown>, key: string, ms: number, controller: StepAbort): Promise<unknown> {
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
