// The worker's retention flags: --retention completed=30d,failed=90d [--retention-archive <dir>] [--retention-batch <n>]
// [--retention-every <duration>], turned into EngineOptions.retention (engine/retention.ts).

import { isDuroError } from "../core/index.js";
import { parseRetentionSpec, type RetentionOptions, type RetentionReport } from "../engine/index.js";
import { type Out, positiveInt, usage } from "./common.js";
import { warn } from "./output.js";

export const RETENTION_FLAGS = {
  retention: { type: "string" },
  "retention-archive": { type: "string" },
  "retention-batch": { type: "string" },
  "retention-every": { type: "string" },
} as const;

/** `{ retention }` for createEngine when --retention was given, else `{}`. */
export function retentionOption(
  values: {
    retention?: string | undefined;
    "retention-archive"?: string | undefined;
    "retention-batch"?: string | undefined;
    "retention-every"?: string | undefined;
  },
  out: Out,
): { retention?: RetentionOptions } {
  if (values.retention === undefined) {
    if (values["retention-archive"] !== undefined || values["retention-batch"] !== undefined || values["retention-every"] !== undefined)
      throw usage("--retention-archive, --retention-batch and --retention-every need --retention <status>=<age>,…");
    return {};
  }
  const retention: RetentionOptions = {
    ...parseRetentionSpec(values.retention),
    batchSize: positiveInt(values["retention-batch"], "--retention-batch", 100),
    ...(values["retention-archive"] === undefined ? {} : { archive: values["retention-archive"] }),
    ...(values["retention-every"] === undefined ? {} : { every: values["retention-every"] }),
    onPass: (report) => {
      const line = passLine(report);
      if (line) out.print(line);
    },
    onError: (error) =>
      warn(`duro worker retention: ${isDuroError(error) ? `error [${error.code}]: ${error.message}` : (error as Error).stack}`),
  };
  return { retention };
}

function passLine(report: RetentionReport): string | undefined {
  const runs = Object.entries(report.pruned).filter(([, n]) => n > 0);
  if (runs.length === 0 && report.artifacts === 0 && report.events === 0) return undefined;
  const parts = runs.map(([status, n]) => `${n} ${status}`);
  const archived = report.archives.length > 0 ? ` (archived in ${report.archives.length} file(s))` : "";
  const events = report.events > 0 ? `, ${report.events} unconsumed events` : "";
  return `retention: pruned ${parts.join(", ") || "no"} runs${archived}, ${report.artifacts} unreferenced artifacts${events}`;
}
