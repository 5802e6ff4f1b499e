// Commands beyond the core ones. Each lives in its own file in this folder and is listed here once
// (and described in ../help.ts), so that features can add commands without touching main.ts.
import { approvalsCommand } from "./approvals.js";
import { archiveCommand } from "./archive.js";
import { checkCommand } from "./check.js";
import { keysCommand } from "./keys.js";
import { limitsCommand } from "./limits.js";
import { packCommand } from "./pack.js";
import { queuesCommand } from "./queues.js";
import { replayCommand } from "./replay.js";
import { schedulesCommand } from "./schedules.js";
import { serveCommand } from "./serve.js";
import { versionsCommand } from "./versions.js";
import { workersCommand } from "./workers.js";

export interface CliCommand {
  /** The first word on the command line: `duro <name> …`. */
  name: string;
  /** Runs the command with the arguments after its name; resolves to the process exit code. */
  run(args: string[]): Promise<number>;
}

export const commands: CliCommand[] = [
  serveCommand,
  queuesCommand,
  schedulesCommand,
  packCommand,
  keysCommand,
  approvalsCommand,
  limitsCommand,
  replayCommand,
  checkCommand,
  versionsCommand,
  workersCommand,
  archiveCommand,
];
