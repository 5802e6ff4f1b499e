// The Engine: registered workflows plus a store. Starts, inspects, signals, approves, answers and cancels
// runs, and executes them in this process (one run, or a worker loop over all runnable runs).
import { randomBytes, randomUUID } from "node:crypto";
import {
  type AnyWorkflowDefinition,
  DuroError,
  foldJournal,
  inputError,
  isWorkflowDefinition,
  type JournalEvent,
  type RunId,
  type SecretReader,
  type WorkflowDefinition,
} from "../core/index.js";
import {
  type ClaimRunOptions,
  type Lease,
  type LeaseHolder,
  type OpenWait,
  type RunFilter,
  type RunPage,
  type RunRecord,
  type Store,
  TERMINAL_STATUSES,
  type WorkflowVersions,
} from "../store/index.js";
import { Definitions } from "./definitions.js";
import { describeRun, type RunDetails } from "./describe.js";
import type { EngineOptions, ExecuteOptions, SettleOptions } from "./engine-options.js";
import { type ExecutorDeps, executeRun, type InvocationOutcome } from "./executor.js";
import { injected } from "./failpoints.js";
import { thisProcess } from "./holder.js";
import {
  answerPayload,
  attributionFrom,
  checkEventKey,
  type Decision,
  decisionPayload,
  openWait,
  type SendOptions,
  type TenantWait,
} from "./messages.js";
import { listPending, type PendingQuery, type PendingWait } from "./pending.js";
import { QueueRegistry } from "./queues.js";
import { WorkflowRegistry } from "./registry.js";
import { checkPolicy, RetentionLoop, type RetentionOptions } from "./retention.js";
import { Scheduler } from "./scheduler.js";
import { type RunHandle, type StartContext, type StartOptions, startRun, toJsonValue, validateInput } from "./start.js";
import { type LeaseNotice, type TakeoverContext, takeOverGone } from "./takeover.js";
import { openToolCall, type ToolOutcomeInput, toolOutcomePayload } from "./tool-calls.js";
import { Worker, type WorkerOptions } from "./worker.js";

/** How often runUntilSettled looks again at a run another process holds. */
const HELD_POLL_MS = 1_000;

export class Engine {
  readonly store: Store;
  readonly workerId: string;
  /** This process as recorded with its leases. */
  readonly holder: LeaseHolder;
  private readonly registry = new WorkflowRegistry();
  private readonly pinning: boolean | "all";
  private readonly definitions: Definitions;
  private readonly tenant: string;
  private readonly clock: () => number;
  private readonly deps: ExecutorDeps;
  private readonly workers = new Set<Worker>();
  private readonly retentionLoops = new Set<RetentionLoop>();
  private readonly queues = new QueueRegistry();
  /** Set once the queues' limits are in the store; cleared when a registration adds a queue. */
  private queuesSaved: Promise<void> | undefined;
  /** The schedules: fire due ones, list, pause, resume. */
  readonly schedules: Scheduler;

  constructor(private readonly options: EngineOptions) {
    this.store = options.store;
    this.tenant = options.tenant ?? "default";
    this.clock = options.clock ?? Date.now;
    this.workerId = options.workerId ?? `w_${randomBytes(6).toString("hex")}`;
    this.holder = options.holder ?? thisProcess();
    this.pinning = options.versionPinning ?? true;
    this.definitions = new Definitions(this.registry, this.pinning);
    this.deps = {
      store: this.store,
      clock: this.clock,
      random: Math.random,
      uuid: randomUUID,
      leaseMs: options.leaseMs ?? 30_000,
      inlineWaitMs: options.inlineWaitMs ?? 1_000,
      artifactThreshold: options.artifactThreshold ?? 65_536,
      workflow: (name, version) => this.definitions.forRun(name, version),
      runChildInline: (childId) => this.runChildInline(childId),
      cancelRun: (runId, reason) => this.cancel(runId, reason).then(() => undefined),
      ready: () => this.saveQueues(),
      ...(options.onEvents ? { onEvents: options.onEvents } : {}),
      secrets: options.secrets ?? envSecrets,
      ...(options.journalGuard ? { journalGuard: options.journalGuard } : {}),
      ...(options.extensions ? { extensions: options.extensions } : {}),
      ...(options.extensions ? { extensions: options.extensions } : {}),
    };
    if (options.retention) checkPolicy(options.retention);
    for (const def of options.queues ?? []) this.queues.add(def);
    for (const def of options.workflows ?? []) this.register(def);
    this.schedules = new Scheduler({
      store: this.store,
      clock: this.clock,
      tenant: this.tenant,
      workflow: (name) => this.registry.newest(name),
      validate: validateInput,
    });
    for (const def of options.schedules ?? []) {
      this.register(def.workflow);
      this.schedules.register(def);
    }
  }

