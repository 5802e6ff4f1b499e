// The schedules role: cron definitions and their next fire time. A due fire happens exactly once across all
// handles on the store, and creates its runs in the same transaction that moves the schedule on.

import type { CreateResult, NewRun } from "./runs.js";

/** What to do with fire times missed while no worker ran: run the latest once, all of them (bounded), or none. */
export type CatchUpPolicy = "latest" | "all" | "none";

/** A schedule's definition as the code declares it. */
export interface ScheduleSpec {
  name: string;
  cron: string;
  timezone: string;
  workflow: string;
  input: unknown;
  catchUp: CatchUpPolicy;
  /** `all` starts at most this many missed fires. */
  maxCatchUp: number;
  /** The first fire time after now (epoch ms). */
  nextFireAt: number;
}

export interface ScheduleRecord extends Omit<ScheduleSpec, "nextFireAt"> {
  paused: boolean;
  /** epoch ms */
  nextFireAt: number;
  /** Fire time (epoch ms) of the last run the schedule started. */
  lastFiredAt?: number;
  lastRunId?: string;
  /** epoch ms */
  createdAt: number;
  /** epoch ms */
  updatedAt: number;
}

export interface ScheduleFire {
  name: string;
  /** The next fire time the firer read; nothing happens if it changed since (someone else fired). */
  expectedNextFireAt: number;
  nextFireAt: number;
  /** The runs this fire starts, oldest fire time first (none when the catch-up policy skips them all). */
  runs: NewRun[];
  /** Fire time (epoch ms) of the last of `runs`. */
  lastFiredAt?: number;
}

export interface ScheduleFireResult {
  /** false when the schedule was fired (or paused, or changed) by someone else first. */
  fired: boolean;
  runs: CreateResult[];
}

export interface Schedules {
  /**
   * Creates a schedule, or updates its definition. `nextFireAt` is used for a new schedule, and for an existing one
   * only when its cron or time zone changed; otherwise its next fire, pause and history are kept.
   */
  upsertSchedule(spec: ScheduleSpec): Promise<ScheduleRecord>;
  /** Every schedule, by name. */
  listSchedules(): Promise<ScheduleRecord[]>;
  /**
   * Fires a due schedule exactly once across all handles: only if it is not paused and its next fire is still
   * `expectedNextFireAt`, moves it to `nextFireAt` and creates `runs` (idempotently, by id) in the same transaction.
   */
  fireSchedule(fire: ScheduleFire): Promise<ScheduleFireResult>;
  /** Pauses or resumes a schedule (resuming sets its next fire to `nextFireAt`); undefined when there is none by that name. */
  setSchedulePaused(name: string, paused: boolean, nextFireAt?: number): Promise<ScheduleRecord | undefined>;
}
