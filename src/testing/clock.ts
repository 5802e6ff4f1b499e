// A clock for tests and mocks: frozen (time moves only when told) or accelerated (real pace, and every timer
// is skipped to at once), so that a run that sleeps three days finishes in a moment of real time.
import { type Duration, toMs } from "../core/index.js";
import type { Engine, RunRecord } from "../index.js";
import { TERMINAL_STATUSES } from "../store/index.js";

export interface MockClockOptions {
  /** "frozen": time stands still between jumps; "accelerated": it runs at real pace between jumps. default "frozen" */
  mode?: "frozen" | "accelerated";
  /** The starting time. default 2025-01-01T00:00:00Z when frozen, now when accelerated */
  start?: string | number | Date;
}

export class MockClock {
  private offset = 0;
  private readonly base: number;
  private readonly realStart = Date.now();

  constructor(private readonly options: MockClockOptions = {}) {
    const start = options.start ?? (options.mode === "accelerated" ? Date.now() : Date.UTC(2025, 0, 1));
    this.base = new Date(start).getTime();
  }

  /** The current time (epoch ms); pass `() => clock.now()` as an engine's clock. */
  now(): number {
    const real = this.options.mode === "accelerated" ? Date.now() - this.realStart : 0;
    return this.base + real + this.offset;
  }

  /** Moves time forward by a duration ("1h", "3d", or ms). */
  advance(duration: Duration): void {
    this.offset += toMs(duration);
  }

  /** Moves time forward to `time` (never back). */
  advanceTo(time: number): void {
    const ahead = time - this.now();
    if (ahead > 0) this.offset += ahead;
  }
}

/**
 * Executes a run until it ends or waits on something only the outside world can resolve (an event, an approval,
 * an answer), jumping `clock` over every timer on the way: sleeps, retries, timeouts.
 */
export async function settleSkippingTimers(
  engine: Engine,
  clock: MockClock,
  runId: string,
  /** Sees each jump (a mock hit of the clock). */
  onJump?: (from: number, to: number) => void,
): Promise<RunRecord> {
  for (;;) {
    const record = await engine.runUntilSettled(runId, { maxWaitMs: 0 });
    if (TERMINAL_STATUSES.has(record.status) || record.readyAt === undefined) return record;
    const from = clock.now();
    clock.advanceTo(record.readyAt);
    if (clock.now() > from) onJump?.(from, clock.now());
  }
}
