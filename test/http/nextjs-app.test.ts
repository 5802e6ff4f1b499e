// examples/apps/nextjs under `next start` (the node process itself, NEXT_MANUAL_SIG_HANDLE so that duro's embed drains
// at SIGTERM): the same journey as the other apps (apps.ts). `next dev` needs a compile per route at first request,
// so the app is built once (`next build --webpack`: Turbopack refuses this checkout's symlinked node_modules).
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, it } from "vitest";
import { REPO_ROOT } from "../support/cli.js";
import { exerciseApp, startApp } from "./apps.js";

const APP_DIR = join(REPO_ROOT, "examples", "apps", "nextjs");
const NEXT = join(REPO_ROOT, "node_modules", "next", "dist", "bin", "next");
const ENV = { NEXT_TELEMETRY_DISABLED: "1", CI: "1" };

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe("examples/apps/nextjs", () => {
  const dir = mkdtempSync(join(tmpdir(), "duro-app-nextjs-"));
  beforeAll(() => {
    const started = Date.now();
    execFileSync(process.execPath, [NEXT, "build", "--webpack"], { cwd: APP_DIR, env: { ...process.env, ...ENV }, stdio: "pipe" });
    console.log(`next build --webpack took ${Date.now() - started} ms`);
  }, 600_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("starts a run through the app, streams and approves it at /duro, drains at SIGTERM and resumes after restart", async () => {
    await exerciseApp(async (env) => {
      const port = await freePort();
      return startApp([NEXT, "start", "-p", String(port), "-H", "127.0.0.1"], env, {
        ready: /Local:\s+http:\/\/[^:]+:(\d+)/,
        cwd: APP_DIR,
        env: { ...ENV, NEXT_MANUAL_SIG_HANDLE: "true" },
      });
    }, dir);
  }, 180_000);
});
