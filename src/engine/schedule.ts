// Schedule definitions: a workflow started with a fixed input at the times a cron expression names, in a time zone.
// Pure: which fire times are due at `now` and which of them a catch-up policy starts; run ids derive from the fire time.
import { Cron } from "croner";
import { DuroError, definitionError, isWorkflowDefinition, type RunId, uuidV5, type WorkflowDefinition } from "../core/index.js";
import type { CatchUpPolicy, ScheduleRecord } from "../store/index.js";

export interface ScheduleOptions {
  /** Cron expression: 5 fields (minute precision) or 6 with seconds first, e.g. "0 2 * * *" or "* * * * * *". */
  cron: string;
  /** IANA time zone the cron is read in; daylight-saving changes follow it. default "UTC" */
  timezone?: string;
  /**
   * Fire times missed while no worker ran: "latest" starts the latest one once, "all" starts each of them (at most
   * `maxCatchUp`, the latest ones), "none" starts none (a fire found less than a minute late still runs). default "latest"
   */
  catchUp?: CatchUpPolicy;
  /** With catchUp "all": the most missed fires started at once. default 100 */
  maxCatchUp?: number;
}

const SCHEDULE_BRAND = Symbol.for("duro.schedule");

export interface ScheduleDefinition<I = unknown> {
  readonly [SCHEDULE_BRAND]: true;
  readonly name: string;
  readonly cron: string;
  readonly timezone: string;
  readonly catchUp: CatchUpPolicy;
  readonly maxCatchUp: number;
  readonly workflow: WorkflowDefinition<I, unknown>;
  readonly input: I;
}

/** A fire found at most this late counts as on time, even under catchUp "none" (workers poll; clocks drift). */
export const ON_TIME_MS = 60_000;
const CATCH_UP = new Set<CatchUpPolicy>(["latest", "all", "none"]);
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,127}$/;

/**
 * Defines a schedule: `schedule("nightly-report", { cron: "0 2 * * *", timezone: "Europe/Paris" }, report, { … })`.
 * Register it with `createEngine({ schedules })` (or export it from a file `duro worker` loads); workers start one
 * run of `workflow` with `input` per fire time, exactly once across all of them.
 */
export function schedule<I>(
  name: string,
  options: ScheduleOptions,
  workflow: WorkflowDefinition<I, unknown>,
  ...input: undefined extends I ? [input?: I] : [input: I]
): ScheduleDefinition<I> {
  if (typeof name !== "string" || !NAME.test(name)) {
    throw definitionError(
      "invalid_schedule_name",
      `schedule name ${JSON.stringify(name)} is invalid; use letters, digits, "_", ".", ":", "/" or "-"`,
    );
  }
  if (!isWorkflowDefinition(workflow)) {
    throw definitionError(
      "invalid_schedule",
      `schedule "${name}" needs a workflow made with workflow(); write schedule("${name}", { cron }, myWorkflow, input)`,
    );
  }
  const timezone = options?.timezone ?? "UTC";
  const catchUp = options?.catchUp ?? "latest";
  const maxCatchUp = options?.maxCatchUp ?? 100;
  if (!CATCH_UP.has(catchUp)) {
    throw definitionError(
      "invalid_catch_up",
      `schedule "${name}": catchUp must be "latest", "all" or "none", not ${JSON.stringify(catchUp)}`,
    );
  }
  if (!Number.isInteger(maxCatchUp) || maxCatchUp < 1) {
    throw definitionError(
      "invalid_catch_up",
      `schedule "${name}": maxCatchUp must be a positive integer, not ${JSON.stringify(maxCatchUp)}`,
    );
  }
  checkTimezone(name, timezone);
  cronOf(name, options?.cron, timezone);
  return Object.freeze({
    [SCHEDULE_BRAND]: true as const,
    name,
    cron: options.cron,
    timezone,
    catchUp,
    maxCatchUp,
    workflow,
    input: (input[0] ?? null) as I,
  });
}

export function isScheduleDefinition(value: unknown): value is ScheduleDefinition {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[SCHEDULE_BRAND] === true;
}

/** The id of the run a schedule starts for one fire time: the same in every process, so a second fire finds the first run. */
export function scheduledRunId(name: string, fireAt: number): RunId {
  return `r_${uuidV5(`schedule/${name}/${new Date(fireAt).toISOString()}`)}` as RunId;
}

/** The first fire time strictly after `after` (epoch ms). */
export function nextFireAfter(spec: { name: string; cron: string; timezone: string }, after: number): number {
  const next = cronOf(spec.name, spec.cron, spec.timezone).nextRun(new Date(after));
  if (!next) {
    throw new DuroError(
      "schedule_exhausted",
      `schedule "${spec.name}" (${spec.cron}) has no fire time after ${new Date(after).toISOString()}`,
      {
        category: "definition",
      },
    );
  }
  return next.getTime();
}

export interface FirePlan {
  /** Fire times to start runs for, oldest first. */
  fireTimes: number[];
  /** The schedule's next fire time after this one. */
  nextFireAt: number;
}

/** What firing a due schedule at `now` does: the fire times its catch-up policy starts, and the next fire after now. */
export function planFire(record: ScheduleRecord, now: number): FirePlan {
  const cron = cronOf(record.name, record.cron, record.timezone);
  // previousRuns is strictly before its reference: + 1 ms includes a fire time equal to now.
  const want = record.catchUp === "all" ? record.maxCatchUp : 1;
  const due = cron
    .previousRuns(want, new Date(now + 1))
    .map((d) => d.getTime())
    .filter((t) => t >= record.nextFireAt)
    .reverse();
  const latest = due.at(-1);
  const onTime = record.catchUp !== "none" || (latest !== undefined && now - latest <= ON_TIME_MS);
  return { fireTimes: onTime ? due : [], nextFireAt: nextFireAfter(record, now) };
}

function cronOf(name: string, pattern: unknown, timezone: string): Cron {
  if (typeof pattern !== "string") {
    throw definitionError(
      "invalid_cron",
      `schedule "${name}" has no cron expression; pass { cron: "0 2 * * *" } (minute hour day month weekday)`,
    );
  }
  try {
    return new Cron(pattern, { timezone, paused: true });
  } catch (error) {
    throw definitionError(
      "invalid_cron",
      `schedule "${name}": cron ${JSON.stringify(pattern)} is invalid (${(error as Error).message}); use 5 fields "minute hour day month weekday", or 6 with seconds first`,
    );
  }
}

function checkTimezone(name: string, timezone: string): void {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: timezone });
  } catch {
    throw definitionError(
      "invalid_timezone",
      `schedule "${name}": time zone ${JSON.stringify(timezone)} is unknown; use an IANA name such as "Europe/Paris" or "UTC"`,
    );
  }
}
