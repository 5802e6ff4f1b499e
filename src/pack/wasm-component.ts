// WebAssembly components of the component model (WASI preview 2): the component's bytes are turned into JavaScript
// by jco's bindgen here, on the host, so nothing the pack ships runs as JavaScript; a component importing an
// interface its grants do not allow is refused before it ever runs. Each call runs in a worker thread, as modules do.
import { type Component, DuroError, type StepContext, toMs } from "../core/index.js";
import { type DeniedImport, deniedImports, grantedResources, grantsOf } from "./capabilities.js";
import { packError } from "./errors.js";
import { runWorker, type WasmComponentOptions } from "./wasm.js";
import { WASM_COMPONENT_WORKER_SOURCE } from "./wasm-component-worker.js";
import { capMemory } from "./wasm-memory.js";

/** The same options as a preview 1 module's. */
export type WasiComponentOptions = WasmComponentOptions;

type WorkerResult =
  | { kind: "ok"; value: unknown }
  | { kind: "err"; message: string }
  | { kind: "trap"; message: string }
  | { kind: "invalid"; message: string };

/** The preview2-shim modules the worker may link, by WASI package. */
const SHIM_MODULES = ["io", "cli", "clocks", "random", "filesystem"] as const;

/**
 * True when `bytes` are a component-model component rather than a core module: the preamble's version
 * field is 0x0d and its layer field is 1 (a core module has version 1, layer 0).
 */
export function isWasiComponent(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && bytes[0] === 0 && bytes[4] === 0x0d && bytes[5] === 0 && bytes[6] === 1 && bytes[7] === 0;
}

/** A Component that calls the component's `run: func(input: string) -> result<string, string>` export once per call. */
export async function wasiComponent(source: Uint8Array, options: WasiComponentOptions): Promise<Component> {
  const { name } = options;
  const transpiled = await transpile(source, name);
  const grants = grantsOf(options.capabilities ?? []);
  const denied = deniedImports(transpiled.imports, grants);
  if (denied.length > 0) throw importDenied(name, denied);
  if (!transpiled.exports.some(([exported, type]) => exported === "run" && type === "function")) {
    throw packError(
      "component_load_failed",
      `component "${name}" has no run export; a WASI preview 2 component must export run: func(input: string) -> result<string, string>`,
      { component: name },
    );
  }

  const maxMemory = options.maxMemoryBytes ?? 256 * 1024 * 1024;
  const maxOutput = options.maxOutputBytes ?? 16 * 1024 * 1024;
  const timeoutMs = toMs(options.timeout ?? "10s");
  const { env, preopens } = grantedResources(grants, { env: options.env ?? process.env, root: options.root ?? "." });
  const shim = Object.fromEntries(SHIM_MODULES.map((module) => [module, import.meta.resolve(`@bytecodealliance/preview2-shim/${module}`)]));
  const cores: Record<string, Uint8Array> = {};
  for (const [file, bytes] of Object.entries(transpiled.cores)) cores[file] = capMemory(bytes, maxMemory, name);
  const fixed = { js: transpiled.js, cores, shim, name, env, preopens, linked: transpiled.imports };

  return async (input: unknown, step: StepContext) => {
    const workerData = { ...fixed, input: JSON.stringify(input ?? null) };
    const limits = { timeoutMs, signal: step.signal, name, maxOutputBytes: maxOutput };
    const result = await runWorker<WorkerResult>(WASM_COMPONENT_WORKER_SOURCE, workerData, limits);
    return interpret(result, name, maxOutput);
  };
}

interface Transpiled {
  js: string;
  cores: Record<string, Uint8Array>;
  /** Imported interfaces, without versions. */
  imports: string[];
  exports: Array<[string, string]>;
}

async function transpile(source: Uint8Array, name: string): Promise<Transpiled> {
  // Loaded on first use: the bindgen is a few MB of WebAssembly that a process without components never needs.
  const bindgen = await import("@bytecodealliance/jco-transpile/component");
  await bindgen.$init;
  let generated: ReturnType<typeof bindgen.generate>;
  try {
    generated = bindgen.generate(source, {
      name: "component",
      instantiation: { tag: "sync" },
      noTypescript: true,
      noNodejsCompat: true,
      base64Cutoff: 0,
      map: [],
    });
  } catch (error) {
    throw packError("component_load_failed", `component "${name}" is not a valid WebAssembly component: ${errorText(error)}`, {
      component: name,
    });
  }
  const cores: Record<string, Uint8Array> = {};
  let js = "";
  for (const [file, bytes] of generated.files) {
    if (file.endsWith(".wasm")) cores[file] = bytes;
    else if (file.endsWith(".js")) js = new TextDecoder().decode(bytes);
  }
  return { js, cores, imports: generated.imports, exports: generated.exports };
}

function importDenied(name: string, denied: DeniedImport[]): DuroError {
  const what = denied.map((d) => (d.capability ? `${d.import} (needs "${d.capability}")` : `${d.import} (never granted)`)).join(", ");
  const grantable = [...new Set(denied.flatMap((d) => (d.capability ? [d.capability] : [])))];
  const fix =
    grantable.length > 0
      ? `grant ${grantable.map((c) => (c === "env" ? "env:NAME" : c === "fs" ? "fs:<dir>" : c)).join(", ")} in pack.yaml (components.${name}.capabilities) if the pack should have it`
      : "components never get sockets, http or non-WASI imports; remove the import";
  return new DuroError("component_import_denied", `component "${name}" imports ${what}; it was refused before running: ${fix}`, {
    category: "definition",
    details: { component: name, imports: denied },
  });
}

function interpret(result: WorkerResult, name: string, maxOutput: number): unknown {
  switch (result.kind) {
    case "invalid":
      throw new DuroError("component_invalid", `component "${name}" does not instantiate: ${result.message}`, {
        category: "definition",
        details: { component: name },
      });
    case "trap":
      throw new DuroError("component_failed", `component "${name}" trapped: ${result.message}`, {
        category: "step",
        details: { component: name },
      });
    case "err":
      throw new DuroError("component_failed", `component "${name}" returned an error: ${result.message}`, {
        category: "step",
        details: { component: name, error: result.message },
      });
    case "ok":
      return parseOutput(result.value, name, maxOutput);
    default:
      return result satisfies never;
  }
}

function parseOutput(value: unknown, name: string, maxOutput: number): unknown {
  if (typeof value !== "string") {
    throw new DuroError("component_output_invalid", `component "${name}"'s run returned ${typeof value}, not JSON text`, {
      category: "step",
      details: { component: name },
    });
  }
  const bytes = Buffer.byteLength(value);
  if (bytes > maxOutput) {
    throw new DuroError(
      "component_output_too_large",
      `component "${name}" returned ${bytes} bytes, over its ${maxOutput} byte output limit`,
      {
        category: "step",
        details: { component: name, limit: maxOutput, written: bytes },
      },
    );
  }
  try {
    return JSON.parse(value);
  } catch (error) {
    throw new DuroError("component_output_invalid", `component "${name}"'s run did not return JSON: ${errorText(error)}`, {
      category: "step",
      details: { component: name },
    });
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
