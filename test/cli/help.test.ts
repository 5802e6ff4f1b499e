// `--help` anywhere on a command line describes the command and runs nothing; unknown flags are coded errors.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { commands } from "../../src/cli/commands/index.js";
import { COMMAND_HELP } from "../../src/cli/help.js";
import { main } from "../../src/cli/main.js";
import type { RunPage } from "../../src/index.js";
import { duro, duroJson, fixture, freshDir, removeTempDirs, sqliteUrl } from "../support/cli.js";

afterAll(removeTempDirs);
afterEach(() => vi.restoreAllMocks());

/** Runs the CLI's main in this process and returns its exit code and what it printed. */
async function inProcess(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  vi.spyOn(console, "log").mockImplementation((text: string) => stdout.push(text));
  vi.spyOn(console, "error").mockImplementation((text: string) => stderr.push(text));
  const code = await main(argv);
  vi.restoreAllMocks();
  return { code, stdout: stdout.join("\n"), stderr: stderr.join("\n") };
}

// Arguments that would make each command do its work if --help were ignored.
const ARGUMENTS: Record<string, string[]> = {
  run: [fixture("echo.ts")],
  worker: [fixture("echo.ts"), "--until-idle"],
  "runs prune": ["--status", "completed", "--older-than", "1ms"],
  "runs verify": ["--all"],
  serve: ["--port", "0"],
  check: [fixture("echo.ts")],
};

describe("every command answers --help", () => {
  const dir = freshDir("duro-help-");
  const db = join(dir, "must-not-exist.db");
  for (const help of COMMAND_HELP) {
    for (const flag of ["--help", "-h"]) {
      it(`duro ${help.path} … ${flag}`, async () => {
        const argv = [...help.path.split(" "), ...(ARGUMENTS[help.path] ?? ["r_01M9000000000000000000000"]), "--db", sqliteUrl(db), flag];
        const result = await inProcess(argv);
        expect(result.code, result.stderr).toBe(0);
        expect(result.stdout).toContain(`duro ${help.path}: ${help.summary}`);
        expect(result.stdout).toContain("usage:");
        for (const [name] of help.flags) expect(result.stdout).toContain(name);
        expect(existsSync(db)).toBe(false);
      });
    }
  }
});

describe("flags", () => {
  it("runs prune --help deletes nothing", { timeout: 60_000 }, async () => {
    const dir = freshDir("duro-help-prune-");
    const db = sqliteUrl(join(dir, "duro.db"));
    const cli = { cwd: dir, timeoutMs: 30_000 };
    await duroJson(["run", fixture("echo.ts"), "--db", db, "--artifacts-dir", join(dir, "f")], cli);
    const help = await duro(["runs", "prune", "--status", "completed", "--older-than", "1ms", "--db", db, "--help"], cli);
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toContain("duro runs prune: deletes ended runs");
    expect((await duroJson<RunPage>(["runs", "list", "--db", db], cli)).runs).toHaveLength(1);
  });

  it("an unknown flag is unknown_flag, naming the flag and the command's help", async () => {
    const result = await inProcess(["runs", "list", "--stauts", "failed"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      "duro: error [unknown_flag]: duro runs list takes no flag --stauts; duro runs list --help lists the flags it takes",
    );
  });

  it("a flag without its value is a usage error naming the command's help", async () => {
    const result = await inProcess(["signal", "key", "--payload"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("duro: error [usage]: Option '--payload <value>' argument missing; duro signal --help");
  });

  it("duro help <command> is that command's help", async () => {
    const result = await inProcess(["help", "approvals", "link"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("--expires <duration>");
  });
});

describe("the command table", () => {
  it("help.ts describes each command commands/index.ts lists, and no other", () => {
    const described = [...new Set(COMMAND_HELP.map((help) => help.path.split(" ")[0]))];
    expect(described.sort()).toEqual(commands.map((command) => command.name).sort());
  });
});
