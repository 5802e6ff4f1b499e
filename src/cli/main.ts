// The `duro` command: finds the command its first word names and runs it. Exit codes: 0 done, 1 the run failed or was
// cancelled (or a storage error), 2 bad usage or input (nothing was changed), 3 the run is waiting and resumes later.
import { commands } from "./commands/index.js";
import { EXIT, usage } from "./common.js";
import { asksForHelp, helpText, usageText } from "./help.js";
import { say } from "./output.js";
import { reportError } from "./report-error.js";

export { EXIT } from "./common.js";

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name) {
    say(usageText());
    return EXIT.usage;
  }
  // Before anything is parsed or opened: `duro runs prune … --help` must describe the command, never run it.
  if (name === "help" || asksForHelp(argv)) {
    say(helpText(name === "help" ? rest : argv));
    return EXIT.ok;
  }
  try {
    const command = commands.find((c) => c.name === name);
    if (!command) throw usage(`unknown command "${name}"`);
    return await command.run(rest);
  } catch (error) {
    return reportError(error, argv);
  }
}
