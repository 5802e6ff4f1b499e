// The worker loop: claim runnable runs (new, due, woken, or abandoned by a dead worker), execute them up to
// a concurrency limit, and on stop let running steps finish within a grace period before releasing leases.
import { hostname } from "node:os";
import type { LeaseHolder, WorkerInfo, WorkflowVersions } from "../store/index.js";
import { Announcer } from "./announce.js";
import { type ExecutorDeps, executeRun, type InvocationOutcome, type RunningInvocation } from "./executor.js";
import { holderState } from "./holder.js";
import { type LeaseNotice, takeOverGoneOnThisHost } from "./takeover.js";

/**
 * Runs one worker executes at once unless told otherwise. A run mostly waits (on its commits, on the APIs its steps
 * call), so a handful per process leaves the machine idle; a waiting run (sleep, event, approval) holds no slot.
 */
export const DEFAULT_WORKER_CONCURRENCY = 16;

export interface WorkerOptions {
  /** Runs executed at once. default DEFAULT_WORKER_CONCURRENCY (16) */
  concurrency?: number;
  /** Longest sleep between claims when idle (ms); deliveries in this process wake it sooner. default 200 */
  pollMs?: number;
  /** Return once nothing is runnable or due within the next second. default false */
  untilIdle?: boolean;
  /** On stop, how long running steps may take to finish before their leases are released anyway (ms). default 10_000 */
  graceMs?: number;
  workerId?: string;
  /** Sees each invocation's outcome. */
  onOutcome?: (outcome: InvocationOutcome) => void;
  /** Sees errors of invocations (storage failures, bugs); the lease expires and the run resumes elsewhere. */
  onError?: (error: unknown, runId: string | undefined) => void;
  /**
   * Hears about runs of its workflows leased by other processes: those it took over because their holder was provably
   * gone (`taken_over`), and, when it stops because it is idle, those it leaves to their holders (`left`).
   */
  onLease?: (notice: LeaseNotice) => void;
  /**
   * How long this worker's entry in the live workers registry (`duro workers list`) lasts unless renewed (ms); it is
   * renewed every third of that, and removed on a clean stop. default the engine's leaseMs (30_000)
   */
  announceMs?: number;
}

const IDLE_HORIZON_MS = 1_000;
/** Looks for leases of dead processes on this machine at most this often (and at start), in lease lengths. */
const TAKEOVER_SCANS_PER_LEASE = 3;
const MAX_BACKOFF_MS = 5_000;