  /**
   * Adds workflows this engine can start and execute. Several versions of one name may be registered (old runs finish
   * on their version, `start` uses the one registered last); the same name and version twice is `duplicate_workflow`.
   */
  register(...definitions: AnyWorkflowDefinition[]): this {
    for (const def of definitions) {
      if (!isWorkflowDefinition(def))
        throw new DuroError("invalid_workflow", "register() takes workflow definitions made with workflow()", { category: "definition" });
      this.registry.add(def as WorkflowDefinition);
      if (this.queues.addFromWorkflow(def as WorkflowDefinition)) this.queuesSaved = undefined;
    }
    return this;
  }

  /** Names of the registered workflows. */
  workflowNames(): string[] {
    return this.registry.names();
  }

  /** The definition `start` would use for `name` (its newest registered version), if registered. */
  workflowDefinition(name: string): AnyWorkflowDefinition | undefined {
    return this.registry.newest(name);
  }

  /** Per registered workflow, its registered versions (oldest first). */
  workflowVersions(): WorkflowVersions {
    return this.registry.versions();
  }

  /** Starts a run (queued; a worker or `execute` runs it). Idempotent by id and by idempotency key. */
  async start<I, O>(workflow: WorkflowDefinition<I, O> | string, input: I, options: StartOptions = {}): Promise<RunHandle> {
    const def =
      typeof workflow === "string"
        ? this.definitions.forStart(workflow, options.version)
        : this.definitions.forStart(workflow.name, options.version, workflow.version);
    const handle = await startRun(this.startContext(), def, input, options);
    this.nudgeWorkers();
    return handle;
  }

  /** A run's record and the fold of its journal: status, input, output or error, steps, open waits. */
  async get(runId: string): Promise<RunDetails> {
    const record = await this.mustGet(runId);
    const events = await this.store.read(runId);
    return describeRun(record, foldJournal(runId, events));
  }

  async list(filter?: RunFilter): Promise<RunPage> {
    return this.store.listRuns(filter);
  }

  /** The run's journal. */
  async events(runId: string, fromSeq?: number): Promise<JournalEvent[]> {
    await this.mustGet(runId);
    return this.store.read(runId, fromSeq);
  }

  /**
   * Sends an event to `eventKey`: the run waiting on it wakes; if none waits yet, the event is kept until one does.
   * Who sent it (options.actor, keyId, traceparent) is journaled with the `wait_resolved` that takes it.
   */
  async signal(
    eventKey: string,
    payload: unknown = null,
    options: { tenant?: string } & SendOptions = {},
  ): Promise<{ id: number; wokeRunIds: string[] }> {
    checkEventKey(eventKey);
    const attribution = attributionFrom(options, `event "${eventKey}"`);
    this.options.journalGuard?.check({ eventKey }, "event key");
    this.options.journalGuard?.check(payload, `payload of event "${eventKey}"`);
    if (injected("drop_event", eventKey)) return { id: 0, wokeRunIds: [] };
    const result = await this.store.deliver({
      eventKey,
      payload: toJsonValue(payload, "event payload"),
      tenant: options.tenant ?? this.tenant,
      ...(attribution ? { attribution } : {}),
    });
    this.nudgeWorkers();
    return result;
  }

  /**
   * Records a decision on an approval the run is waiting for. `gate` may be left out when only one is open. Who decided
   * (options) is journaled with the `wait_resolved` that takes the decision.
   */
  async approve(runId: string, gate: string | undefined, decision: Decision, options: SendOptions = {}): Promise<OpenWait> {
    const payload = decisionPayload(decision);
    const attribution = attributionFrom(options, `the decision on run ${runId}`);
    const wait = await this.openWait(runId, "approval", gate);
    this.options.journalGuard?.check(payload, `decision on "${wait.gate}"`);
    await this.store.deliver({ eventKey: wait.eventKey as string, payload, tenant: wait.tenant, ...(attribution ? { attribution } : {}) });
    this.nudgeWorkers();
    return wait;
  }

