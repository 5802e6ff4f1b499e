// Retention: deletes (and optionally archives first) ended runs past their age, then the artifacts no remaining run
// references, then inbox events nobody consumed, in bounded batches. Each batch is one short store transaction with a
// rest after it (paceBatches), so appends of running runs never wait long behind it; workers apply a policy
// periodically (RetentionLoop), one worker at a time via a maintenance lease.
import { type Duration, DuroError, toMs } from "../core/index.js";
import type { Maintenance, PruneRequest } from "../store/index.js";
import { type ArchiveSource, recordsOf, writeArchive } from "./archive.js";
import { failpoint } from "./failpoints.js";

export type PrunableStatus = PruneRequest["status"];
export const PRUNABLE_STATUSES: readonly PrunableStatus[] = ["completed", "failed", "cancelled"];

/** How long ended runs are kept, and how retention goes about deleting them. */
export interface RetentionPolicy {
  /** Completed runs last updated longer ago than this are pruned ("30d", or ms). default: kept */
  completed?: Duration;
  /** Failed runs last updated longer ago than this are pruned. default: kept */
  failed?: Duration;
  /** Cancelled runs last updated longer ago than this are pruned. default: kept */
  cancelled?: Duration;
  /**
   * Events (signals) delivered longer ago than this that no run consumed are deleted, unless a run waits on their key
   * now. An event sent for a run that will only wait on it later is lost once it expires. default: kept
   */
  events?: Duration;
  /** A directory: pruned runs are written there (gzipped JSONL, one file per batch) before they are deleted. default: none */
  archive?: string;
  /** Runs, or artifacts, per batch (one short transaction each). default 100 */
  batchSize?: number;
  /** Batches per status (and of artifacts) in one pass; the rest waits for the next pass. default 20 */
  maxBatches?: number;
  /**
   * An artifact no remaining run references is deleted once no run stored it for this long: a run storing the same
   * bytes right now is protected by it (see Store.collectArtifacts). default "1h"
   */
  artifactGrace?: Duration;
  /** How often a worker applies the policy. default "1m" */
  every?: Duration;
}

/** A policy as a worker applies it (EngineOptions.retention), with callbacks for each pass. */
export interface RetentionOptions extends RetentionPolicy {
  /** Sees each pass's report. */
  onPass?: (report: RetentionReport) => void;
  /** Sees a failed pass (the next pass tries again). default: logged to stderr */
  onError?: (error: unknown) => void;
}

/** What one pass deleted. */
export interface RetentionReport {
  pruned: Record<PrunableStatus, number>;
  artifacts: number;
  /** Unconsumed inbox events deleted. */
  events: number;
  /** Archive files written (with `archive`). */
  archives: string[];
}

export interface PruneBatchRequest extends Omit<PruneRequest, "runIds"> {
  /** Archive the batch into this directory before deleting it. */
  archive?: string;
  /** For the archive file's name and header. default Date.now */
  now?: number;
}

/**
 * Prunes one bounded batch and returns the ids deleted (oldest first). With `archive`, the batch is read, written to
 * an archive file and synced to disk first, and only the runs in that file are deleted; a failed write deletes nothing.
 */
export async function pruneBatch(
  store: Pick<Maintenance, "pruneRuns" | "findPrunable"> & ArchiveSource,
  request: PruneBatchRequest,
): Promise<{ pruned: string[]; archive?: string }> {
  const { archive, now, ...prune } = request;
  if (archive === undefined) return { pruned: await store.pruneRuns(prune) };
  const candidates = await store.findPrunable(prune);
  if (candidates.length === 0) return { pruned: [] };
  const records = await recordsOf(store, candidates);
  if (records.length === 0) return { pruned: [] };
  const file = await writeArchive(archive, records, now ?? Date.now());
  failpoint("after_archive", prune.status);
  const pruned = await store.pruneRuns({ ...prune, runIds: records.map((r) => r.run.id) });
  return { pruned, archive: file };
}

/** Applies a policy once: each status's batches, then unreferenced artifacts; at most `maxBatches` of each. */
export async function applyRetention(store: Maintenance & ArchiveSource, policy: RetentionPolicy, now: number): Promise<RetentionReport> {
  const limit = policy.batchSize ?? 100;
  const maxBatches = policy.maxBatches ?? 20;
  const report: RetentionReport = { pruned: { completed: 0, failed: 0, cancelled: 0 }, artifacts: 0, events: 0, archives: [] };
  for (const status of PRUNABLE_STATUSES) {
    const age = policy[status];
    if (age === undefined) continue;
    const before = now - toMs(age);
    report.pruned[status] = await paceBatches(
      async () => {
        const { pruned, archive } = await pruneBatch(store, {
          status,
          before,
          limit,
          now,
          ...(policy.archive === undefined ? {} : { archive: policy.archive }),
        });
        if (archive !== undefined) report.archives.push(archive);
        return pruned.length;
      },
      { limit, maxBatches },
    );
  }
  const before = now - toMs(policy.artifactGrace ?? "1h");
  report.artifacts = await paceBatches(async () => (await store.collectArtifacts({ before, limit })).length, { limit, maxBatches });
  if (policy.events !== undefined) {
    const eventsBefore = now - toMs(policy.events);
    report.events = await paceBatches(async () => (await store.expireInbox({ before: eventsBefore, limit })).length, {
      limit,
      maxBatches,
    });
  }
  return report;
}

