// Runs a docs page's ```sh blocks as written (in order, in one bash, on a free port instead of 8080) in a throwaway
// project that has duro installed, against the real `duro serve`; the tests of docs/api.md and docs/client.md use it.
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, symlinkSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { DURO_BIN, freshDir, REPO_ROOT } from "./cli.js";

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The page's shell blocks (docs/<page>). */
export function shellBlocks(page: string): string[] {
  return [...readFileSync(join(REPO_ROOT, "docs", page), "utf8").matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] as string);
}

/** Runs the blocks as one `set -euo pipefail` script; resolves with its exit code and its stdout and stderr. */
export async function runShellBlocks(blocks: string[]): Promise<{ code: number | null; out: string }> {
  const port = await freePort();
  const script = `set -euo pipefail\n${blocks.join("\n")}`
    .replaceAll("localhost:8080", `localhost:${port}`)
    .replaceAll("--port 8080", `--port ${port}`);
  // A project with duro installed: `npx duro` finds it in node_modules/.bin, `duro/*` and tsx resolve from
  // node_modules; the examples are next to it.
  const dir = freshDir("duro-docs-");
  mkdirSync(join(dir, "node_modules", ".bin"), { recursive: true });
  symlinkSync(DURO_BIN, join(dir, "node_modules", ".bin", "duro"));
  symlinkSync(REPO_ROOT, join(dir, "node_modules", "duro"), "dir");
  symlinkSync(join(REPO_ROOT, "node_modules", "tsx"), join(dir, "node_modules", "tsx"), "dir");
  symlinkSync(join(REPO_ROOT, "examples"), join(dir, "examples"));

  return new Promise<{ code: number | null; out: string }>((resolve) => {
    // Its own process group: in a script `kill %1` stops npx but not the server under it, which the group kill does.
    const child = spawn("bash", ["-c", script], { cwd: dir, env: { ...process.env, NO_COLOR: "1" }, detached: true });
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => {
      out += c;
    });
    child.stderr.setEncoding("utf8").on("data", (c: string) => {
      out += c;
    });
    const stopGroup = (signal: NodeJS.Signals) => {
      try {
        process.kill(-(child.pid as number), signal);
      } catch {
        // the group is already gone
      }
    };
    const timer = setTimeout(() => stopGroup("SIGKILL"), 60_000);
    let code: number | null = null;
    child.on("exit", (exitCode) => {
      code = exitCode;
      stopGroup("SIGTERM");
    });
    child.on("close", () => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}
