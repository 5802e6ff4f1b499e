// `duro schedules list|pause|resume`: the schedules in the database, with their next and last fires and the last
// run's status; pausing stops a schedule firing on every worker until it is resumed.
import type { ScheduleRecord, ScheduleView } from "../../index.js";
import type { CliCommand } from "../command.js";
import { EXIT, engineFor, output, parse, requirePositional, usage } from "../common.js";
import { table } from "../output.js";

const iso = (ms: number | undefined) => (ms === undefined ? "-" : new Date(ms).toISOString());

function formatSchedules(schedules: ScheduleView[]): string {
  if (schedules.length === 0) return "no schedules; a worker registers those its files export: duro worker <file>";
  const rows = schedules.map((s) => [
    s.name,
    s.cron,
    s.timezone,
    s.workflow,
    s.paused ? "paused" : iso(s.nextFireAt),
    iso(s.lastFiredAt),
    s.lastRunId === undefined ? "-" : `${s.lastRunId} (${s.lastRunStatus ?? "?"})`,
  ]);
  return table(["NAME", "CRON", "TZ", "WORKFLOW", "NEXT FIRE", "LAST FIRE", "LAST RUN"], rows);
}

function asJson(s: ScheduleView | ScheduleRecord) {
  return {
    ...s,
    nextFireAt: iso(s.nextFireAt),
    lastFiredAt: s.lastFiredAt === undefined ? null : iso(s.lastFiredAt),
    createdAt: iso(s.createdAt),
    updatedAt: iso(s.updatedAt),
  };
}

export const schedulesCommand: CliCommand = {
  name: "schedules",
  async run(args) {
    const { values, positionals } = parse(args, {});
    const [sub, ...rest] = positionals;
    if (sub !== "list" && sub !== "pause" && sub !== "resume") {
      throw usage(`unknown "schedules ${sub ?? ""}"; use schedules list, schedules pause <name> or schedules resume <name>`);
    }
    const name = sub === "list" ? undefined : requirePositional(rest, 0, `the schedule's name: duro schedules ${sub} <name>`);
    const out = output(values.json);
    const engine = engineFor(values.db);
    try {
      if (name === undefined) {
        const schedules = await engine.schedules.list();
        out.data(schedules.map(asJson));
        out.print(formatSchedules(schedules));
      } else {
        const record = sub === "pause" ? await engine.schedules.pause(name) : await engine.schedules.resume(name);
        out.data(asJson(record));
        out.print(
          record.paused
            ? `schedule "${name}" paused; no worker fires it until: duro schedules resume ${name}`
            : `schedule "${name}" resumed; next fire ${iso(record.nextFireAt)}`,
        );
      }
    } finally {
      await engine.close();
    }
    return EXIT.ok;
  },
};
