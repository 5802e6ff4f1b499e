// Replay: matching the code's durable calls against the journal, handing settled results back in journal order,
// and the one non_determinism error for code that left its journal. Pure: the driver lends it the turns of time.
import { DuroError, NonDeterminismError } from "./errors.js";
import type { EventBody } from "./events.js";
import { stepKey } from "./ids.js";
import type { OpState, RunState } from "./state.js";

export type OpRequestKind = "step" | "sleep" | "event" | "approval" | "ask" | "tool" | "child" | "value";

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
  /** A bookmark or a domain event the journal does not hold yet: the executor journals it in its call's place. */
  mark(event: Extract<EventBody, { type: "bookmark" | "domain_event" }>): void;
  /** The code diverged from the journal; the run must fail even if the code catches the error. */
  diverged(error: NonDeterminismError): void;
}

/** What the driver lends `replay`: turns of the event loop for the code, and the settling of a journaled result. */
export interface ReplayTurns {
  /** Resolves after `delayMs` (0: after one macrotask), the code having run meanwhile. */
  pause(delayMs: number): Promise<void>;
  /** True once the invocation ended: nothing more is handed back. */
  stopped(): boolean;
  /** Settles the code's call with the journal's result for it. */
  settle(request: OpRequest, op: OpState): void;
}

/** Where the code left its journal: at a call (`position`), or past the end of its calls (position -1). */
interface Divergence {
  position: number;
  expected: string;
  requested: string;
}

/** The non_determinism error, the only place its message is written. */
export function divergenceError(runId: string, { position, expected, requested }: Divergence): NonDeterminismError {
  const atCall = position >= 0;
  const where = atCall ? ` at call ${position + 1}: the journal has "${expected}"` : `: the journal's next result is for "${expected}"`;
  return new NonDeterminismError(
    `run ${runId} diverged from its journal${where} but the code asked for ${atCall ? `"${requested}"` : requested}. ` +
      "The workflow's code changed while this run was in flight; give the new code a new `version` so old runs keep the old code" +
      (atCall ? ", or use a patch." : "."),
    { runId, position, expected, requested },
  );
}

/**
 * Matches the code's calls against the journal. Settled calls wait in `waitingForDelivery` until the driver hands them
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

  /**
   * Lets the code run until it asks for the journal's next settled result, and hands it back; false if it never does
   * (then the run diverged: see `unasked`). One macrotask is enough for code that awaits only durable calls; code
   * that also awaits something else (which it should not) gets about a second, since that verdict is final.
   */
  async deliverWhenAsked(turns: ReplayTurns): Promise<boolean> {
    for (let delayMs = 0; delayMs <= 512; delayMs = delayMs === 0 ? 1 : delayMs * 2) {
      await turns.pause(delayMs);
      if (turns.stopped()) return true;
      if (this.deliverNext(turns.settle)) return true;
    }
    return false;
  }

  /** The divergence of code that no longer asks for the journal's next settled result (`requested` says what it did). */
  unasked(requested: string): NonDeterminismError {
    const expected = this.peekDelivery() as OpState;
    return divergenceError(this.state.runId, { position: -1, expected: expected.key, requested });
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

  /** A bookmark: a journaled call like a value (it takes a position and is matched), holding only its name. */
  bookmark(name: string): void {
    const key = this.nextKey(`$bookmark:${checkedName(name, "bookmark", 'ctx.bookmark("after-research")')}`);
    const position = this.position++;
    const recorded = this.check(key, position, (error) => {
      throw error;
    });
    if (recorded) return;
    this.hooks.mark({ type: "bookmark", key, name });
  }

  /**
   * A domain event: journaled once per key and never matched, so adding or removing an emit does not make a run in
   * flight diverge. Its key counts the emits of that name; a replay finds it journaled and journals nothing.
   */
  emit(name: string, data: unknown): void {
    const key = this.nextKey(`$emit:${checkedName(name, "domain event", 'ctx.emit("order.shipped", { id })')}`);
    if (this.state.emitted.has(key)) return;
    this.hooks.mark({ type: "domain_event", key, name, data });
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
    const error = divergenceError(this.state.runId, { position, expected: recorded.key, requested: key });
    this.hooks.diverged(error);
    fail(error);
    return null;
  }
}

function patchName(name: string): string {
  return `$patch:${checkedName(name, "patch", 'ctx.patched("new-pricing")')}`;
}

function checkedName(name: unknown, what: string, example: string): string {
  if (typeof name !== "string" || name === "") {
    throw new DuroError("invalid_name", `a ${what} needs a non-empty name, e.g. ${example}`, { category: "definition" });
  }
  return name;
}
