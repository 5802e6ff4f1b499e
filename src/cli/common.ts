// What every duro command shares: argument parsing, output, exit codes, opening the store.
import { existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { userInfo } from "node:os";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { DEFAULT_MAX_JSON_DEPTH, jsonNestsDeeperThan } from "../core/index.js";
import { createEngine, DuroError, type Engine, openStore, type WorkflowDefinition } from "../index.js";
import { DEFAULT_DB_URL, parseDbUrl } from "../store/index.js";
import { usageText } from "./help.js";
import { useDbInHints } from "./hints.js";
import { jsonText, say } from "./output.js";

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
      if (!json) say(text);
    },
    data: (value) => {
      if (json) console.log(jsonText(value));
    },
  };
}

/** How a command opens the database. */
export interface OpenDbOptions {
  clock?: () => number;
  /**
   * Whether a SQLite file that does not exist is created. Only commands that start or serve runs, or set the
   * database up, create one: any other command given a wrong path would otherwise answer from an empty new
   * database ("no runs") instead of saying the path is wrong. default false
   */
  create?: boolean;
}

/** Opens the store --db names; the default file's folder is created when the command may create the database. */
export function openDb(url: string | undefined, options: OpenDbOptions = {}) {
  useDbInHints(url);
  const dbUrl = url ?? process.env.DURO_DB ?? DEFAULT_DB_URL;
  const parsed = parseDbUrl(dbUrl);
  if (parsed.kind === "sqlite" && !options.create && !existsSync(resolve(parsed.path))) {
    throw new DuroError(
      "db_not_found",
      `there is no duro database at ${resolve(parsed.path)}; check --db (or $DURO_DB), or create one: duro db migrate --db ${dbUrl} (duro run creates one too)`,
      { category: "input", details: { path: resolve(parsed.path) } },
    );
  }
  if (dbUrl === DEFAULT_DB_URL) mkdirSync(resolve(".duro"), { recursive: true });
  const store = openStore(dbUrl, options.clock ? { clock: options.clock } : {});
  if (parsed.kind === "sqlite") {
    const path = resolve(parsed.path);
    const { dev, ino } = statSync(path);
    openedFiles.set(store, { path, dev, ino });
  }
  return store;
}

// The SQLite file each store opened, by device and inode: a file deleted or replaced while a command ran would
// otherwise go unnoticed (the open handle keeps writing to the unlinked file) and the command would report success.
const openedFiles = new WeakMap<object, { path: string; dev: number; ino: number }>();

/** Fails with `db_file_missing` / `db_file_replaced` when the SQLite file the store opened is gone or another file. */
export function checkDbFile(store: object): void {
  const opened = openedFiles.get(store);
  if (opened === undefined) return;
  const now = existsSync(opened.path) ? statSync(opened.path) : undefined;
  if (now === undefined) {
    throw new DuroError(
      "db_file_missing",
      `the database file ${opened.path} was deleted while this command ran; what it wrote since is lost with the deleted file. Restore the file from a backup, or start again with a new database`,
      { category: "storage", details: { path: opened.path } },
    );
  }
  if (now.dev !== opened.dev || now.ino !== opened.ino) {
    throw new DuroError(
      "db_file_replaced",
      `the database file ${opened.path} was replaced by another file while this command ran; what it wrote went to the old file. Check what replaced it before going on`,
      { category: "storage", details: { path: opened.path } },
    );
  }
}

export function engineFor(
  db: string | undefined,
  workflows: WorkflowDefinition[] = [],
  extra: Partial<Parameters<typeof createEngine>[0]> = {},
  open: Pick<OpenDbOptions, "create"> = {},
): Engine {
  return createEngine({ store: openDb(db, { ...(extra.clock ? { clock: extra.clock } : {}), ...open }), workflows, ...extra });
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
  if (jsonNestsDeeperThan(source, DEFAULT_MAX_JSON_DEPTH)) {
    throw new DuroError(
      "input_too_deep",
      `${flag} nests objects and arrays more than ${DEFAULT_MAX_JSON_DEPTH} levels deep (the limit the API sets too); flatten it`,
      { category: "input", details: { flag, maxDepth: DEFAULT_MAX_JSON_DEPTH } },
    );
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