export class Worker {
  /** Settles when the loop has ended and every lease it held is released. */
  readonly done: Promise<void>;
  private readonly active = new Map<string, RunningInvocation>();
  private readonly holder: LeaseHolder | undefined;
  private stopping = false;
  /** A nudge that comes while the loop is claiming, not sleeping, must not be lost. */
  private nudged = false;
  private wake: (() => void) | undefined;
  private readonly options: Required<Omit<WorkerOptions, "onOutcome" | "onError" | "announceMs" | "onLease">> & WorkerOptions;
  private readonly startedAt: number;
  /** When this worker last looked for leases of dead processes (epoch ms). */
  private scannedAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly deps: ExecutorDeps,
    options: WorkerOptions & { workerId: string; holder?: LeaseHolder },
    private readonly workflows: () => string[],
    /** Fires due schedules; resolves with the next fire time (epoch ms), if any. */
    private readonly schedules?: { tick(): Promise<number | undefined> },
    /** Version pinning: per workflow, the versions this worker has code for (it claims runs of those only). */
    private readonly versions?: () => WorkflowVersions,
    /** Per workflow, every version registered: what this worker announces it holds. default the pinned versions */
    private readonly held?: () => WorkflowVersions,
  ) {
    this.holder = options.holder;
    this.options = { concurrency: DEFAULT_WORKER_CONCURRENCY, pollMs: 200, untilIdle: false, graceMs: 10_000, ...options };
    this.startedAt = deps.clock();
    this.done = this.loop();
  }

  /** Claims again right away (something became runnable in this process). */
  nudge(): void {
    this.nudged = true;
    this.wake?.();
  }

  /** Stops claiming; running steps get `graceMs` to finish and commit; then leases are released. */
  async stop(): Promise<void> {
    if (!this.stopping) {
      this.stopping = true;
      this.nudge();
    }
    await this.done;
  }

  private async loop(): Promise<void> {
    const { concurrency, pollMs, untilIdle, workerId } = this.options;
    // Notifications only shorten the wait between polls; without them (or if they fail) polling carries on.
    const unsubscribe = await this.deps.store.subscribe?.(() => this.nudge()).catch(() => undefined);
    const announcer = new Announcer(
      this.deps.store,
      () => this.announcement(),
      this.options.announceMs ?? this.deps.leaseMs,
      (error) => this.reportError(error, undefined),
    );
    announcer.start();
    try {
      await this.claimUntilStopped(concurrency, pollMs, untilIdle, workerId);
    } finally {
      await unsubscribe?.().catch(() => undefined);
    }
    // Retired only once every lease is released: until then the worker still holds runs.
    await this.drain().finally(() => announcer.stop());
  }

  /** What this worker tells the live workers registry about itself. */
  private announcement(): WorkerInfo {
    const pinned = this.versions?.();
    const workflows = this.held?.() ?? pinned ?? {};
    const names = this.workflows();
    return {
      id: this.options.workerId,
      host: hostname(),
      pid: process.pid,
      startedAt: this.startedAt,
      workflows: Object.fromEntries(names.map((name) => [name, [...(workflows[name] ?? [])]])),
      pinned: pinned !== undefined,
      anyVersion: pinned === undefined ? [] : names.filter((name) => !Object.hasOwn(pinned, name)),
      concurrency: this.options.concurrency,
      active: this.active.size,
    };
  }

  private async claimUntilStopped(concurrency: number, pollMs: number, untilIdle: boolean, workerId: string): Promise<void> {
    let failures = 0;
    while (!this.stopping) {
      try {
        await this.deps.ready?.();
        this.nudged = false;
        // A schedule that cannot fire (its input no longer validates) must not stop the worker claiming runs.
        const nextFire = await this.schedules?.tick().catch((error: unknown) => void this.reportError(error, undefined));
        const free = concurrency - this.active.size;
        if (free > 0) await this.takeOverDead();
        const leases =
          free > 0
            ? await this.deps.store.claim({
                workerId,
                limit: free,
                leaseMs: this.deps.leaseMs,
                workflows: this.workflows(),
                ...this.pinned(),
                ...(this.holder ? { holder: this.holder } : {}),
              })
            : [];
        failures = 0;
        for (const lease of leases) this.launch(lease);
        if (leases.length > 0 && leases.length === free) continue;
        if (untilIdle && this.active.size === 0 && leases.length === 0 && (await this.nothingDueSoon(nextFire))) {
          await this.tellLeft();
          break;
        }
        await this.idle(Math.max(1, Math.min(pollMs, (nextFire ?? Number.POSITIVE_INFINITY) - this.deps.clock())));
      } catch (error) {
        // The database is down or busy: report it, back off, and carry on; runs are safe in their journals.
        failures++;
        this.reportError(error, undefined);
        await this.pause(Math.min(pollMs * 2 ** failures, MAX_BACKOFF_MS));
      }
    }
  }

  /**
   * Breaks the leases that processes on this machine, now provably gone, hold on runs of this worker's workflows, so
   * that the claim that follows takes them over at once instead of after their leases expire. At start and then every
   * third of a lease: a dead process's runs wait at most that long, and a busy worker does not query at every claim.
   */
  private async takeOverDead(): Promise<void> {
    if (this.holder === undefined || this.deps.clock() - this.scannedAt < this.deps.leaseMs / TAKEOVER_SCANS_PER_LEASE) return;
    this.scannedAt = this.deps.clock();
    const context = { store: this.deps.store, self: this.holder };
    for (const notice of await takeOverGoneOnThisHost(context, { workflows: this.workflows() })) {
      if (notice.action === "taken_over") this.options.onLease?.(notice);
    }
  }

  /** On an idle stop: says which runs of its workflows other processes still hold, and that it leaves them to them. */
  private async tellLeft(): Promise<void> {
    const { onLease } = this.options;
    if (!onLease) return;
    const holder = this.holder;
    for (const lease of await this.deps.store.heldLeases({ workflows: this.workflows() })) {
      const sameHost = holder?.hostId !== undefined && lease.holder?.hostId === holder.hostId;
      const state = holder ? holderState(lease.holder, holder) : "unknown";
      onLease({ lease, state, sameHost, action: "left" });
    }
  }

  private reportError(error: unknown, runId: string | undefined): void {
    if (this.options.onError) this.options.onError(error, runId);
    else console.error(`duro worker${runId ? `: run ${runId}` : ""}:`, error);
  }

  private launch(lease: Parameters<typeof executeRun>[1]): void {
    const invocation = executeRun(this.deps, lease);
    this.active.set(lease.runId, invocation);
    invocation.outcome
      .then(
        (outcome) => this.options.onOutcome?.(outcome),
        (error) => this.reportError(error, lease.runId),
      )
      .finally(() => {
        this.active.delete(lease.runId);
        this.nudge();
      });
  }

  private async nothingDueSoon(nextFire: number | undefined): Promise<boolean> {
    if (nextFire !== undefined && nextFire - this.deps.clock() <= IDLE_HORIZON_MS) return false;
    const next = await this.deps.store.nextReadyAt(this.workflows(), this.versions?.());
    return next === undefined || next - this.deps.clock() > IDLE_HORIZON_MS;
  }

  /** Sleeps until a run finishes, a nudge, the next due time, or the poll interval, whichever is first. */
  private async idle(pollMs: number): Promise<void> {
    const next =
      this.active.size < this.options.concurrency ? await this.deps.store.nextReadyAt(this.workflows(), this.versions?.()) : undefined;
    const untilDue = next === undefined ? pollMs : Math.max(1, Math.min(pollMs, next - this.deps.clock()));
    await this.pause(untilDue);
  }

  private pinned(): { versions?: WorkflowVersions } {
    return this.versions ? { versions: this.versions() } : {};
  }

  /** Waits `ms`, or less if nudged. */
  private async pause(ms: number): Promise<void> {
    if (this.nudged) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.wake = undefined;
  }

  private async drain(): Promise<void> {
    const running = [...this.active.values()];
    for (const invocation of running) invocation.interrupt();
    const settled = Promise.allSettled(running.map((i) => i.outcome));
    const grace = new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), this.options.graceMs).unref());
    if ((await Promise.race([settled, grace])) === "timeout") {
      await Promise.all(running.map((i) => i.abandon()));
    }
  }
}
