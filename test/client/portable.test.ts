// duro/client runs outside Node: the built files it loads (dist/client and what they import) import no Node
// built-in and no package, and use no Node global.
import { readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { expect, it } from "vitest";
import { REPO_ROOT } from "../support/cli.js";

/** Every module specifier a built ES module imports or re-exports (static and dynamic). */
function specifiers(source: string): string[] {
  const found = [...source.matchAll(/(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*["']([^"']+)["']/g)].map((m) => m[1] as string);
  found.push(...[...source.matchAll(/import\s*\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1] as string));
  found.push(...[...source.matchAll(/^\s*import\s*["']([^"']+)["']/gm)].map((m) => m[1] as string));
  return found;
}

/** The files the entry loads, following relative imports; the other specifiers it meets, by file. */
function moduleGraph(entry: string): { files: string[]; outside: string[] } {
  const files: string[] = [];
  const outside: string[] = [];
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop() as string;
    if (files.includes(file)) continue;
    files.push(file);
    for (const specifier of specifiers(readFileSync(file, "utf8"))) {
      if (specifier.startsWith(".")) queue.push(resolve(dirname(file), specifier));
      else outside.push(`${relative(REPO_ROOT, file)} imports ${specifier}`);
    }
  }
  return { files, outside };
}

/** The Node globals the file's code uses (comments and string literals, whose prose may say "process", left out). */
function nodeGlobalsIn(file: string): string[] {
  const code = readFileSync(file, "utf8")
    .replace(/\/\/.*$|\/\*[\s\S]*?\*\//gm, "")
    .replace(/"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`(?:[^`\\]|\\.)*`/g, '""');
  return [...new Set([...code.matchAll(/\b(Buffer|process|require|__dirname|__filename|setImmediate)\b/g)].map((m) => m[1] as string))];
}

it("the built duro/client imports nothing from node: nor any package, and uses no Node global", () => {
  const { files, outside } = moduleGraph(join(REPO_ROOT, "dist", "client", "index.js"));
  expect(files.map((f) => relative(REPO_ROOT, f))).toContain("dist/core/errors.js");
  expect(outside).toEqual([]);
  for (const file of files) expect(nodeGlobalsIn(file), relative(REPO_ROOT, file)).toEqual([]);
});

it("the checks see a node: import and a Node global where there are some", () => {
  const { outside } = moduleGraph(join(REPO_ROOT, "dist", "core", "ids.js"));
  expect(outside.some((line) => line.includes("node:crypto"))).toBe(true);
  expect(nodeGlobalsIn(join(REPO_ROOT, "dist", "cli", "output.js"))).toContain("process");
});
