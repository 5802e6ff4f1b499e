// The timers of one invocation: those due soon are awaited in-process (and count as work in flight), later ones are
// only noted, for the run to be suspended with the earliest as its wake time.
import type { ActivityCount } from "./run-scope.js";

type TimerHandle = ReturnType<typeof setTimeout>;

export class Timers {
  private readonly inline = new Set<TimerHandle>();
  /** Timers too far off to await here: key → due time (epoch ms). */
  private readonly far = new Map<string, number>();

  constructor(
    private readonly run: ActivityCount & { readonly finished: boolean },
    private readonly clock: () => number,
    private readonly inlineWaitMs: number,
  ) {}

  /** Runs `fire` at `dueAt`: now, after an in-process timer, or by suspending the run until then. */
  at(key: string, dueAt: number, fire: () => void): void {
    const delay = dueAt - this.clock();
    if (delay <= 0) return fire();
    if (delay > this.inlineWaitMs) {
      this.far.set(key, dueAt);
      return;
    }
    this.run.inFlight++;
    const timer = setTimeout(() => {
      this.inline.delete(timer);
      this.run.inFlight--;
      if (!this.run.finished) fire();
      this.run.checkIdle();
    }, delay);
    this.inline.add(timer);
  }

  /**
   * Fires `fail` now (true) if the run's deadline has passed, else arms it as a timer that is not work in flight (it
   * does not keep the run from suspending), if the deadline is within a timer's reach.
   */
  armDeadline(deadline: number, fail: () => void): boolean {
    const delay = deadline - this.clock();
    if (delay <= 0) {
      fail();
      return true;
    }
    if (delay <= 2 ** 31 - 1) {
      const timer = setTimeout(fail, delay);
      timer.unref();
      this.inline.add(timer);
    }
    return false;
  }

  /**
   * Drops the in-process timers of a draining invocation, each counted out of the work in flight. The deadline's is
   * counted out too although it never counted in, so a drain under a deadline timer waits for the grace period.
   */
  drop(): void {
    for (const timer of this.inline) {
      clearTimeout(timer);
      this.run.inFlight--;
    }
    this.inline.clear();
  }

  clear(): void {
    for (const timer of this.inline) clearTimeout(timer);
    this.inline.clear();
  }

  /** The keys waiting on a far timer. */
  farKeys(): IterableIterator<string> {
    return this.far.keys();
  }

  /** The earliest far timer or `also` (the deadline), if any: when a suspended run must wake. */
  wakeAt(also: number | undefined): number | undefined {
    const dues = [...this.far.values(), ...(also === undefined ? [] : [also])];
    return dues.length > 0 ? Math.min(...dues) : undefined;
  }
}
