// Writes docs/errors.md from the table in src/core/error-codes.ts (`npm run docs:errors`). With --check (run by
// `npm run lint`) it writes nothing and fails when the page is stale, when src/ uses a code the table lacks or passes
// a category or retryable the table contradicts, or when src/ throws a plain Error.
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ERROR_CODES, type ErrorCategory, type ErrorCodeSpec } from "../src/core/error-codes.js";
import { type CodeSite, plainErrorThrows, scanErrorCodes } from "./error-code-scan.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const DOC = `${root}docs/errors.md`;
const SRC = `${root}src`;

const CATEGORIES: Array<[ErrorCategory, string]> = [
  ["input", "What was given (a request, a flag, a file, a value) is not what duro accepts. Fix it and try again."],
  ["definition", "The code of a workflow, flow, schedule or component is wrong. Fix the definition."],
  ["auth", "Who is asking is not allowed: a key, a signature, a host."],
  ["limit", "A limit was reached: a budget, a rate, a size, a deadline."],
  ["storage", "The database failed or is unreachable. Most of these are retryable: duro retries them itself."],
  ["step", "A step, a component, an LLM call or a flow node failed while a run executed; the run's journal keeps it."],
  ["internal", "duro's own state: a stopping worker, or an invariant that did not hold (a bug to report)."],
];

/** The whole page, from the table alone. */
export function errorsDoc(): string {
  const rows = Object.entries(ERROR_CODES) as Array<[string, ErrorCodeSpec]>;
  const sections = CATEGORIES.map(([category, intro]) => {
    const lines = rows
      .filter(([, spec]) => spec.category === category)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(
        ([code, spec]) =>
          `| \`${code}\` | ${spec.retryable ? "yes" : "no"} | ${spec.status} | ${spec.description.replaceAll("|", "\\|")} |`,
      );
    return [`## ${category}`, "", intro, "", "| code | retryable | HTTP | what happened |", "| --- | --- | --- | --- |", ...lines].join(
      "\n",
    );
  });
  return [
    "# Error codes",
    "",
    "<!-- Generated from src/core/error-codes.ts by `npm run docs:errors`; edit the table, not this page. -->",
    "",
    "Every error duro raises is a `DuroError` with a stable `code`, a `category`, `retryable` and `details`; its message",
    "says what happened, with the values that matter, and what to do. The CLI prints it and exits 2 for `input`,",
    "`definition` and `auth` errors, 1 for the others; the API answers `{ error: { code, message, details } }` with the",
    'status below. A step may throw a `DuroError` with a code of its own (`new DuroError("card_declined", …, { category:',
    '"step" })`); the journal keeps it as it is. `retryable` is the default: a call site that knows better decides per',
    "case (an HTTP node's 503 is retried, its 404 is not).",
    "",
    ...sections.flatMap((section) => [section, ""]),
  ].join("\n");
}

/** What is wrong with src/ and the page, one line each; empty when all is well. */
export function problems(): string[] {
  const found: string[] = [];
  for (const site of scanErrorCodes(SRC)) {
    const problem = siteProblem(site);
    if (problem) found.push(`${site.file}:${site.line}: ${problem}`);
  }
  for (const site of plainErrorThrows(SRC)) {
    found.push(
      `${site.file}:${site.line}: throw new Error: throw a DuroError with a code from src/core/error-codes.ts, or internalError(…) for an invariant`,
    );
  }
  let written = "";
  try {
    written = readFileSync(DOC, "utf8");
  } catch {}
  if (written !== errorsDoc()) found.push("docs/errors.md is not what src/core/error-codes.ts gives; run npm run docs:errors");
  return found;
}

function siteProblem(site: CodeSite): string | undefined {
  const spec = (ERROR_CODES as Record<string, ErrorCodeSpec>)[site.code];
  if (spec === undefined) return `"${site.code}" is not in ERROR_CODES (src/core/error-codes.ts); add a row for it`;
  if (site.category !== undefined && site.category !== spec.category)
    return `"${site.code}" is passed category "${site.category}", but its row says "${spec.category}"; make them agree`;
  if (site.retryable !== undefined && site.retryable !== spec.retryable)
    return `"${site.code}" is passed retryable: ${site.retryable}, but its row says ${spec.retryable}; make them agree`;
  return undefined;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv.includes("--check")) {
    const found = problems();
    for (const line of found) console.error(line);
    process.exitCode = found.length > 0 ? 1 : 0;
  } else {
    writeFileSync(DOC, errorsDoc());
    console.log(`wrote ${DOC}`);
  }
}
