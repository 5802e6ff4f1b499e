// A step's abort signal, made on first use. Most step functions never look at their signal, and an AbortController
// costs more than the rest of a trivial step's bookkeeping; aborting before the signal exists is remembered.

export class StepAbort {
  private controller: AbortController | undefined;
  private aborted: { reason: unknown } | undefined;

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.aborted) this.controller.abort(this.aborted.reason);
    }
    return this.controller.signal;
  }

  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = { reason };
    this.controller?.abort(reason);
  }
}
