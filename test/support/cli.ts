// Drives the real `duro` command in child processes for process-level tests: every call spawns
// `node bin/duro.js` with absolute paths and a bounded timeout, in a throwaway directory of its own.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const DURO_BIN = join(REPO_ROOT, "bin", "duro.js");

/**
 * Absolute path of a fixture workflow file in test/support/workflows/. The fixtures carry an explicit version: tests
 * start runs with the code as vitest compiles it and CLI workers execute them as tsx compiles it, and the two give a
 * function different source text, so the hash versions would differ and version-pinned workers would not claim them.
 */
export function fixture(file: string): string {
  return join(REPO_ROOT, "test", "support", "workflows", file);
}

/** Absolute path of a file in examples/. */
export function example(file: string): string {
  return join(REPO_ROOT, "examples", file);
}

export interface CliResult {
  /** Exit code; null when the process was killed by a signal. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  pid: number;
}

export interface CliOptions {
  /** The child's working directory; use a fresh temp dir so nothing lands in the repository. */
  cwd: string;
  /** Added to a scrubbed copy of this process's environment. */
  env?: Record<string, string>;
  /** The child is SIGKILLed and the call rejects after this long. default 30_000 */
  timeoutMs?: number;
}

export interface SpawnedCli {
  child: ChildProcess;
  /** Settles when the child has exited (normally or by a signal). */
  result: Promise<CliResult>;
}

// Variables the outer shell might set that would change what the child does behind the test's back.
const SCRUBBED_ENV = ["DURO_DB", "DURO_FAILPOINTS", "DURO_TEST_EFFECTS", "NODE_OPTIONS", "FORCE_COLOR", "OTEL_EXPORTER_OTLP_ENDPOINT"];

function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of SCRUBBED_ENV) delete env[name];
  return { ...env, NO_COLOR: "1", ...extra };
}

/** Starts `node bin/duro.js <args>`; the caller may kill the child before awaiting `result`. */
export function spawnDuro(args: string[], options: CliOptions): SpawnedCli {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const child = spawn(process.execPath, [DURO_BIN, ...args], {
    cwd: options.cwd,
    env: childEnv(options.env),
    stdio: ["ignore", "pipe", "pipe"],
  });
  const result = new Promise<CliResult>((resolve, reject) => {
    let stdout = "";
    let stderr = "";
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
    });
    child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`duro ${args.join(" ")} did not exit within ${timeoutMs} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    }, timeoutMs);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, pid: child.pid ?? -1 });
    });
  });
  return { child, result };
}

/** Runs `node bin/duro.js <args>` to its end. */
export function duro(args: string[], options: CliOptions): Promise<CliResult> {
  return spawnDuro(args, options).result;
}

/** Runs a command with `--json` that must succeed (exit 0) and returns its parsed stdout. */
export async function duroJson<T = unknown>(args: string[], options: CliOptions): Promise<T> {
  const result = await duro([...args, "--json"], options);
  if (result.code !== 0) {
    throw new Error(
      `duro ${args.join(" ")} --json exited with ${result.code ?? result.signal}\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`,
    );
  }
  return JSON.parse(result.stdout) as T;
}

const tempDirs: string[] = [];

/** A new empty directory under the OS temp dir, removed by `removeTempDirs` (kept when DURO_KEEP_TMP is set). */
export function freshDir(prefix = "duro-it-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  if (process.env.DURO_KEEP_TMP) return;
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** The `--db` URL of a SQLite file (absolute path). */
export function sqliteUrl(path: string): string {
  return `sqlite:${path}`;
}

/** One side effect a fixture step performed (see workflows/effects.ts). */
export interface Effect {
  key: string;
  attempt: number;
  idempotencyKey: string;
  pid: number;
}

/** The side-effect log the fixture steps append to, one JSON line per executed step function. */
export function readEffects(file: string): Effect[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as Effect);
}

/** Each step key's effects in the order they happened. */
export function effectsByKey(effects: Effect[]): Map<string, Effect[]> {
  const byKey = new Map<string, Effect[]>();
  for (const effect of effects) byKey.set(effect.key, [...(byKey.get(effect.key) ?? []), effect]);
  return byKey;
}
