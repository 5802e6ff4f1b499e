// Keeps a worker's row in the live workers registry (Store.announceWorker): announced when the worker starts and again
// every third of its ttl, so two announcements may fail before it lapses; removed when the worker stops cleanly. A
// failed announcement is reported and retried at the next tick: it never stops the worker claiming runs.
import { DuroError } from "../core/index.js";
import type { WorkerInfo, Workers } from "../store/index.js";

export class Announcer {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** The announcement under way; stop() waits for it so the retirement is the last write. */
  private current: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: Pick<Workers, "announceWorker" | "retireWorker">,
    /** What to announce, read at every announcement (the active count changes). */
    private readonly info: () => WorkerInfo,
    /** How long an announcement lasts (ms). */
    private readonly ttlMs: number,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Announces now and then every ttl/3 until stop(). */
  start(): void {
    this.tick();
  }

  /** Stops announcing and removes the worker's row (a clean shutdown). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.current;
    const { id } = this.info();
    await this.store.retireWorker(id).catch((error: unknown) => this.onError(this.failure("retire", id, error)));
  }

  private tick(): void {
    if (this.stopped) return;
    const info = this.info();
    this.current = this.store
      .announceWorker(info, this.ttlMs)
      .catch((error: unknown) => this.onError(this.failure("announce", info.id, error)))
      .finally(() => {
        if (this.stopped) return;
        // The next announcement counts from the end of this one: a slow store never piles them up.
        this.timer = setTimeout(() => this.tick(), Math.max(1, Math.floor(this.ttlMs / 3)));
        this.timer.unref();
      });
  }

  private failure(action: "announce" | "retire", id: string, cause: unknown): DuroError {
    const message = cause instanceof Error ? cause.message : String(cause);
    const consequence =
      action === "announce"
        ? `it goes on claiming runs and announces again in ${Math.floor(this.ttlMs / 3)} ms; until one succeeds, duro workers list and duro versions may not show it`
        : `its row lapses by itself within ${this.ttlMs} ms`;
    return new DuroError(
      "worker_announce_failed",
      `worker ${id} could not ${action} itself in the live workers registry (${message}); ${consequence}`,
      {
        category: "storage",
        retryable: true,
        cause,
        details: { workerId: id, action },
      },
    );
  }
}
