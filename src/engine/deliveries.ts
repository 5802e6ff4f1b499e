// The hand-back of live results to the workflow code: one per turn of the event loop, in the order their settling
// events were journaled, exactly as a replay hands them back; so the code's next calls come in the same order live
// and on every replay.
import type { ActivityCount } from "./run-scope.js";

/** A place in the order; without `settle` it is reserved (a transaction whose commit places its result first). */
export interface DeliverySlot {
  settle?: () => void;
}

export class Deliveries {
  private readonly queue: DeliverySlot[] = [];
  private scheduled = false;
  private reacted: (() => void) | undefined;

  constructor(private readonly run: ActivityCount & { readonly finished: boolean }) {}

  /** The next result is ready to be handed over (a flush waits for it, so the calls it causes join the commit). */
  get ready(): boolean {
    return this.queue[0]?.settle !== undefined;
  }

  /**
   * Runs `fn` in the turn that hands the next result over, once the code has reacted to it; false (and `fn` is not
   * kept) when no result is ready. The journal writer commits there, so the calls the result causes join the commit
   * without waiting for another turn of the event loop.
   */
  afterNextDelivery(fn: () => void): boolean {
    if (!this.ready) return false;
    this.reacted = fn;
    return true;
  }

  /** Hands a live result to the code in its journal order. */
  deliver(settle: () => void): void {
    this.queue.push({ settle });
    this.run.inFlight++;
    this.schedule();
  }

  /** Takes the next place in the order before the result is known. */
  reserve(): DeliverySlot {
    const slot = {};
    this.queue.push(slot);
    this.run.inFlight++;
    return slot;
  }

  /** Fills a reserved slot, or gives it up (undefined) when the result will be delivered from elsewhere. */
  fill(slot: DeliverySlot, settle: (() => void) | undefined): void {
    if (settle) slot.settle = settle;
    else {
      this.queue.splice(this.queue.indexOf(slot), 1);
      this.run.inFlight--;
    }
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled || !this.queue[0]?.settle) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      const next = this.queue.shift();
      this.run.inFlight--;
      if (!this.run.finished) next?.settle?.();
      const reacted = this.reacted;
      this.reacted = undefined;
      // The code reacts in promise jobs, all run before the next tick; a tick queued from one of them runs after the
      // last (Node drains the microtask queue, then the ticks queued meanwhile), still in this turn.
      if (reacted) queueMicrotask(() => process.nextTick(reacted));
      this.schedule();
      this.run.checkIdle();
    });
  }
}
