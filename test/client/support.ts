// A real `duro serve` process (node bin/duro.js, built code) over a SQLite file, with API keys made by the real
// `duro keys create`, for the client's tests; it can be SIGKILLed and started again on the same port and database.
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { DURO_BIN, duroJson, REPO_ROOT } from "../support/cli.js";

export const WORKFLOWS = join(REPO_ROOT, "test", "server", "workflows.ts");

export interface ServeProcess {
  url: string;
  port: number;
  child: ChildProcess;
  /** SIGKILLs the process (after checking it is alive) and resolves once it has exited. */
  kill(): Promise<void>;
  /** SIGTERM, for cleanup. */
  stop(): Promise<void>;
}

/** `duro keys create` for tenant acme with each role; returns the tokens. */
export async function createKeys(db: string, cwd: string): Promise<{ admin: string; operator: string; viewer: string }> {
  const key = async (role: string) =>
    (await duroJson<{ token: string }>(["keys", "create", "--tenant", "acme", "--role", role, "--db", db], { cwd })).token;
  return { admin: await key("admin"), operator: await key("operator"), viewer: await key("viewer") };
}

/** Starts `duro serve` for the test workflows on `port` (0: a free one) and resolves once it listens. */
export async function serve(db: string, cwd: string, port = 0): Promise<ServeProcess> {
  const child = spawn(process.execPath, [DURO_BIN, "serve", WORKFLOWS, "--db", db, "--port", String(port), "--json"], {
    cwd,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      out += chunk;
      const match = /"url":\s*"([^"]+)"/.exec(out);
      if (match) resolve(match[1] as string);
    });
    child.once("exit", (code) => reject(new Error(`duro serve exited with ${code}\n${out}\n${stderr}`)));
  });
  const alive = () => child.exitCode === null && child.signalCode === null;
  return {
    url,
    port: Number(new URL(url).port),
    child,
    kill: async () => {
      if (!alive()) throw new Error(`duro serve (pid ${child.pid}) was not alive before the kill\n${stderr}`);
      process.kill(child.pid as number, 0);
      child.kill("SIGKILL");
      await exited;
    },
    stop: async () => {
      if (!alive()) return;
      child.kill("SIGTERM");
      await exited;
    },
  };
}

/** A fetch that records every request's URL and headers (and lets a test break a response's body). */
export function recordingFetch(breakBody?: (url: string, index: number) => number | undefined) {
  const requests: Array<{ url: string; headers: Record<string, string> }> = [];
  /** URLs of the requests the server answered (headers received), in order. */
  const answered: string[] = [];
  const fetchImpl: typeof fetch = async (input, init) => {
    const url = String(input);
    const headers = Object.fromEntries(Object.entries((init?.headers ?? {}) as Record<string, string>));
    requests.push({ url, headers });
    const response = await fetch(input, init);
    answered.push(url);
    const after = breakBody?.(url, requests.length - 1);
    if (after === undefined || !response.body) return response;
    return new Response(cutAfter(response.body, after), { status: response.status, headers: response.headers });
  };
  return { fetch: fetchImpl, requests, answered };
}

/** The body's first `bytes` bytes, then an error, as a connection that breaks mid-stream gives. */
function cutAfter(body: ReadableStream<Uint8Array>, bytes: number): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let sent = 0;
  return new ReadableStream({
    async pull(controller) {
      const chunk = await reader.read();
      if (chunk.done) return controller.close();
      const room = bytes - sent;
      if (chunk.value.byteLength < room) {
        sent += chunk.value.byteLength;
        return controller.enqueue(chunk.value);
      }
      controller.enqueue(chunk.value.subarray(0, room));
      await reader.cancel();
      controller.error(new TypeError("terminated: the test cut the connection"));
    },
    cancel: () => reader.cancel(),
  });
}
