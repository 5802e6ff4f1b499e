// The Hono, Express and Fastify apps of examples/apps/, each started as `node --import tsx server.ts`; see apps.ts for
// the journey: start through the app, SSE and approval at /duro, SIGTERM mid-step, restart, no step run twice.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, it } from "vitest";
import { REPO_ROOT } from "../support/cli.js";
import { exerciseApp, startApp } from "./apps.js";

describe.each(["hono", "express", "fastify"])("examples/apps/%s", (name) => {
  const dir = mkdtempSync(join(tmpdir(), `duro-app-${name}-`));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("starts a run through the app, streams and approves it at /duro, drains at SIGTERM and resumes after restart", async () => {
    await exerciseApp((env) => startApp(["--import", "tsx", join(REPO_ROOT, "examples", "apps", name, "server.ts")], env), dir);
  }, 120_000);
});
