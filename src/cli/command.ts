// The shape of a `duro` command: one file in commands/ exports one CliCommand, listed once in commands/index.ts and
// described once in help.ts. A command family's subcommands (`runs export`, `keys create`) are Subcommands.

/** Runs a command with the arguments after its words; resolves to the process exit code (EXIT in common.ts). */
export type Subcommand = (args: string[]) => Promise<number>;

export interface CliCommand {
  /** The first word on the command line: `duro <name> …`. */
  name: string;
  /** Runs the command with the arguments after its name; resolves to the process exit code. */
  run: Subcommand;
}
