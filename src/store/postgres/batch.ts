// Group commit for the PostgreSQL store: appends and lease releases of any runs go to the server together, as one
// call of append_batch (migration 2 in schema.ts): one round trip, one transaction and one WAL flush for all of
// them. Every item is checked on its own and a refused item writes nothing, so batching never changes an outcome.
// If the statement as a whole fails, the items are sent again one by one, so that only the one at fault sees the
// error.
import type { EventBody } from "../../core/index.js";
import { type EncodedEvent, toJson } from "../event-codec.js";
import type { Lease, RunStatus } from "../store.js";
import { nextReadyAt } from "../transitions.js";
import { pgDriver } from "./driver.js";

/** One append, or one release (no events, no seq check), as the store asks for it. */
export interface AppendRequest {
  runId: string;
  lease: Lease;
  /** The seq the journal must end at; undefined for a release, which checks the lease only. */
  expectedSeq: number | undefined;
  events: EncodedEvent[];
  /** How the events change the waits index, in journal order. */
  waits: WaitChange[];
  /** The status the events end the run with. */
  terminal: RunStatus | undefined;
  /** Leaving `running` without ending (suspend or release), and the readyAt asked for. */
  stop: "waiting" | "queued" | undefined;
  readyAt: number | undefined;
  consume: number[];
  deliver: Array<{ eventKey: string; tenant: string; payload: string }>;
}

/** `n` is the event's position in the append (1-based): the wait's seq is expectedSeq + n. */
export type WaitChange =
  | { op: "start"; key: string; n: number; kind: string; eventKey: string | null; spec: string }
  | { op: "resolve"; key: string; n: number };

/** The row append_batch returns for one item (see the function's comment for what each outcome carries). */
export interface AppendRow {
  outcome: "ok" | "run_not_found" | "lease_lost" | "inbox_conflict";
  head: number | null;
  cancel: string | null;
  run_status: RunStatus | null;
  run_owner: string | null;
  run_epoch: number | null;
  run_ready_at: number | null;
  conflict_id: number | null;
}

/** An item's row and the `now` its batch was checked at (the fence's error message names it). */
export interface AppendOutcome {
  row: AppendRow;
  now: number;
}

/** Sends one batch: the statement to use and its parameters; resolves with one row per request, in order. */
export type SendBatch = (statement: "appendBatch" | "appendSteps", params: unknown[]) => Promise<AppendRow[]>;

/** The waits index changes of an append's events. */
export function waitChanges(events: EventBody[]): WaitChange[] {
  const changes: WaitChange[] = [];
  for (const [i, event] of events.entries()) {
    if (event.type === "wait_started") {
      const { type: _type, key, ...spec } = event;
      changes.push({ op: "start", key, n: i + 1, kind: spec.kind, eventKey: spec.eventKey ?? null, spec: toJson(spec, "a wait") });
    } else if (event.type === "wait_resolved") {
      changes.push({ op: "resolve", key: event.key, n: i + 1 });
    }
  }
  return changes;
}

/**
 * Whether an append is a plain step append (events only, within the lease): what a lone run sends at every step, and
 * what append_steps does without append_batch's jsonb and branches.
 */
export function isPlainAppend(request: AppendRequest): boolean {
  return (
    request.expectedSeq !== undefined &&
    request.events.length > 0 &&
    request.waits.length === 0 &&
    request.terminal === undefined &&
    request.stop === undefined &&
    request.consume.length === 0 &&
    request.deliver.length === 0
  );
}

/** The appendSteps statement's parameters for one plain append (isPlainAppend). */
export function stepsParams(request: AppendRequest, now: number): unknown[] {
  const { lease } = request;
  return [
    now,
    request.runId,
    lease.runId,
    lease.workerId,
    lease.epoch,
    request.expectedSeq,
    request.events.map((e) => e.type),
    request.events.map((e) => e.data),
  ];
}

/** The appendBatch statement's parameters: schema, now, items (jsonb), their run ids, suspending run ids, event keys to lock. */
export function batchParams(schema: string, requests: AppendRequest[], now: number): unknown[] {
  const suspending: string[] = [];
  const keys = new Set<string>();
  for (const request of requests) {
    if (request.stop === "waiting") {
      suspending.push(request.runId);
      for (const change of request.waits) if (change.op === "start" && change.eventKey !== null) keys.add(change.eventKey);
    }
    for (const delivery of request.deliver) keys.add(delivery.eventKey);
  }
  const runIds = requests.map((r) => r.runId);
  return [schema, now, JSON.stringify(requests.map((r) => toItem(r, now))), runIds, suspending, [...keys]];
}

