// WebAssembly components: a WASI preview1 module that reads its JSON input on stdin and writes its JSON
// result on stdout, run in a worker thread (so a time limit can stop it) with only the capabilities
// the manifest grants. Reaching for anything else fails the call with `capability_denied`.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { type Component, type Duration, DuroError, type StepContext, toMs } from "../core/index.js";
import { type Capability, deniedCalls, grantedResources, grantsOf } from "./capabilities.js";
import { capMemory } from "./wasm-memory.js";
import { WASM_WORKER_SOURCE } from "./wasm-worker.js";

export interface WasmComponentOptions {
  /** Name used in messages and as argv[0]. */
  name: string;
  /** default [] */
  capabilities?: readonly Capability[];
  /** The call is stopped and fails with `component_timeout` after this long. default 10s */
  timeout?: Duration;
  /** Where `fs:<dir>` capabilities are rooted (the opened pack's private copy). */
  root?: string;
  /** Values for `env:NAME` capabilities. default process.env */
  env?: Readonly<Record<string, string | undefined>>;
  /** A result (or a preview 2 component's stdout and stderr) larger than this fails with `component_output_too_large`; a module's write that would pass it never happens. default 16 MiB */
  maxOutputBytes?: number;
  /** The component's memory (each core module's, for a preview 2 component) may not grow past this (memory.grow fails); `component_memory_limit`. default 256 MiB */
  maxMemoryBytes?: number;
}

interface WorkerResult {
  kind: "exit" | "trap" | "invalid" | "output_too_large";
  exitCode?: number;
  message?: string;
  /** Bytes written to stdout and stderr. */
  written?: number;
  /** The instance's memory when it trapped. */
  memoryBytes?: number;
  denials: Array<{ call: string; capability: string }>;
}

