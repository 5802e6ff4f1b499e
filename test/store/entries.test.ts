// The package's entries as a user's process loads them (from dist/, built before the tests): importing duro, its
// store contract or its testing helpers loads no database driver; opening a store loads that backend's driver only.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../support/cli.js";

const dir = mkdtempSync(join(tmpdir(), "duro-entries-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Runs `script` (an ES module body) in a fresh node process and returns the database drivers it loaded. Every CommonJS
 * module, also one an ES module imported (both drivers are CommonJS), lands in Node's one module cache.
 */
function driversLoadedBy(script: string): string[] {
  const probe = `${script}
    const { createRequire } = await import("node:module");
    const loaded = Object.keys(createRequire(import.meta.url).cache);
    const drivers = ["pg", "better-sqlite3"].filter((name) => loaded.some((path) => path.includes(\`/node_modules/\${name}/\`)));
    console.log(JSON.stringify(drivers));`;
  const out = execFileSync(process.execPath, ["--input-type=module", "-e", probe], { cwd: REPO_ROOT, encoding: "utf8", timeout: 30_000 });
  return JSON.parse(out.trim().split("\n").at(-1) ?? "null") as string[];
}

const entry = (path: string) => JSON.stringify(join(REPO_ROOT, "dist", path));

describe("package entries", () => {
  it("importing duro, duro/store and duro/testing loads neither pg nor better-sqlite3", () => {
    // By the package's own name, as a user imports it: this goes through package.json "exports".
    const drivers = driversLoadedBy(`await import("duro"); await import("duro/store"); await import("duro/testing");`);

    expect(drivers).toEqual([]);
  });

  it("opening a SQLite store by URL loads better-sqlite3, and still not pg", () => {
    const db = JSON.stringify(`sqlite:${join(dir, "duro.db")}`);

    const drivers = driversLoadedBy(`const { openStore } = await import(${entry("index.js")}); await openStore(${db}).close();`);

    expect(drivers).toEqual(["better-sqlite3"]);
  });

  it("opening a PostgreSQL store loads pg (it connects only at its first operation)", () => {
    const drivers = driversLoadedBy(
      `const { openPostgresStore } = await import("duro/store/postgres"); await openPostgresStore("postgres://u:p@127.0.0.1:1/x").close();`,
    );

    expect(drivers).toEqual(["pg"]);
  });
});
