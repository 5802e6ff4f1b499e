// Wakes event streams when this process journals events for a run (the engine's onEvents); streams also poll the
// store, so events written by workers in other processes arrive too, a poll interval later.
/** Waits on this id wake at a commit of any run. */
export const ANY_RUN = "*";

export class RunEventHub {
  /** Bumped at every publish; a stream notes it before reading so a commit between its read and its wait is not missed. */
  private readonly versions = new Map<string, number>();
  private readonly waiters = new Map<string, Set<() => void>>();

  /** Call with every committed batch (EngineOptions.onEvents). */
  readonly publish = (runId: string): void => {
    // Forgetting versions only causes a spurious wake-up (a stream reads once more), never a missed one.
    if (this.versions.size > 10_000) this.versions.clear();
    for (const id of [runId, ANY_RUN]) {
      this.versions.set(id, this.version(id) + 1);
      for (const wake of this.waiters.get(id) ?? []) wake();
    }
  };

  version(runId: string): number {
    return this.versions.get(runId) ?? 0;
  }

  /** Resolves when `runId` is published past version `seen`, after `ms`, or when `signal` aborts, whichever is first. */
  wait(runId: string, seen: number, ms: number, signal: AbortSignal): Promise<void> {
    if (this.version(runId) !== seen || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const set = this.waiters.get(runId) ?? new Set();
      this.waiters.set(runId, set);
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener("abort", done);
        set.delete(done);
        if (set.size === 0) this.waiters.delete(runId);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener("abort", done);
      set.add(done);
    });
  }
}
