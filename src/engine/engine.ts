// The Engine: registered workflows plus a store. Starts, inspects, signals, approves, answers and cancels
// runs, and executes them in this process (one run, or a worker loop over all runnable runs).
import { randomBytes, randomUUID } from "node:crypto";
import {
  type AnyWorkflowDefinition,
  type ApprovalDecision,
  type ContextExtension,
  DuroError,
  foldJournal,
  inputError,
  isWorkflowDefinition,
  type JournalEvent,
  type JournalGuard,
  newRunId,
  parseRunId,
  type QueueDefinition,
  type RunId,
  type SecretReader,
  toMs,
  validateWithSchema,
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
import { runConflict } from "./conflicts.js";
import { describeRun, type RunDetails } from "./describe.js";
import { type ExecutorDeps, executeRun, type InvocationOutcome } from "./executor.js";
import { injected } from "./failpoints.js";
import { thisProcess } from "./holder.js";
import { type QueueOverrides, QueueRegistry, queueFields } from "./queues.js";
import { versionMismatch, WorkflowRegistry } from "./registry.js";
import { checkPolicy, RetentionLoop, type RetentionOptions } from "./retention.js";
import type { ScheduleDefinition } from "./schedule.js";
import { Scheduler } from "./scheduler.js";
import { type LeaseNotice, type TakeoverContext, takeOverGone } from "./takeover.js";
import { Worker, type WorkerOptions } from "./worker.js";

export interface EngineOptions {
  store: Store;
  /** Workflows this engine can start and execute; more with `register`. */
  workflows?: AnyWorkflowDefinition[];
  /** Queues' limits, written to the store before this engine starts or claims runs (with those workflows define). */
  queues?: QueueDefinition[];
  /** Tenant of runs started here. default "default" */
  tenant?: string;
  /** How long a claim lasts without a heartbeat; a dead worker's runs are taken over after this. default 30_000 */
  leaseMs?: number;
  /** Timers and retries due within this many ms are awaited in-process instead of suspending. default 1_000 */
  inlineWaitMs?: number;
  /** Step results whose JSON is longer than this go to the artifact store. default 65_536 */
  artifactThreshold?: number;
  /** Identifies this process in leases. default `<hostname-less random id>` */
  workerId?: string;
  /**
   * Who this process is, recorded with every lease it takes, so that a process on the same machine can take its runs
   * over at once should it die (engine/holder.ts). default: this process (`thisProcess()`)
   */
  holder?: LeaseHolder;
  /** The engine's clock (epoch ms); tests pass a fake one. default Date.now */
  clock?: () => number;
  /** Sees every committed batch of events (live progress). */
  onEvents?: (runId: string, events: JournalEvent[]) => void;
  /** Schedules this engine's workers fire (their workflows are registered too); see `schedule()`. */
  schedules?: ScheduleDefinition<any>[];
  /** What `ctx.secrets.get` reads. default: the process environment */
  secrets?: SecretReader;
  /** Refuses secrets in what is journaled (inputs, results, errors, event payloads); see docs/dev-loop.md. default none */
  journalGuard?: JournalGuard;
  /**
   * Version pinning (docs/deploys.md): claim and execute only runs whose version this engine has code for, so old runs
   * finish on old code. true (default) pins the workflows that name their `version`; "all" also pins those versioned
   * by a hash of their source (any edit, or another build tool, then makes a new version that old runs never get);
   * false claims a registered workflow's runs in any version and executes them with their own version when
   * registered, else the newest, relying on replay's divergence check (`duro check` first).
   */
  versionPinning?: boolean | "all";
  /** Ended runs' retention, applied periodically by this engine's workers (one worker at a time); see docs/deploys.md. default none */
  retention?: RetentionOptions;
  /** Applied, in order, to every context this engine builds. default none here; createEngine (src/index.ts) adds agentToolkit first */
  extensions?: ContextExtension[];
}

export interface StartOptions extends QueueOverrides {
  /** Your own run id; starting twice with the same id returns the first run. */
  id?: string;
  /** Deduplicates starts: a second start with the same key returns the existing run. */
  idempotencyKey?: string;
  /** default: the engine's tenant */
  tenant?: string;
  /** The file that defines the workflow, recorded so that `duro resume` can load it. */
  source?: string;
  /** Facts about the run recorded in its run_created event (e.g. the pack it came from and its signature). */
  meta?: Record<string, unknown>;
  /** Starts this registered version of the workflow. default: the definition passed, else the newest registered version */
  version?: string;
  /**
   * Your open database transaction (a pg client after BEGIN, or a better-sqlite3 Database inside a transaction, on
   * the store's own database): the run is created in it and exists only if you commit.
   */
  tx?: unknown;
}

export interface RunHandle {
  id: string;
  /** false when the id or idempotency key already existed and that run was returned. */
  created: boolean;
  run: RunRecord;
}

export interface Decision {
  action: ApprovalDecision["action"];
  by?: string;
  comment?: string;
}

export interface SettleOptions extends ExecuteOptions {
  /** Keep executing through timers due within this many ms. default: the engine's inlineWaitMs */
  maxWaitMs?: number;
}

export interface ExecuteOptions {
  /**
   * Hears about a run found leased by another process: taken over at once (its holder was provably gone), or, with
   * runUntilSettled, waited for until the lease ends (`waiting`) or left to its holder (`left`).
   */
  onLease?: (notice: LeaseNotice) => void;
}

const ACTIONS = new Set(["approve", "reject", "abort"]);
/** How often runUntilSettled looks again at a run another process holds. */
const HELD_POLL_MS = 1_000;

export class Engine {
  readonly store: Store;
  readonly workerId: string;
  /** This process as recorded with its leases. */
  readonly holder: LeaseHolder;
  private readonly registry = new WorkflowRegistry();
  private readonly pinning: boolean | "all";
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
    this.deps = {
      store: this.store,
      clock: this.clock,
      random: Math.random,
      uuid: randomUUID,
      leaseMs: options.leaseMs ?? 30_000,
      inlineWaitMs: options.inlineWaitMs ?? 1_000,
      artifactThreshold: options.artifactThreshold ?? 65_536,
      workflow: (name, version) => this.definition(name, version),
      runChildInline: (childId) => this.runChildInline(childId),
      cancelRun: (runId, reason) => this.cancel(runId, reason).then(() => undefined),
      ready: () => this.saveQueues(),
      ...(options.onEvents ? { onEvents: options.onEvents } : {}),
      secrets: options.secrets ?? envSecrets,
      ...(options.journalGuard ? { journalGuard: options.journalGuard } : {}),
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

  /** Per registered workflow, its registered versions (oldest first). */
  workflowVersions(): WorkflowVersions {
    return this.registry.versions();
  }

  /** Starts a run (queued; a worker or `execute` runs it). Idempotent by id and by idempotency key. */
  async start<I, O>(workflow: WorkflowDefinition<I, O> | string, input: I, options: StartOptions = {}): Promise<RunHandle> {
    const def =
      typeof workflow === "string"
        ? this.resolve(workflow, options.version)
        : this.resolve(workflow.name, options.version, workflow.version);
    const checked = await validateInput(def, input);
    this.options.journalGuard?.check(checked, `input of workflow "${def.name}"`);
    this.options.journalGuard?.check(
      { id: options.id, idempotencyKey: options.idempotencyKey, meta: options.meta },
      `options of a run of workflow "${def.name}"`,
    );
    const now = this.clock();
    const id = options.id === undefined ? newRunId(now, randomBytes(16)) : parseRunId(options.id);
    const timeout = def.options.timeout;
    const queued = queueFields(def, checked, options);
    await this.saveQueues();
    const { run, created } = await this.store.createRun(
      {
        id,
        workflow: def.name,
        version: def.version,
        input: toJsonValue(checked, `input of workflow "${def.name}"`),
        tenant: options.tenant ?? this.tenant,
        options: {
          ...(timeout === undefined ? {} : { deadline: new Date(now + toMs(timeout)).toISOString() }),
          ...(options.source === undefined ? {} : { source: options.source }),
          ...(options.meta === undefined ? {} : { meta: options.meta }),
        },
        ...(options.idempotencyKey === undefined ? {} : { idempotencyKey: options.idempotencyKey }),
        ...queued,
      },
      options.tx === undefined ? {} : { tx: options.tx },
    );
    if (!created) {
      const [existing] = await this.store.read(run.id, 1);
      const conflict =
        existing?.type === "run_created" &&
        runConflict(existing, run.id, {
          workflow: def.name,
          input: toJsonValue(checked, `input of workflow "${def.name}"`),
          matchedBy: options.idempotencyKey !== undefined && options.id === undefined ? { idempotencyKey: options.idempotencyKey } : { id },
        });
      if (conflict) throw conflict;
    }
    this.nudgeWorkers();
    return { id: run.id, created, run };
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

  /** Sends an event to `eventKey`: the run waiting on it wakes; if none waits yet, the event is kept until one does. */
  async signal(
    eventKey: string,
    payload: unknown = null,
    options: { tenant?: string } = {},
  ): Promise<{ id: number; wokeRunIds: string[] }> {
    if (typeof eventKey !== "string" || eventKey.trim() === "")
      throw inputError("invalid_event_key", "an event key must be a non-empty string");
    if (eventKey.startsWith("duro:"))
      throw inputError("invalid_event_key", `event keys starting with "duro:" are reserved for approvals, answers and child runs`);
    this.options.journalGuard?.check({ eventKey }, "event key");
    this.options.journalGuard?.check(payload, `payload of event "${eventKey}"`);
    if (injected("drop_event", eventKey)) return { id: 0, wokeRunIds: [] };
    const result = await this.store.deliver({
      eventKey,
      payload: toJsonValue(payload, "event payload"),
      tenant: options.tenant ?? this.tenant,
    });
    this.nudgeWorkers();
    return result;
  }

  /** Records a decision on an approval the run is waiting for. `gate` may be left out when only one is open. */
  async approve(runId: string, gate: string | undefined, decision: Decision): Promise<OpenWait> {
    if (!ACTIONS.has(decision.action))
      throw inputError("invalid_action", `approval action must be approve, reject or abort, not "${decision.action}"`);
    const wait = await this.openWait(runId, "approval", gate);
    const payload = {
      action: decision.action,
      ...(decision.by ? { by: decision.by } : {}),
      ...(decision.comment ? { comment: decision.comment } : {}),
    };
    this.options.journalGuard?.check(payload, `decision on "${wait.gate}"`);
    await this.store.deliver({ eventKey: wait.eventKey as string, payload, tenant: wait.tenant });
    this.nudgeWorkers();
    return wait;
  }

  /** Answers a question the run asked with `ctx.ask`. */
  async answer(runId: string, name: string, value: unknown, options: { by?: string } = {}): Promise<OpenWait> {
    const wait = await this.openWait(runId, "ask", name);
    if (wait.choices && !wait.allowFreeText && !wait.choices.includes(value as string)) {
      throw inputError(
        "answer_invalid",
        `answer ${JSON.stringify(value)} to "${wait.gate}" is not one of the choices: ${wait.choices.map((c) => JSON.stringify(c)).join(", ")}`,
        {
          choices: wait.choices,
        },
      );
    }
    const payload = { value: toJsonValue(value, "answer"), ...(options.by ? { by: options.by } : {}) };
    this.options.journalGuard?.check(payload, `answer to "${wait.gate}"`);
    await this.store.deliver({ eventKey: wait.eventKey as string, payload, tenant: wait.tenant });
    this.nudgeWorkers();
    return wait;
  }

  /**
   * Cancels a run and its children. A waiting or queued run is cancelled here and now; a run executing
   * elsewhere stops at its next commit or heartbeat.
   */
  async cancel(runId: string, reason = "cancelled by request"): Promise<RunRecord> {
    this.options.journalGuard?.check({ reason }, "cancellation");
    await this.store.requestCancel(runId, reason);
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
    const lease = await this.claimOrTakeOver(runId, this.pinning ? { versions: this.pinnedVersions() } : {}, options.onLease);
    if (!lease) {
      if (this.pinning) await this.refuseOtherVersion(runId);
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
      this.pinning ? () => this.pinnedVersions() : undefined,
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
    if (!record || !this.definition(record.workflow, record.version)) return;
    await this.runUntilSettled(childId).catch(() => undefined);
  }

  /** The code a run of `name` at `version` executes on: that version; without pinning, else the newest. */
  private definition(name: string, version: string | undefined): WorkflowDefinition | undefined {
    const exact = version === undefined ? undefined : this.registry.exact(name, version);
    return exact ?? (version === undefined || !this.isPinned(name) ? this.registry.newest(name) : undefined);
  }

  /** Throws version_mismatch when the run is unfinished and this engine has its workflow but not its version. */
  private async refuseOtherVersion(runId: string): Promise<void> {
    const record = await this.store.getRun(runId);
    if (!record || TERMINAL_STATUSES.has(record.status) || this.registry.exact(record.workflow, record.version)) return;
    const held = this.pinnedVersions()[record.workflow];
    if (held) throw versionMismatch(record, held);
  }

  /** Per workflow, the versions this engine's claims are limited to (none without pinning). */
  private pinnedVersions(): WorkflowVersions {
    return this.pinning ? this.registry.pinned(this.pinning === "all") : {};
  }

  private isPinned(name: string): boolean {
    return Object.hasOwn(this.pinnedVersions(), name);
  }

  /** The definition a start uses: `version` exactly when asked for, else `preferred` if registered, else the newest. */
  private resolve(name: string, version?: string, preferred?: string): WorkflowDefinition {
    if (version !== undefined) return this.exactly(name, version);
    const def = (preferred === undefined ? undefined : this.registry.exact(name, preferred)) ?? this.registry.newest(name);
    if (def) return def;
    const known = this.workflowNames();
    throw inputError(
      "workflow_not_found",
      `no workflow named "${name}"; ${known.length ? `known workflows: ${known.join(", ")}` : "no workflow is registered"}`,
      { workflow: name, known },
    );
  }

  private exactly(name: string, version: string): WorkflowDefinition {
    const def = this.registry.exact(name, version);
    if (def) return def;
    const held = this.registry.versions()[name];
    if (!held) return this.resolve(name);
    throw inputError(
      "version_not_found",
      `workflow "${name}" has no registered version "${version}"; registered: ${held.map((v) => `"${v}"`).join(", ")}`,
      { workflow: name, version, known: [...held] },
    );
  }

  private async mustGet(runId: string): Promise<RunRecord> {
    const record = await this.store.getRun(runId);
    if (!record) throw inputError("run_not_found", `no run with id "${runId}"; list runs with \`duro runs list\``, { runId });
    return record;
  }

  /** The open wait of `kind` named `name` (or the only one), or a not_waiting error that says what the run is doing. */
  private async openWait(runId: string, kind: "approval" | "ask", name: string | undefined): Promise<OpenWait & { tenant: string }> {
    const record = await this.mustGet(runId);
    const waits = (await this.store.openWaits({ runId })).filter((w) => w.kind === kind);
    const noun = kind === "approval" ? "approval" : "an answer";
    const matching = name === undefined ? waits : waits.filter((w) => w.gate === name || w.key === name);
    if (matching.length === 1) return this.undecided({ ...(matching[0] as OpenWait), tenant: record.tenant }, runId);
    if (matching.length > 1 || (name === undefined && waits.length > 1)) {
      throw inputError(
        "gate_required",
        `run ${runId} waits for several ${kind === "approval" ? "approvals" : "answers"}: ${waits.map((w) => w.gate).join(", ")}; name one`,
        {
          runId,
          open: waits.map((w) => w.gate),
        },
      );
    }
    const what = name === undefined ? noun : `${noun} "${name}"`;
    const open = waits.length ? `; it waits for: ${waits.map((w) => w.gate).join(", ")}` : "";
    throw inputError(
      "not_waiting",
      `run ${runId} is not waiting for ${what} (it is ${record.status}${open}); ${kind === "approval" ? "approvals" : "answers"} are only accepted while a run waits on that ${kind === "approval" ? "gate" : "question"}`,
      { runId, status: record.status, open: waits.map((w) => w.gate) },
    );
  }

  /** Refuses a second decision or answer while the first is still on its way to the run. */
  private async undecided(wait: OpenWait & { tenant: string }, runId: string): Promise<OpenWait & { tenant: string }> {
    const pending = await this.store.peekInbox(wait.eventKey as string, wait.tenant);
    if (!pending) return wait;
    throw inputError(
      "already_decided",
      `run ${runId} already has ${wait.kind === "approval" ? "a decision" : "an answer"} for "${wait.gate}" that it has not taken yet; it takes it when a worker picks the run up (duro resume ${runId})`,
      { runId, gate: wait.gate },
    );
  }

  private nudgeWorkers(): void {
    for (const worker of this.workers) worker.nudge();
  }
}

/** Checks a run's input against the workflow's schema; returns the schema's output or throws `input_invalid`. */
export async function validateInput<I>(def: WorkflowDefinition<I, unknown>, input: unknown): Promise<I> {
  if (!def.options.input) return input as I;
  return (await validateWithSchema(def.options.input, input, "input_invalid", `input of workflow "${def.name}"`)) as I;
}

/** Creates an engine over a store; see EngineOptions. */
export function createEngine(options: EngineOptions): Engine {
  return new Engine(options);
}

function toJsonValue(value: unknown, what: string): unknown {
  if (value === undefined) return null;
  try {
    return JSON.parse(JSON.stringify(value));
  } catch (error) {
    throw inputError("not_json", `${what} must be plain JSON: ${(error as Error).message}`);
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
