// docs/api.md's shell examples, run as written (in order, in one bash, against the real `duro serve`), on a free port.
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, symlinkSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { afterEach, expect, it } from "vitest";
import { DURO_BIN, freshDir, REPO_ROOT, removeTempDirs } from "../support/cli.js";

afterEach(() => removeTempDirs());

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

it("the curl examples in docs/api.md work as written", async () => {
  const blocks = [...readFileSync(join(REPO_ROOT, "docs", "api.md"), "utf8").matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] as string);
  expect(blocks.length).toBeGreaterThan(8);
  const port = await freePort();
  const script = `set -euo pipefail\n${blocks.join("\n")}`
    .replaceAll("localhost:8080", `localhost:${port}`)
    .replaceAll("--port 8080", `--port ${port}`);
  // A project with duro installed: `npx duro` finds it in node_modules/.bin; the examples are next to it.
  const dir = freshDir("duro-docs-");
  mkdirSync(join(dir, "node_modules", ".bin"), { recursive: true });
  symlinkSync(DURO_BIN, join(dir, "node_modules", ".bin", "duro"));
  symlinkSync(join(REPO_ROOT, "examples"), join(dir, "examples"));

  const result = await new Promise<{ code: number | null; out: string }>((resolve) => {
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

  expect(result.code, result.out).toBe(0);
  expect(result.out).toContain('"action":"approve"');
  expect(result.out).toContain('event: end\ndata: "completed"');
  expect(result.out).toContain('"code":"invalid_body"');
  expect(result.out).toContain('"status":"cancelled"');
  expect(result.out).toMatch(/duro_runs\{status="completed"\} 2/);
  expect(result.out).toContain("/v1/runs/{id}/stream");
}, 90_000);
