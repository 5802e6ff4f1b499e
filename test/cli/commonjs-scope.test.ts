// A TypeScript workflow in a folder whose package.json does not say "type": "module" is loaded by Node as CommonJS,
// which cannot import duro (an ES module). duro says so and names the fix; the fix it names is run here and works.
import { execFileSync } from "node:child_process";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, expect, it } from "vitest";
import { duro, freshDir, REPO_ROOT, removeTempDirs } from "../support/cli.js";

afterEach(() => removeTempDirs());

const WORKFLOW = `import { workflow } from "duro";
export default workflow("hello", async (ctx) => ctx.step("one", () => 1));
`;

function project(manifest: Record<string, unknown> | undefined): string {
  const dir = freshDir("duro-cjs-scope-");
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(REPO_ROOT, join(dir, "node_modules", "duro"), "dir");
  if (manifest) writeFileSync(join(dir, "package.json"), JSON.stringify(manifest));
  writeFileSync(join(dir, "wf.ts"), WORKFLOW);
  return dir;
}

it("a package.json without type module: the error names `npm pkg set type=module`, which makes the run work", async () => {
  const cwd = project({ name: "app", private: true });
  const refused = await duro(["run", "wf.ts", "--db", join(cwd, "duro.db")], { cwd });
  expect(refused.code).not.toBe(0);
  expect(refused.stderr).toContain("module_load_failed");
  expect(refused.stderr).toContain(`run \`npm pkg set type=module\` in ${cwd}`);

  execFileSync("npm", ["pkg", "set", "type=module"], { cwd });
  const ran = await duro(["run", "wf.ts", "--db", join(cwd, "duro.db")], { cwd });
  expect(ran.stderr).toBe("");
  expect(ran.code).toBe(0);
  expect(ran.stdout).toContain("output: 1");
}, 60_000);

it("no package.json at all: the error says to create one with type module, and that works", async () => {
  const cwd = project(undefined);
  const refused = await duro(["run", "wf.ts", "--db", join(cwd, "duro.db")], { cwd });
  expect(refused.code).not.toBe(0);
  expect(refused.stderr).toContain(`create ${join(cwd, "package.json")} holding {"type": "module"}`);

  writeFileSync(join(cwd, "package.json"), JSON.stringify({ type: "module" }));
  const ran = await duro(["run", "wf.ts", "--db", join(cwd, "duro.db")], { cwd });
  expect(ran.code).toBe(0);
  expect(ran.stdout).toContain("output: 1");
}, 60_000);
