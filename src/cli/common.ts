// What every duro command shares: argument parsing, output, exit codes, opening the store.
import { mkdirSync, readFileSync } from "node:fs";
import { userInfo } from "node:os";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { DEFAULT_MAX_JSON_DEPTH, jsonNestsDeeperThan } from "../core/index.js";
import { createEngine, DuroError, type Engine, type WorkflowDefinition } from "../index.js";
import { DEFAULT_DB_URL, openStore, parseDbUrl } from "../store/index.js";
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

/** Opens the store --db names; the default file's folder is created, any other path must exist. */
export function openDb(url: string | undefined, options: { clock?: () => number } = {}) {
  useDbInHints(url);
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
