// Where in the user's code a durable call was made, for the pre-deploy check's report. Capturing a stack is slow, so
// only the check's replay-only invocations do it (ExecutorDeps.replayOnly); ordinary execution never does.
import { fileURLToPath } from "node:url";

/** duro's own code (src/ or dist/): frames there are skipped to reach the user's. */
const OWN_DIR = fileURLToPath(new URL("..", import.meta.url));
const FRAME = /^\s*at (?:.*? \()?(.+?):(\d+):(\d+)\)?$/;

/** `file:line:column` of the innermost caller outside duro (and outside Node itself), or undefined. */
export function userCallSite(): string | undefined {
  const holder: { stack?: string } = {};
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 50;
  try {
    Error.captureStackTrace(holder, userCallSite);
  } finally {
    Error.stackTraceLimit = limit;
  }
  for (const line of (holder.stack ?? "").split("\n").slice(1)) {
    const match = FRAME.exec(line);
    if (!match) continue;
    const [, where, row, column] = match as unknown as [string, string, string, string];
    const file = where.startsWith("file://") ? fileURLToPath(where) : where;
    if (file.startsWith(OWN_DIR) || file.startsWith("node:") || file.includes("/node_modules/")) continue;
    return `${file}:${row}:${column}`;
  }
  return undefined;
}
