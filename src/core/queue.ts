// Queues: flow control shared by every worker of a database. A run that names a queue waits (status queued)
// until the queue admits it; admission is decided in the store, inside the claiming transaction, so limits
// hold across processes and machines. Once admitted, a run holds its slot until it ends, waits included.
import { type Duration, toMs } from "./duration.js";
import { definitionError } from "./errors.js";

export interface QueueOptions {
  /** At most this many runs of the queue admitted and not yet finished, across all workers. default: no limit */
  concurrency?: number;
  /** At most this many of them per concurrency key (a run's `concurrencyKey`, e.g. a customer id). default: no limit */
  keyConcurrency?: number;
  /** At most `limit` admissions per `period` (a sliding window), across all workers. default: no limit */
  rateLimit?: { limit: number; period: Duration };
}

const QUEUE_BRAND = Symbol.for("duro.queue");

export interface QueueDefinition {
  readonly [QUEUE_BRAND]: true;
  readonly name: string;
  readonly options: QueueOptions;
}

/** The limits as the store keeps them. */
export interface QueueConfig {
  name: string;
  concurrency?: number;
  keyConcurrency?: number;
  rateLimit?: { limit: number; periodMs: number };
}

/** Defines a queue: `queue("emails", { concurrency: 10, keyConcurrency: 2, rateLimit: { limit: 100, period: "1m" } })`. */
export function queue(name: string, options: QueueOptions = {}): QueueDefinition {
  checkQueueName(name);
  for (const field of ["concurrency", "keyConcurrency"] as const) {
    const value = options[field];
    if (value !== undefined && !isPositiveInt(value))
      throw definitionError("invalid_queue", `queue "${name}": ${field} must be a positive integer, not ${JSON.stringify(value)}`);
  }
  if (options.rateLimit !== undefined) {
    if (!isPositiveInt(options.rateLimit.limit))
      throw definitionError("invalid_queue", `queue "${name}": rateLimit.limit must be a positive integer (admissions per period)`);
    toMs(options.rateLimit.period);
  }
  return Object.freeze({ [QUEUE_BRAND]: true as const, name, options: Object.freeze({ ...options }) });
}

export function isQueueDefinition(value: unknown): value is QueueDefinition {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[QUEUE_BRAND] === true;
}

export function checkQueueName(name: unknown): asserts name is string {
  if (typeof name !== "string" || !/^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,127}$/.test(name)) {
    throw definitionError("invalid_queue", `queue name ${JSON.stringify(name)} is invalid; use letters, digits, "_", ".", ":", "/" or "-"`);
  }
}

export function queueConfig(def: QueueDefinition): QueueConfig {
  const { concurrency, keyConcurrency, rateLimit } = def.options;
  return {
    name: def.name,
    ...(concurrency === undefined ? {} : { concurrency }),
    ...(keyConcurrency === undefined ? {} : { keyConcurrency }),
    ...(rateLimit === undefined ? {} : { rateLimit: { limit: rateLimit.limit, periodMs: toMs(rateLimit.period) } }),
  };
}

/** A run waiting for admission, as the planner sees it. */
export interface AdmissionCandidate {
  pk: number;
  concurrencyKey: string | null;
}

/** What the store counted for one queue, after taking the queue's admission lock. */
export interface QueueLoad {
  /** Admitted runs that have not finished. */
  active: number;
  /** Admissions inside the rate-limit window. */
  startedInWindow: number;
  /** Admitted unfinished runs per concurrency key, for the candidates' keys. */
  activeByKey: ReadonlyMap<string, number>;
}

/**
 * Which candidates (given in priority order) to admit now, at most `room` of them: the queue's free slots and
 * rate allowance bound the number; a candidate whose key is full is skipped, so one busy customer does not
 * hold up the others behind it.
 */
export function planAdmission(config: QueueConfig, load: QueueLoad, candidates: AdmissionCandidate[], room: number): AdmissionCandidate[] {
  let free = Math.min(room, freeSlots(config, load));
  const byKey = new Map(load.activeByKey);
  const admitted: AdmissionCandidate[] = [];
  for (const candidate of candidates) {
    if (free <= 0) break;
    const key = candidate.concurrencyKey;
    if (config.keyConcurrency !== undefined && key !== null) {
      const active = byKey.get(key) ?? 0;
      if (active >= config.keyConcurrency) continue;
      byKey.set(key, active + 1);
    }
    admitted.push(candidate);
    free--;
  }
  return admitted;
}

/** How many more runs the queue may admit now, ignoring keys. */
export function freeSlots(config: QueueConfig, load: Pick<QueueLoad, "active" | "startedInWindow">): number {
  const byConcurrency = config.concurrency === undefined ? Number.POSITIVE_INFINITY : config.concurrency - load.active;
  const byRate = config.rateLimit === undefined ? Number.POSITIVE_INFINITY : config.rateLimit.limit - load.startedInWindow;
  return Math.max(0, Math.min(byConcurrency, byRate));
}

/** How many candidates a claim reads past the free slots, to find runs whose keys are not full. */
export const ADMISSION_LOOKAHEAD = 100;

function isPositiveInt(value: unknown): boolean {
  return typeof value === "number" && Number.isInteger(value) && value > 0;
}