/**
 * Runs `batch` (which returns how many items it handled) until a batch handles fewer than `limit` or `maxBatches` ran,
 * and returns the total. Between two batches it rests as long as the last one took, so retention holds the database
 * at most half the time. Without the rest, a pruner in another process (`duro runs prune`, or the worker holding the
 * retention lease beside other workers) takes SQLite's write lock again at once, and the workers' commits, whose busy
 * handler sleeps in growing steps, keep missing the moment it is free: a worker ran at a third of its speed while a
 * pruner without rests deleted 100,000 runs (npm run bench:scale).
 */
export async function paceBatches(
  batch: () => Promise<number>,
  { limit, maxBatches = Number.POSITIVE_INFINITY }: { limit: number; maxBatches?: number },
): Promise<number> {
  let total = 0;
  for (let done = 1; ; done++) {
    const started = performance.now();
    const handled = await batch();
    total += handled;
    if (handled < limit || done >= maxBatches) return total;
    await rest(performance.now() - started);
  }
}

/** A timer, not setImmediate: appends and claims queued in this process go first, and other processes get the lock. */
function rest(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(1, Math.ceil(ms))));
}

export interface RetentionLoopOptions {
  /** Identifies this worker in the maintenance lease. */
  owner: string;
  clock: () => number;
  /** Sees each pass's report. */
  onPass?: (report: RetentionReport) => void;
  /** Sees a failed pass (the next pass tries again). */
  onError?: (error: unknown) => void;
}

const LEASE_NAME = "retention";

/**
 * Applies a policy now and then every `policy.every` until stopped. Only the worker holding the "retention"
 * maintenance lease does a pass, so workers sharing a database do not prune the same runs at once; the lease lasts
 * three intervals, so another worker takes over when its holder dies.
 */
export class RetentionLoop {
  private timer: NodeJS.Timeout | undefined;
  private pass: Promise<void> | undefined;
  private stopped = false;
  private started = false;
  private readonly everyMs: number;

  constructor(
    private readonly store: Maintenance & ArchiveSource,
    private readonly policy: RetentionPolicy,
    private readonly options: RetentionLoopOptions,
  ) {
    checkPolicy(policy);
    this.everyMs = toMs(policy.every ?? "1m");
    this.schedule(0);
  }

  /**
   * Stops the loop after one pass at least: for a worker that only runs until idle (`duro worker --until-idle`, a
   * maintenance job), which may be done before the first pass was due.
   */
  async finish(): Promise<void> {
    if (!this.started && !this.stopped) {
      clearTimeout(this.timer);
      this.pass = this.runPass();
    }
    // Before stop(): a pass that sees the loop stopped gives up before it deletes anything.
    await this.pass;
    await this.stop();
  }

  /** Stops the loop; resolves once a pass in progress has finished (a pass is at most maxBatches batches a status). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.pass;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.pass = this.runPass().finally(() => this.schedule(this.everyMs));
    }, ms);
    this.timer.unref();
  }

  private async runPass(): Promise<void> {
    this.started = true;
    try {
      const held = await this.store.acquireMaintenanceLease({ name: LEASE_NAME, owner: this.options.owner, ttlMs: 3 * this.everyMs });
      if (!held || this.stopped) return;
      // Not inside onPass?.(…): optional chaining would skip the pass itself when nobody listens.
      const report = await applyRetention(this.store, this.policy, this.options.clock());
      this.options.onPass?.(report);
    } catch (error) {
      if (this.options.onError) this.options.onError(error);
      else console.error("duro retention:", error);
    }
  }
}

/** Checks a policy's durations and sizes up front, so a bad one fails where it is configured. */
export function checkPolicy(policy: RetentionPolicy): void {
  for (const status of PRUNABLE_STATUSES) if (policy[status] !== undefined) toMs(policy[status]);
  if (policy.artifactGrace !== undefined) toMs(policy.artifactGrace);
  if (policy.events !== undefined) toMs(policy.events);
  if (policy.every !== undefined && toMs(policy.every) <= 0) throw badPolicy(`"every" must be longer than 0 (got ${policy.every})`);
  for (const key of ["batchSize", "maxBatches"] as const) {
    const value = policy[key];
    if (value !== undefined && (!Number.isInteger(value) || value < 1)) throw badPolicy(`${key} must be a positive integer (got ${value})`);
  }
}

/** Parses `completed=30d,failed=90d,cancelled=30d,events=7d` (the worker's --retention flag). */
export function parseRetentionSpec(text: string): Pick<RetentionPolicy, PrunableStatus | "events"> {
  const policy: Pick<RetentionPolicy, PrunableStatus | "events"> = {};
  const names: readonly string[] = [...PRUNABLE_STATUSES, "events"];
  for (const part of text.split(",").map((p) => p.trim())) {
    const [name, age] = part.split("=");
    if (name === undefined || !names.includes(name) || age === undefined || age === "") {
      throw badPolicy(`"${part}" is not <status>=<age>; write e.g. completed=30d,failed=90d,events=7d (names: ${names.join(", ")})`);
    }
    toMs(age);
    policy[name as PrunableStatus | "events"] = age;
  }
  return policy;
}

function badPolicy(problem: string): DuroError {
  return new DuroError("invalid_retention", `invalid retention policy: ${problem}`, { category: "input" });
}
