// Finds every error code written as a literal in src/ (DuroError constructions, the helpers that build them, the
// ErrorInfo objects duro journals), so that a check can hold them against the table in src/core/error-codes.ts.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";

/** One literal code and where it is written. */
export interface CodeSite {
  code: string;
  file: string;
  line: number;
  /** The category literal the site passes, when it passes one. */
  category?: string;
  /** The retryable literal (true or false) the site passes, when it passes one. */
  retryable?: boolean;
}

/** Folders not scanned: the browser UI is another program; the store conformance suite is test code whose codes are test data. */
const SKIPPED = new Set(["ui", "store-conformance"]);

/** The first argument of these is an error code. */
const CONSTRUCTION = /\b(?:new DuroError|inputError|definitionError|packError|internalError|super|this\.refusal)\(\s*"([a-z][a-z0-9_]*)"/g;
/** A `code:` property of an ErrorInfo (or of an option naming a code); flow problems, which carry `severity`, are not errors. */
const CODE_PROPERTY = /\bcode: "([a-z][a-z0-9_]*)"/g;
/** A conditional choosing between codes (`status === 429 ? "llm_rate_limited" : …`) assigned to a `code` variable. */
const CODE_CHOICE = /\bconst code(?:: ErrorCode)? =([^;]*);/g;

/** Every literal code in the .ts files under `srcDir`. */
export function scanErrorCodes(srcDir: string): CodeSite[] {
  const sites: CodeSite[] = [];
  for (const file of sourceFiles(srcDir)) {
    const text = readFileSync(file, "utf8");
    const at = (index: number) => ({ file: relative(join(srcDir, ".."), file), line: text.slice(0, index).split("\n").length });
    for (const match of text.matchAll(CONSTRUCTION)) {
      sites.push({ code: match[1] as string, ...at(match.index), ...passedOptions(text.slice(match.index, callEnd(text, match.index))) });
    }
    for (const match of text.matchAll(CODE_PROPERTY)) {
      if (!/severity/.test(text.slice(match.index, match.index + 80))) sites.push({ code: match[1] as string, ...at(match.index) });
    }
    for (const match of text.matchAll(CODE_CHOICE)) {
      for (const literal of (match[1] as string).matchAll(/"([a-z][a-z0-9_]*)"/g))
        sites.push({ code: literal[1] as string, ...at(match.index) });
    }
  }
  return sites;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (SKIPPED.has(entry.name)) return [];
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

/** The index just past the call opened at `start`: its parentheses balanced (strings with parentheses are rare enough here). */
function callEnd(text: string, start: number): number {
  let depth = 0;
  for (let i = text.indexOf("(", start); i < text.length; i++) {
    if (text[i] === "(") depth++;
    else if (text[i] === ")" && --depth === 0) return i + 1;
  }
  return text.length;
}

/** The category and retryable literals a call passes at its top level (not those of a nested error it describes). */
function passedOptions(call: string): Pick<CodeSite, "category" | "retryable"> {
  const category = /\bcategory: "([a-z]+)"/.exec(call)?.[1];
  const retryable = /\bretryable: (true|false)\b/.exec(call)?.[1];
  return {
    ...(category === undefined ? {} : { category }),
    ...(retryable === undefined ? {} : { retryable: retryable === "true" }),
  };
}

/** Every `throw new Error(` in the .ts files under `srcDir` (a plain Error has no code). */
export function plainErrorThrows(srcDir: string): Array<{ file: string; line: number }> {
  return sourceFiles(srcDir).flatMap((file) => {
    const text = readFileSync(file, "utf8");
    return [...text.matchAll(/\bthrow new Error\(/g)].map((match) => ({
      file: relative(join(srcDir, ".."), file),
      line: text.slice(0, match.index).split("\n").length,
    }));
  });
}
