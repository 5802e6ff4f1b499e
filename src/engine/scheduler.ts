// The engine's schedules: keeps the store's definitions in step with the code, fires due schedules (each fire time
// exactly once across workers: the store moves next_fire_at conditionally, in the transaction that creates the
// runs, whose ids derive from the fire time), and lists, pauses and resumes them.
import { DuroError, inputError, type RunOptions, type WorkflowDefinition } from "../core/index.js";
import type { NewRun, RunStatus, Runs, ScheduleRecord, Schedules } from "../store/index.js";
import { queueFields } from "./queues.js";
import { nextFireAfter, planFire, type ScheduleDefinition, scheduledRunId } from "./schedule.js";
import { packVerified, runDeadline } from "./start.js";

export interface SchedulerDeps {
  store: Schedules & Pick<Runs, "getRun">;
  clock: () => number;
  /** Tenant of the runs schedules start. */
  tenant: string;
  workflow(name: string): WorkflowDefinition | undefined;
  /** Checks an input against a workflow's schema (the engine's validateInput). */
  validate(def: WorkflowDefinition, input: unknown): Promise<unknown>;
}

/** One run a fire started (or found already started: `created` false). */
export interface FiredRun {
  schedule: string;
  /** The fire time, ISO. */
  fireAt: string;
  runId: string;
  created: boolean;
}

/** A schedule as `duro schedules list` shows it: its record and its last run's status. */
export interface ScheduleView extends ScheduleRecord {
  lastRunStatus?: RunStatus;
}

/** How often a worker re-reads the schedules even when none is due (to see pauses, resumes and other workers' fires). */
const REFRESH_MS = 1_000;

export class Scheduler {
  private readonly definitions = new Map<string, ScheduleDefinition>();
  private synced: Promise<void> | undefined;
  /** The earliest next fire among this engine's active schedules, as last read; undefined when unknown. */
  private earliest: number | undefined;
  private checkedAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly deps: SchedulerDeps) {}

  /** Adds schedules this engine fires (their workflows must be registered with the engine). */
  register(...definitions: ScheduleDefinition[]): void {
    for (const def of definitions) {
      const existing = this.definitions.get(def.name);
      if (existing && existing !== def) {
        throw new DuroError("duplicate_schedule", `two different schedules are named "${def.name}"; give each a unique name`, {
          category: "definition",
        });
      }
      this.definitions.set(def.name, def);
      this.synced = undefined;
    }
  }

  /** Names of the schedules this engine fires. */
  names(): string[] {
    return [...this.definitions.keys()];
  }

  /**
   * Writes this engine's schedule definitions to the store. A new schedule first fires after now (never for times
   * before it existed); a changed cron or time zone recomputes the next fire; otherwise the next fire is kept.
   */
  sync(): Promise<void> {
    this.synced = this.upsertAll().catch((error: unknown) => {
      this.synced = undefined;
      throw error;
    });
    return this.synced;
  }

  /** Fires every due schedule of this engine (catch-up policy applied) and returns the runs it started. */
  async fireDue(): Promise<FiredRun[]> {
    await (this.synced ?? this.sync());
    const now = this.deps.clock();
    const fired: FiredRun[] = [];
    let earliest: number | undefined;
    for (const record of await this.deps.store.listSchedules()) {
      if (!this.definitions.has(record.name) || record.paused) continue;
      const next = record.nextFireAt <= now ? await this.fire(record, now, fired) : record.nextFireAt;
      if (next !== undefined) earliest = Math.min(earliest ?? next, next);
    }
    this.earliest = earliest;
    this.checkedAt = now;
    return fired;
  }

  private async upsertAll(): Promise<void> {
    const now = this.deps.clock();
    // Every input is checked before any schedule is written: a bad one registers none.
    const defs = [...this.definitions.values()];
    const inputs = await Promise.all(defs.map((def) => this.deps.validate(def.workflow as WorkflowDefinition, def.input)));
    for (const [i, def] of defs.entries()) {
      const input = inputs[i];
      await this.deps.store.upsertSchedule({
        name: def.name,
        cron: def.cron,
        timezone: def.timezone,
        workflow: def.workflow.name,
        input: input ?? null,
        catchUp: def.catchUp,
        maxCatchUp: def.maxCatchUp,
        nextFireAt: nextFireAfter(def, now),
      });
    }
  }

  /**
   * For the worker loop: fires due schedules when one may be due (or the last look is over a second old) and
   * returns the earliest next fire, which bounds the worker's sleep. Undefined when this engine has no schedule.
   */
  async tick(): Promise<number | undefined> {
    if (this.definitions.size === 0) return undefined;
    const now = this.deps.clock();
    if (this.earliest === undefined || now >= this.earliest || now - this.checkedAt >= REFRESH_MS) await this.fireDue();
    return this.earliest;
  }

  /** Every schedule in the store (also those no registered code fires), with its last run's status. */
  async list(): Promise<ScheduleView[]> {
    const views: ScheduleView[] = [];
    for (const record of await this.deps.store.listSchedules()) {
      const last = record.lastRunId === undefined ? undefined : await this.deps.store.getRun(record.lastRunId);
      views.push(last ? { ...record, lastRunStatus: last.status } : record);
    }
    return views;
  }

  /** Stops a schedule from firing until it is resumed. */
  async pause(name: string): Promise<ScheduleRecord> {
    return this.mustExist(name, await this.deps.store.setSchedulePaused(name, true));
  }

  /** Resumes a paused schedule; its next fire is the first after now (fire times during the pause are skipped). */
  async resume(name: string): Promise<ScheduleRecord> {
    const record = (await this.deps.store.listSchedules()).find((s) => s.name === name);
    const nextFireAt = record && nextFireAfter(record, this.deps.clock());
    return this.mustExist(name, await this.deps.store.setSchedulePaused(name, false, nextFireAt));
  }

  /** Fires one due schedule; returns its next fire, or undefined when another worker fired it first. */
  private async fire(record: ScheduleRecord, now: number, fired: FiredRun[]): Promise<number | undefined> {
    const def = this.deps.workflow(record.workflow);
    if (!def) return undefined;
    const plan = planFire(record, now);
    const runs = plan.fireTimes.map((at) => this.scheduledRun(def, record, at, now));
    const result = await this.deps.store.fireSchedule({
      name: record.name,
      expectedNextFireAt: record.nextFireAt,
      nextFireAt: plan.nextFireAt,
      runs,
      ...(plan.fireTimes.length ? { lastFiredAt: plan.fireTimes.at(-1) as number } : {}),
    });
    if (!result.fired) return undefined;
    for (const [i, { run, created }] of result.runs.entries()) {
      fired.push({ schedule: record.name, fireAt: new Date(plan.fireTimes[i] as number).toISOString(), runId: run.id, created });
    }
    return plan.nextFireAt;
  }

  private scheduledRun(def: WorkflowDefinition, record: ScheduleRecord, fireAt: number, now: number): NewRun {
    const options: RunOptions = {
      schedule: record.name,
      scheduledAt: new Date(fireAt).toISOString(),
      ...runDeadline(def, now),
    };
    return {
      id: scheduledRunId(record.name, fireAt),
      workflow: def.name,
      version: def.version,
      input: record.input,
      tenant: this.deps.tenant,
      options,
      ...queueFields(def, record.input),
      ...packVerified(def),
    };
  }

  private mustExist(name: string, record: ScheduleRecord | undefined): ScheduleRecord {
    if (record) return record;
    throw inputError("schedule_not_found", `no schedule named "${name}"; list schedules with \`duro schedules list\``, { schedule: name });
  }
}
