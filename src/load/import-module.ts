// Imports a user's module (TypeScript through tsx, or JavaScript): workflow files and the component modules flow
// files name. A missing file or a module that throws at its top level becomes an input error naming the file.
import { existsSync } from "node:fs";
import { extname, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { describeThrown } from "../core/index.js";
import { DuroError } from "../index.js";

const TS_EXTENSIONS = new Set([".ts", ".mts", ".cts", ".tsx"]);
let tsxRegistered = false;

/** The module's exports; `file_not_found` or `module_load_failed` (both input errors) otherwise. */
export async function importModule(path: string, what: string): Promise<Record<string, unknown>> {
  const file = resolve(path);
  if (!existsSync(file)) {
    throw new DuroError("file_not_found", `${what} ${path} does not exist (resolved to ${file})`, {
      category: "input",
      details: { file },
    });
  }
  if (TS_EXTENSIONS.has(extname(file)) && !tsxRegistered) {
    const { register } = await import("tsx/esm/api");
    register();
    tsxRegistered = true;
  }
  try {
    return (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (error) {
    // A module may throw anything at its top level (`throw null`, a string), not only an Error.
    const reason = error instanceof Error ? error.message : `it threw ${describeThrown(error)}`;
    throw new DuroError("module_load_failed", `could not load ${path}: ${reason}; fix the module's top-level code`, {
      category: "input",
      cause: error,
      details: { file },
    });
  }
}