function toItem(request: AppendRequest, now: number) {
  const { stop, readyAt } = request;
  return {
    runId: request.runId,
    leaseRunId: request.lease.runId,
    workerId: request.lease.workerId,
    epoch: request.lease.epoch,
    expectedSeq: request.expectedSeq ?? null,
    events: request.events.map((e) => [e.type, e.data]),
    waits: request.waits,
    terminal: request.terminal ?? null,
    stop: stop ?? null,
    // The readiness rule stays in transitions.ts: the server only picks one of the two, once it knows whether the
    // run must wake at once.
    readyAt: stop === undefined ? null : (nextReadyAt(stop, readyAt, false, now) ?? null),
    readyIfWoken: stop === undefined ? null : nextReadyAt(stop, readyAt, true, now),
    consume: request.consume,
    deliver: request.deliver,
  };
}

interface Pending {
  request: AppendRequest;
  resolve: (outcome: AppendOutcome) => void;
  reject: (error: unknown) => void;
}

/**
 * A commit pipeline: one batch in flight at a time; what is submitted meanwhile waits and goes in the next batch.
 * A lone run never waits (nothing else is in flight), and runs that append together settle together and keep
 * sharing batches. Fewer, fuller statements are what a busy worker needs: on a small machine each round trip costs
 * more CPU (on both sides) than the work in it, and that CPU is what bounds throughput.
 */
export class AppendBatcher {
  private queue: Pending[] = [];
  private inFlight: Promise<void> | undefined;

  constructor(
    private readonly schema: string,
    private readonly clock: () => number,
    private readonly send: SendBatch,
  ) {}

  /** Queues an append for the next batch. */
  submit(request: AppendRequest): Promise<AppendOutcome> {
    return new Promise<AppendOutcome>((resolve, reject) => {
      this.queue.push({ request, resolve, reject });
      // setImmediate, not a microtask: executors of different runs each append from their own macrotask, and only
      // the check phase after all of them sees their appends together.
      if (this.queue.length === 1) setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    if (this.inFlight || this.queue.length === 0) return;
    const batch = this.queue;
    this.queue = [];
    this.inFlight = this.commit(batch).finally(() => {
      this.inFlight = undefined;
      // Two check phases later, not at once: the first lets the executors this batch answered run on (a trivial
      // step completes there) and schedule their next commit, the second sees those appends queued, so they
      // join the others instead of going alone and making everyone wait behind them.
      setImmediate(() => setImmediate(() => this.flush()));
    });
  }

  private async commit(batch: Pending[]): Promise<void> {
    // Leases are judged at the time the batch is sent. A lock wait inside (another writer of the same run, rare) can
    // make that a little early, which never lets a stale writer through: whoever took the run over meanwhile bumped
    // its lease epoch, and append_batch reads the run only once it holds the lock.
    const now = this.clock();
    let rows: AppendRow[];
    try {
      const [lone] = batch;
      rows =
        batch.length === 1 && lone && isPlainAppend(lone.request)
          ? await this.send("appendSteps", stepsParams(lone.request, now))
          : await this.send(
              "appendBatch",
              batchParams(
                this.schema,
                batch.map((p) => p.request),
                now,
              ),
            );
    } catch (error) {
      if (batch.length > 1 && rolledBack(error)) {
        for (const pending of batch) await this.commit([pending]);
        return;
      }
      for (const pending of batch) pending.reject(error);
      return;
    }
    for (const [i, pending] of batch.entries()) {
      const row = rows[i];
      if (row) pending.resolve({ row, now });
      else pending.reject(new Error(`append_batch returned ${rows.length} rows for ${batch.length} items`));
    }
  }
}

/**
 * Whether the server refused the statement, which rolled its transaction back: nothing of the batch was written and
 * sending the items again is safe. A lost connection leaves that unknown, so those errors go to every caller.
 */
function rolledBack(error: unknown): boolean {
  return error instanceof pgDriver().DatabaseError;
}
