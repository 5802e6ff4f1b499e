// What every duro command shares: argument parsing, output, exit codes, opening the store.
import { mkdirSync, readFileSync } from "node:fs";
import { userInfo } from "node:os";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { createEngine, DuroError, type Engine, type WorkflowDefinition } from "../index.js";
import { DEFAULT_DB_URL, openStore, parseDbUrl } from "../store/index.js";
import { commands } from "./commands/index.js";

const CORE_USAGE = [
  "duro run <file> [--workflow <name> | --flow <id>] [--input <json>|@file.json] [--id <runId>] [--idempotency-key <k>] [--detach] [--lease-ms <ms>] [--mock-llm <script.json>]",
  "        [--artifacts-dir <dir>] [--mocks <mocks.yaml>] [--record <cassette.json>]",
  "        <file> is a .ts/.js module, a flow (.yaml/.json), or a pack (directory or .duropack):",
  "        [--signing strict|dev] [--pubkey <pem>]... [--trusted-keys <dir>]",
  "duro worker <file...> [--concurrency <n>] [--until-idle] [--lease-ms <ms>] [--grace-ms <ms>] [--any-version] [--signing strict|dev] [--pubkey <pem>]...",
  "        [--retention completed=30d,failed=90d,cancelled=30d] [--retention-archive <dir>] [--retention-batch <n>]",
  "duro runs list [--status <s>] [--workflow <w>] [--limit <n>] [--inbox]",
  "duro runs show <runId>",
  "duro runs events <runId>",
  "duro runs export <runId> [--artifacts-dir <dir>]",
  "duro runs tail <runId> [--poll-ms <ms>]",
  "duro runs verify <runId...> | --all   (check the journal's hash chain)",
  "duro runs fork <runId> [<file...>] --from-step <key> [--input <json>] [--id <newId>]   (with files: onto that code's version)",
  "duro runs prune --status completed|failed|cancelled --older-than <duration> [--batch <n>] [--archive <dir>] [--artifacts]",
  "duro signal <eventKey> [--payload <json>]",
  "duro approve <runId> [<gate>] [--reject | --abort] [--comment <text>] [--by <name>]",
  "duro answer <runId> <name> --value <json> [--by <name>]",
  "duro cancel <runId> [--reason <text>]",
  "duro resume <runId> [<file...>] [--lease-ms <ms>] [--any-version] [--mock-llm <script.json>] [--mocks <mocks.yaml>]",
  "duro db migrate",
];

const FOOTER = `every command takes --db <url> (default: $DURO_DB, else ${DEFAULT_DB_URL}) and --json.
database URLs: sqlite:path/to/file.db[?synchronous=full], postgres://user:password@host:5432/db[?schema=duro]
exit codes: 0 completed, 1 failed or cancelled, 2 bad usage or input, 3 waiting.`;

/** The whole usage text: the core commands, then those registered in ./commands/index.ts. */
export function usageText(): string {
  const lines = [...CORE_USAGE, ...commands.flatMap((c) => c.usage)];
  return `duro: durable workflows and agent runs\n\nusage:\n${lines.map((l) => `  ${l}`).join("\n")}\n\n${FOOTER}`;
}

export const EXIT = { ok: 0, failed: 1, usage: 2, waiting: 3 } as const;

export const COMMON = {
  db: { type: "string" },
  json: { type: "boolean", default: false },
  help: { type: "boolean", short: "h", default: false },
} as const;

export type Out = { json: boolean; print(text: string): void; data(value: unknown): void };

export function usage(message: string): DuroError {
  return new DuroError("usage", `${message}\n\n${usageText()}`, { category: "input" });
}

type OptionSpec = Record<string, { type: "string" | "boolean"; short?: string; default?: string | boolean; multiple?: boolean }>;

type OptionValues<T extends OptionSpec> = {
  [K in keyof T]: T[K] extends { multiple: true }
    ? string[] | undefined
    : T[K] extends { type: "boolean" }
      ? T[K] extends { default: boolean }
        ? boolean
        : boolean | undefined
      : T[K] extends { default: string }
        ? string
        : string | undefined;
};

/** parseArgs with the options every command takes (--db, --json, --help), strict, positionals allowed. */
export function parse<T extends OptionSpec>(
  args: string[],
  options: T,
): { values: OptionValues<typeof COMMON & T>; positionals: string[] } {
  return parseArgs({ args, options: { ...COMMON, ...options }, allowPositionals: true, strict: true }) as never;
}

export function output(json: boolean): Out {
  return {
    json,
    print: (text) => {
      if (!json) console.log(text);
    },
    data: (value) => {
      if (json) console.log(JSON.stringify(value, null, 2));
    },
  };
}

/** Opens the store --db names; the default file's folder is created, any other path must exist. */
export function openDb(url: string | undefined, options: { clock?: () => number } = {}) {
  const dbUrl = url ?? process.env.DURO_DB ?? DEFAULT_DB_URL;
  if (dbUrl === DEFAULT_DB_URL) mkdirSync(resolve(".duro"), { recursive: true });
  return openStore(dbUrl, options);
}

export function engineFor(
  db: string | undefined,
  workflows: WorkflowDefinition[] = [],
  extra: Partial<Parameters<typeof createEngine>[0]> = {},
): Engine {
  if (db !== undefined || process.env.DURO_DB) parseDbUrl(db ?? (process.env.DURO_DB as string));
  return createEngine({ store: openDb(db, extra.clock ? { clock: extra.clock } : {}), workflows, ...extra });
}

export function parseJson(text: string, what: string, flag: string): unknown {
  let source = text;
  if (text.startsWith("@")) {
    try {
      source = readFileSync(text.slice(1), "utf8");
    } catch (error) {
      throw new DuroError("input_file_not_found", `${flag} ${text}: cannot read ${text.slice(1)}: ${(error as Error).message}`, {
        category: "input",
      });
    }
  }
  try {
    return JSON.parse(source);
  } catch (error) {
    throw new DuroError(
      "input_malformed",
      `${flag} is not valid JSON (${(error as Error).message}); pass ${what} as JSON, e.g. ${flag} '{"sku":"A1","qty":2}', or @file.json`,
      { category: "input" },
    );
  }
}

export function requirePositional(values: string[], index: number, what: string): string {
  const value = values[index];
  if (value === undefined) throw usage(`missing ${what}`);
  return value;
}

export function positiveInt(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0)
    throw new DuroError("usage", `${flag} must be a positive integer, not "${value}"`, { category: "input" });
  return n;
}

export function currentUser(): string {
  try {
    return userInfo().username;
  } catch {
    return "cli";
  }
}