  /** Answers a question the run asked with `ctx.ask`; who answered (options) is journaled with its `wait_resolved`. */
  async answer(runId: string, name: string, value: unknown, options: { by?: string } & SendOptions = {}): Promise<OpenWait> {
    const attribution = attributionFrom(options, `the answer to run ${runId}`);
    const wait = await this.openWait(runId, "ask", name);
    const payload = answerPayload(wait, value, options.by);
    this.options.journalGuard?.check(payload, `answer to "${wait.gate}"`);
    await this.store.deliver({ eventKey: wait.eventKey as string, payload, tenant: wait.tenant, ...(attribution ? { attribution } : {}) });
    this.nudgeWorkers();
    return wait;
  }

  /**
   * Posts the outcome of an external tool call the run waits on (`callId`: the model's id for the call). Throws
   * `tool_call_unknown` for a call the run never made and `tool_call_answered` for one that has its result.
   */
  async toolResult(runId: string, callId: string, outcome: ToolOutcomeInput): Promise<OpenWait> {
    const payload = toolOutcomePayload(outcome);
    const wait = await openToolCall(this.store, await this.mustGet(runId), callId);
    this.options.journalGuard?.check(payload, `result of tool call "${callId}"`);
    await this.store.deliver({ eventKey: wait.eventKey as string, payload, tenant: wait.tenant });
    this.nudgeWorkers();
    return wait;
  }

  /** Open approvals, questions and external tool calls of one waiting run, or of a tenant's waiting runs. */
  pending(query: PendingQuery = {}): Promise<PendingWait[]> {
    return listPending(this.store, { ...query, defaultTenant: this.tenant });
  }

  /**
   * Cancels a run and its children. A waiting or queued run is cancelled here and now; a run executing
   * elsewhere stops at its next commit or heartbeat. Who asked (options) is journaled with `run_cancelled`.
   */
  async cancel(runId: string, reason = "cancelled by request", options: SendOptions = {}): Promise<RunRecord> {
    this.options.journalGuard?.check({ reason }, "cancellation");
    const attribution = attributionFrom(options, `the cancellation of run ${runId}`);
    await this.store.requestCancel(runId, reason, attribution);
    const lease = await this.claimOrTakeOver(runId, {});
    if (lease) await executeRun(this.deps, lease).outcome;
    return this.mustGet(runId);
  }

  /**
   * Executes one run in this process until it ends or blocks; undefined if someone else holds it or it ended.
   * Throws `version_mismatch` when version pinning is on and this engine lacks the run's version of its workflow.
   */
  async execute(runId: string, options: ExecuteOptions = {}): Promise<InvocationOutcome | undefined> {
    await this.saveQueues();
    const lease = await this.claimOrTakeOver(runId, this.pinning ? { versions: this.definitions.pinned() } : {}, options.onLease);
    if (!lease) {
      if (this.pinning) await this.definitions.refuseOtherVersion(this.store, runId);
      return undefined;
    }
    return executeRun(this.deps, lease).outcome;
  }

  /**
   * Executes a run until it completes, fails, is cancelled, or waits on something not due within `maxWaitMs`
   * (a person, an event, a long timer). Returns the run's record at that point.
   */
  async runUntilSettled(runId: string, options: SettleOptions = {}): Promise<RunRecord> {
    const maxWaitMs = options.maxWaitMs ?? this.deps.inlineWaitMs;
    const told = new Set<string>();
    for (;;) {
      let held: LeaseNotice | undefined;
      await this.execute(runId, {
        onLease: (notice) => {
          if (notice.action === "taken_over") options.onLease?.(notice);
          else held = notice;
        },
      });
      const record = await this.mustGet(runId);
      if (TERMINAL_STATUSES.has(record.status)) return record;
      // A waiting run's readyAt is its next timer; a run leased elsewhere has its lease expiry there.
      const due = record.readyAt;
      const waits = due !== undefined && due - this.clock() <= maxWaitMs;
      // Said once per holder, not at every heartbeat of a live one.
      if (held && !told.has(held.lease.workerId)) {
        told.add(held.lease.workerId);
        options.onLease?.({ ...held, action: waits ? "waiting" : "left" });
      }
      if (!waits) return record;
      // A live holder may finish or let go long before its lease would expire: look again soon.
      const pause = due - this.clock();
      await sleep(Math.max(0, held ? Math.min(pause, HELD_POLL_MS) : pause));
    }
  }

