// What a command's error becomes: its message on stderr and an exit code (2 for input, definition and auth errors,
// nothing was changed; 1 otherwise). node:util's parseArgs errors become coded errors naming the command's help.
import { isDuroError } from "../core/index.js";
import { DuroError } from "../index.js";
import { EXIT } from "./common.js";
import { commandOf } from "./help.js";
import { formatError, warn } from "./output.js";

/** Prints the error for `duro <argv…>` and returns the exit code. */
export function reportError(error: unknown, argv: string[]): number {
  if (isDuroError(error)) {
    warn(formatError(error));
    return ["input", "definition", "auth"].includes(error.category) ? EXIT.usage : EXIT.failed;
  }
  const parseError = argumentError(error, argv);
  if (parseError) return reportError(parseError, argv);
  warn(`duro: internal error: ${(error as Error)?.stack ?? String(error)}`);
  return EXIT.failed;
}

/** node:util's parseArgs errors as coded errors that name the command's help. */
function argumentError(error: unknown, argv: string[]): DuroError | undefined {
  const code = (error as { code?: unknown })?.code;
  if (typeof code !== "string" || !code.startsWith("ERR_PARSE_ARGS")) return undefined;
  const command = `duro ${commandOf(argv)?.path ?? argv[0]}`;
  const message = (error as Error).message.replace(/\. To specify a positional argument starting with a '-'.*$/s, "");
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
    const flag = /'([^']+)'/.exec(message)?.[1] ?? "";
    return new DuroError("unknown_flag", `${command} takes no flag ${flag}; ${command} --help lists the flags it takes`, {
      category: "input",
      details: { flag },
    });
  }
  return new DuroError("usage", `${message}; ${command} --help describes the command`, { category: "input" });
}
