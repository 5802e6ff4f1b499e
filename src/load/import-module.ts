// Imports a user's module (TypeScript through tsx, or JavaScript): workflow files and the component modules flow
// files name. A missing file or a module that throws at its top level becomes an input error naming the file.
import { existsSync, readFileSync } from "node:fs";
import { dirname, extname, join, resolve } from "node:path";
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
    if (loadedAsCommonJs(file, error)) {
      const manifest = governingManifest(dirname(file));
      const fix = manifest
        ? `run \`npm pkg set type=module\` in ${dirname(manifest)}`
        : `create ${join(dirname(file), "package.json")} holding {"type": "module"}`;
      throw new DuroError(
        "module_load_failed",
        `could not load ${path}: Node loads it as CommonJS (no package.json over it says "type": "module"), and CommonJS cannot import duro, an ES module; ${fix}, or rename the file to .mts`,
        { category: "input", cause: error, details: { file } },
      );
    }
    // A module may throw anything at its top level (`throw null`, a string), not only an Error.
    const reason = error instanceof Error ? error.message : `it threw ${describeThrown(error)}`;
    throw new DuroError("module_load_failed", `could not load ${path}: ${reason}; fix the module's top-level code`, {
      category: "input",
      cause: error,
      details: { file },
    });
  }
}

/** A .ts/.js file outside an ESM package scope that fails as CommonJS requiring an ES module (duro is ESM only). */
function loadedAsCommonJs(file: string, error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  const requiredEsm =
    code === "ERR_REQUIRE_CYCLE_MODULE" ||
    code === "ERR_REQUIRE_ESM" ||
    code === "ERR_PACKAGE_PATH_NOT_EXPORTED" ||
    (error instanceof Error && error.message.includes("require() ES Module"));
  return requiredEsm && [".ts", ".tsx", ".js"].includes(extname(file)) && packageType(dirname(file)) !== "module";
}

/** The package.json that governs `dir`, as Node finds it (the nearest one up the tree). */
function governingManifest(dir: string): string | undefined {
  for (let current = dir; ; current = dirname(current)) {
    if (existsSync(join(current, "package.json"))) return join(current, "package.json");
    if (dirname(current) === current) return undefined;
  }
}

function packageType(dir: string): string | undefined {
  const manifest = governingManifest(dir);
  if (!manifest) return undefined;
  try {
    return (JSON.parse(readFileSync(manifest, "utf8")) as { type?: string }).type;
  } catch {
    return undefined;
  }
}