  /** Starts a worker loop in this process; see WorkerOptions. */
  runWorker(options: WorkerOptions = {}): Worker {
    const worker = new Worker(
      this.deps,
      { workerId: this.workerId, holder: this.holder, ...options },
      () => this.workflowNames(),
      this.schedules,
      this.pinning ? () => this.definitions.pinned() : undefined,
      () => this.registry.versions(),
    );
    this.workers.add(worker);
    void worker.done.finally(() => this.workers.delete(worker));
    if (this.options.retention) this.startRetention(worker, this.options.retention, options.untilIdle === true);
    return worker;
  }

  /** Stops workers (gracefully) and closes the store. */
  async close(): Promise<void> {
    await Promise.all([...this.workers].map((w) => w.stop()));
    await Promise.all([...this.retentionLoops].map((l) => l.stop()));
    await this.store.close();
  }

  /** Applies the retention policy while `worker` runs (retention.ts). */
  private startRetention(worker: Worker, retention: RetentionOptions, untilIdle: boolean): void {
    const { onPass, onError, ...policy } = retention;
    const loop = new RetentionLoop(this.store, policy, {
      owner: this.workerId,
      clock: this.clock,
      ...(onPass ? { onPass } : {}),
      ...(onError ? { onError } : {}),
    });
    this.retentionLoops.add(loop);
    // A worker that runs until idle may be done before the first pass was due: it applies the policy once on the way out.
    void worker.done.finally(() => (untilIdle ? loop.finish() : loop.stop()).finally(() => this.retentionLoops.delete(loop)));
  }

  /**
   * Leases `runId` for this engine; when another process holds it and that process is provably gone (on this
   * machine), breaks its lease and claims the run at once instead of waiting for the lease to expire.
   */
  private async claimOrTakeOver(
    runId: string,
    options: ClaimRunOptions,
    onLease?: (notice: LeaseNotice) => void,
  ): Promise<Lease | undefined> {
    const claim = () => this.store.claimRun(runId, this.workerId, this.deps.leaseMs, { ...options, holder: this.holder });
    const lease = await claim();
    if (lease) return lease;
    const [notice] = await takeOverGone(this.takeoverContext(), { runId });
    if (notice === undefined) return undefined;
    onLease?.(notice);
    return notice.action === "taken_over" ? claim() : undefined;
  }

  private startContext(): StartContext {
    const { store, clock, tenant } = this;
    return { store, clock, tenant, journalGuard: this.options.journalGuard, saveQueues: () => this.saveQueues() };
  }

  private takeoverContext(): TakeoverContext {
    return { store: this.store, self: this.holder };
  }

  /** Writes the queues' limits to the store once (again after a registration adds a queue), before any claim. */
  private saveQueues(): Promise<void> {
    this.queuesSaved ??= this.store.configureQueues(this.queues.configs()).catch((error: unknown) => {
      this.queuesSaved = undefined;
      throw error;
    });
    return this.queuesSaved;
  }

  private async runChildInline(childId: string): Promise<void> {
    const record = await this.store.getRun(childId);
    if (!record || !this.definitions.forRun(record.workflow, record.version)) return;
    await this.runUntilSettled(childId).catch(() => undefined);
  }

  private async openWait(runId: string, kind: "approval" | "ask", name: string | undefined): Promise<TenantWait> {
    return openWait(this.store, runId, await this.mustGet(runId), kind, name);
  }

  private async mustGet(runId: string): Promise<RunRecord> {
    const record = await this.store.getRun(runId);
    if (!record) throw inputError("run_not_found", `no run with id "${runId}"; list runs with \`duro runs list\``, { runId });
    return record;
  }

  private nudgeWorkers(): void {
    for (const worker of this.workers) worker.nudge();
  }
}

/** Secrets from the process environment: `ctx.secrets.get("STRIPE_KEY")` reads $STRIPE_KEY. */
const envSecrets: SecretReader = {
  get(name) {
    const value = process.env[name];
    if (value === undefined || value === "")
      throw inputError(
        "secret_not_found",
        `secret "${name}" is not set; set the environment variable ${name} or configure a secrets provider`,
        {
          secret: name,
        },
      );
    return value;
  },
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export type { RunId };
/** Kept here for the modules that import it from the engine (fork.ts). */
export { validateInput };
