// Every `duro` command, listed once (and described once in ../help.ts). Each lives in its own file in this folder
// and exports one CliCommand; main.ts finds a command here by its first word.
import type { CliCommand } from "../command.js";
import { answerCommand } from "./answer.js";
import { approvalsCommand } from "./approvals.js";
import { approveCommand } from "./approve.js";
import { archiveCommand } from "./archive.js";
import { artifactsCommand } from "./artifacts.js";
import { cancelCommand } from "./cancel.js";
import { checkCommand } from "./check.js";
import { dbCommand } from "./db.js";
import { keysCommand } from "./keys.js";
import { limitsCommand } from "./limits.js";
import { mcpCommand } from "./mcp.js";
import { packCommand } from "./pack.js";
import { queuesCommand } from "./queues.js";
import { replayCommand } from "./replay.js";
import { resumeCommand } from "./resume.js";
import { runCommand } from "./run.js";
import { runsCommand } from "./runs.js";
import { schedulesCommand } from "./schedules.js";
import { serveCommand } from "./serve.js";
import { signalCommand } from "./signal.js";
import { toolsCommand } from "./tools.js";
import { versionsCommand } from "./versions.js";
import { workerCommand } from "./worker.js";
import { workersCommand } from "./workers.js";

export const commands: readonly CliCommand[] = [
  runCommand,
  workerCommand,
  runsCommand,
  signalCommand,
  approveCommand,
  answerCommand,
  toolsCommand,
  cancelCommand,
  resumeCommand,
  dbCommand,
  serveCommand,
  mcpCommand,
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
  artifactsCommand,
];
