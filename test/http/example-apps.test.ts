// The Hono, Express and Fastify apps of examples/apps/, each started as `node --import tsx server.ts`; see apps.ts for
// the journey: start through the app, SSE and approval at /duro, SIGTERM mid-step, restart, no step run twice.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../support/cli.js";
import { exerciseApp, runOf, startApp } from "./apps.js";

describe.each(["hono", "express", "fastify"])("examples/apps/%s", (name) => {
  let dir = "";
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), `duro-app-${name}-`));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it.runIf(name === "hono")(
    "answers a durable endpoint with its handler's result and the run's id",
    async () => {
      const app = await startApp(["--import", "tsx", join(REPO_ROOT, "examples", "apps", name, "server.ts")], {
        DURO_DB: join(dir, "quote.db"),
      });

      const response = await fetch(`${app.base}/quote`, {
        method: "POST",
        headers: { "content-type": "application/json", "idempotency-key": "q-1" },
        body: JSON.stringify({ item: "lamp" }),
      });
      const run = await runOf(app, response.headers.get("duro-run-id") as string);

      expect(await response.json()).toEqual({ item: "lamp", price: 40 });
      expect(run.status).toBe("completed");
    },
    60_000,
  );

  it("starts a run through the app, streams and approves it at /duro, drains at SIGTERM and resumes after restart", async () => {
    await exerciseApp((env) => startApp(["--import", "tsx", join(REPO_ROOT, "examples", "apps", name, "server.ts")], env), dir);
  }, 120_000);
});