/** A Component that runs the module `bytes` once per call. */
export function wasmComponent(source: Uint8Array, options: WasmComponentOptions): Component {
  const maxMemory = options.maxMemoryBytes ?? 256 * 1024 * 1024;
  const bytes = capMemory(source, maxMemory, options.name);
  const grants = grantsOf(options.capabilities ?? []);
  const denied = deniedCalls(grants);
  const timeoutMs = toMs(options.timeout ?? "10s");
  const { env, preopens } = grantedResources(grants, { env: options.env ?? process.env, root: options.root ?? "." });
  const maxOutput = options.maxOutputBytes ?? 16 * 1024 * 1024;

  return async (input: unknown, step: StepContext) => {
    const dir = mkdtempSync(join(tmpdir(), "duro-wasm-"));
    try {
      const io = { stdinPath: join(dir, "stdin"), stdoutPath: join(dir, "stdout"), stderrPath: join(dir, "stderr") };
      writeFileSync(io.stdinPath, JSON.stringify(input ?? null));
      const workerData = { bytes, name: options.name, env, preopens, denied, maxOutputBytes: maxOutput, ...io };
      const result = await runWorker<WorkerResult>(WASM_WORKER_SOURCE, workerData, { timeoutMs, signal: step.signal, name: options.name });
      return interpret(result, readFileSync(io.stdoutPath), options.name, { maxOutput, maxMemory });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

interface WorkerLimits {
  timeoutMs: number;
  signal: AbortSignal;
  /** The component's name, for messages. */
  name: string;
  /** The worker's own stdout and stderr (where a WASI preview 2 component's streams land) may not pass this. default unlimited */
  maxOutputBytes?: number;
}

/** Runs `source` in a worker thread with `workerData` and resolves with the first message it posts, within `limits`. */
export function runWorker<T>(source: string, workerData: Record<string, unknown>, limits: WorkerLimits): Promise<T> {
  const { timeoutMs, signal, name } = limits;
  return new Promise((resolve, reject) => {
    const worker = new Worker(source, { eval: true, workerData, stdout: true, stderr: true });
    let settled = false;
    const finish = (settle: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
      settle();
    };
    const stop = (error: DuroError) =>
      finish(
        () =>
          void worker.terminate().then(
            () => reject(error),
            () => reject(error),
          ),
      );
    const timer = setTimeout(
      () =>
        stop(
          new DuroError("component_timeout", `component "${name}" did not finish within ${timeoutMs} ms and was stopped`, {
            category: "step",
            retryable: true,
            details: { component: name, timeoutMs },
          }),
        ),
      timeoutMs,
    );
    const onAbort = () =>
      stop(
        new DuroError("component_aborted", `component "${name}" was stopped: its step was aborted`, { category: "step", retryable: true }),
      );
    signal.addEventListener("abort", onAbort, { once: true });
    // The worker's streams are piped here; unread they would buffer without bound, so they are counted and dropped.
    let written = 0;
    const count = (chunk: Buffer) => {
      written += chunk.length;
      if (limits.maxOutputBytes === undefined || written <= limits.maxOutputBytes) return;
      stop(
        new DuroError(
          "component_output_too_large",
          `component "${name}" wrote more than its ${limits.maxOutputBytes} byte output limit and was stopped`,
          {
            category: "step",
            details: { component: name, limit: limits.maxOutputBytes, written },
          },
        ),
      );
    };
    worker.stdout.on("data", count);
    worker.stderr.on("data", count);
    worker.once("message", (message: T) => finish(() => resolve(message)));
    worker.once("error", (error) =>
      finish(() =>
        reject(new DuroError("component_failed", `component "${name}" crashed: ${error.message}`, { category: "step", cause: error })),
      ),
    );
    worker.once("exit", (code) =>
      finish(() =>
        reject(
          new DuroError("component_failed", `component "${name}" stopped (worker exit ${code}) without a result`, { category: "step" }),
        ),
      ),
    );
  });
}

function interpret(result: WorkerResult, stdout: Buffer, name: string, limits: { maxOutput: number; maxMemory: number }): unknown {
  const { maxOutput, maxMemory } = limits;
  const denial = result.denials[0];
  if (denial) {
    throw new DuroError(
      "capability_denied",
      `component "${name}" called ${denial.call}, which needs the "${denial.capability}" capability it was not granted; grant it in pack.yaml (components.${name}.capabilities) if the pack should have it`,
      { category: "step", details: { component: name, call: denial.call, capability: denial.capability } },
    );
  }
  if (result.kind === "invalid") {
    throw new DuroError("component_invalid", `component "${name}" is not a runnable WASI module: ${result.message}`, {
      category: "definition",
      details: { component: name },
    });
  }
  if (result.kind === "output_too_large" || stdout.length > maxOutput) {
    throw new DuroError(
      "component_output_too_large",
      `component "${name}" tried to write more than its ${maxOutput} byte output limit; the write was refused (${result.written ?? stdout.length} bytes were written)`,
      {
        category: "step",
        details: { component: name, limit: maxOutput, written: result.written ?? stdout.length },
      },
    );
  }
  // Growing past the cap fails memory.grow; a module that cannot live with that traps with its memory at the cap.
  if (result.kind === "trap" && result.memoryBytes !== undefined && result.memoryBytes + 64 * 1024 > maxMemory) {
    throw new DuroError(
      "component_memory_limit",
      `component "${name}" trapped (${result.message}) with its memory at its limit of ${maxMemory} bytes; it needs more memory than it may use`,
      { category: "limit", details: { component: name, limit: maxMemory, memoryBytes: result.memoryBytes } },
    );
  }
  if (result.kind === "trap") {
    throw new DuroError("component_failed", `component "${name}" trapped: ${result.message}`, {
      category: "step",
      details: { component: name },
    });
  }
  if (result.exitCode !== 0) {
    throw new DuroError("component_failed", `component "${name}" exited with code ${result.exitCode}`, {
      category: "step",
      details: { component: name, exitCode: result.exitCode },
    });
  }
  try {
    return JSON.parse(stdout.toString("utf8"));
  } catch (error) {
    throw new DuroError("component_output_invalid", `component "${name}" did not write JSON on stdout: ${(error as Error).message}`, {
      category: "step",
      details: { component: name },
    });
  }
}
