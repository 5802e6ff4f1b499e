// `duro db migrate`: creates the database or brings its schema up to date.
import type { CliCommand } from "../command.js";
import { EXIT, engineFor, output, parse, usage } from "../common.js";

export const dbCommand: CliCommand = { name: "db", run };

async function run(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {});
  if (positionals[0] !== "migrate") throw usage(`unknown "db ${positionals[0] ?? ""}"; use duro db migrate`);
  const out = output(values.json);
  const engine = engineFor(values.db, [], {}, { create: true });
  try {
    // Opening a store brings its schema up to date; the first query makes a lazy (PostgreSQL) store connect.
    await engine.store.listRuns({ limit: 1 });
    out.data({ migrated: true });
    out.print("the database schema is up to date");
  } finally {
    await engine.close();
  }
  return EXIT.ok;
}
