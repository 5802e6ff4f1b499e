// Example apps as real node processes (not wrappers, so signals reach them) and the journey each must support: a run
// started through the app's own route, streamed and approved through duro's API at /duro, and SIGTERM while a step
// runs: the app drains (the step finishes and is journaled), exits, and after a restart the run completes without
// running that step again.
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { afterEach, expect } from "vitest";
import { REPO_ROOT } from "../support/cli.js";
import { until } from "../support/poll.js";
import { readSse } from "./support.js";

const TOKEN = "example-admin-token";
const auth = { authorization: `Bearer ${TOKEN}` };

export interface App {
  child: ChildProcess;
  base: string;
  /** Everything the process printed so far. */
  output(): string;
  exited: Promise<number | null>;
}

const started: ChildProcess[] = [];
afterEach(() => {
  for (const child of started.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
});

/** How an app says it listens (the port is the first group), its working directory and extra environment. */
export interface Launch {
  ready: RegExp;
  cwd?: string;
  env?: Record<string, string>;
}

const NODE_APP: Launch = { ready: /listening on http:\/\/localhost:(\d+)/, env: { PORT: "0" } };

/** Starts `node <args>` (node itself, not a wrapper, so that a signal reaches the app) and waits for its port. */
export async function startApp(args: string[], env: Record<string, string>, launch: Launch = NODE_APP): Promise<App> {
  const file = args.join(" ");
  const child = spawn(process.execPath, args, {
    cwd: launch.cwd ?? REPO_ROOT,
    env: { ...process.env, ADMIN_TOKEN: TOKEN, ...launch.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  started.push(child);
  let output = "";
  child.stdout?.on("data", (chunk) => {
    output += String(chunk);
  });
  child.stderr?.on("data", (chunk) => {
    output += String(chunk);
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const port = await until(
    async () => launch.ready.exec(output)?.[1] ?? (child.exitCode === null ? undefined : "exited"),
    (found) => found !== undefined,
    `${file} to listen`,
    { timeoutMs: 60_000 },
  );
  if (port === "exited") throw new Error(`${file} exited: ${output}`);
  return { child, base: `http://127.0.0.1:${port}`, output: () => output, exited };
}

export async function runOf(
  app: App,
  runId: string,
): Promise<{ status: string; output?: unknown; steps: Array<{ key: string; status: string }> }> {
  return (await fetch(`${app.base}/duro/v1/runs/${runId}`, { headers: auth })).json() as never;
}

/** The whole journey an example app must support; see the file's header. */
export async function exerciseApp(start: (env: Record<string, string>) => Promise<App>, dir: string): Promise<void> {
  const env = { DURO_DB: join(dir, "app.db"), RESERVE_MS: "1500" };
  const first = await start(env);

  const ordered = await fetch(`${first.base}/orders`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ item: "lamp" }),
  });
  const { runId } = (await ordered.json()) as { runId: string };
  await until(
    async () => first.output(),
    (text) => text.includes("step reserve started for lamp"),
    "the reserve step to start",
  );
  const midRun = await runOf(first, runId);
  const aliveBefore = first.child.exitCode === null && process.kill(first.child.pid as number, 0);
  first.child.kill("SIGTERM");
  const exitCode = await first.exited;

  const second = await start(env);
  const afterRestart = await until(
    () => runOf(second, runId),
    (run) => run.status === "waiting",
    "the run to wait for approval",
  );
  const stream = await fetch(`${second.base}/duro/v1/runs/${runId}/stream`, { headers: auth });
  const streamed = await readSse(stream, (m) => m.event === "journal" && JSON.parse(m.data).type === "wait_started");
  const approved = await fetch(`${second.base}/duro/v1/runs/${runId}/approvals/ship`, {
    method: "POST",
    headers: { ...auth, "content-type": "application/json" },
    body: JSON.stringify({ action: "approve", by: "grace" }),
  });
  const done = await until(
    () => runOf(second, runId),
    (run) => run.status === "completed",
    "the run to complete",
  );
  const unauthorized = await fetch(`${second.base}/duro/v1/runs/${runId}`);
  second.child.kill("SIGTERM");
  await second.exited;
  const output = first.output() + second.output();

  expect(ordered.status).toBe(201);
  expect(aliveBefore).toBe(true);
  expect(midRun.status).toBe("running");
  expect(exitCode).toBe(0);
  expect(first.output()).toContain("duro: draining");
  expect(first.output()).toContain("duro: closed");
  // The drain let the running step finish and journal it before the process exited.
  expect(afterRestart.steps.find((s) => s.key === "reserve#0")?.status).toBe("completed");
  expect(streamed.map((m) => JSON.parse(m.data).type)).toContain("step_completed");
  expect(approved.status).toBe(202);
  expect(done.output).toEqual({ item: "lamp", slot: "A-1", shipped: true, by: "grace" });
  expect(output.match(/step reserve started for lamp/g)).toHaveLength(1);
  expect(output.match(/step ship ran for lamp/g)).toHaveLength(1);
  expect(unauthorized.status).toBe(401);
}
