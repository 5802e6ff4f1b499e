// Turns a manifest's components into the ComponentRegistry flows call: trusted JavaScript/TypeScript
// modules are imported from the pack's private copy; WebAssembly modules run sandboxed (wasm.ts).
import { extname, join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Component, ComponentRegistry } from "../core/index.js";
import { packError } from "./errors.js";
import type { ComponentSpec } from "./manifest.js";
import { wasmComponent } from "./wasm.js";
import { isWasiComponent, wasiComponent } from "./wasm-component.js";

export interface LoadComponentsOptions {
  /** The directory holding the pack's verified files. */
  root: string;
  /** The verified file contents, by pack-relative name. */
  files: ReadonlyMap<string, Uint8Array>;
  /** Values for wasm `env:NAME` capabilities. default process.env */
  env?: Readonly<Record<string, string | undefined>>;
}

// @types/node declares WebAssembly's types but not the global's value.
const wasmValidate = (globalThis as unknown as { WebAssembly: { validate(bytes: Uint8Array): boolean } }).WebAssembly.validate;
const TS_EXTENSIONS = new Set([".ts", ".mts", ".cts"]);
let tsxRegistered = false;

export async function loadComponents(specs: Record<string, ComponentSpec>, options: LoadComponentsOptions): Promise<ComponentRegistry> {
  const registry: Record<string, Component> = {};
  for (const [name, spec] of Object.entries(specs)) {
    registry[name] = spec.kind === "wasm" ? await loadWasm(name, spec, options) : await loadJs(name, spec, options.root);
  }
  return Object.freeze(registry);
}

async function loadWasm(name: string, spec: ComponentSpec, options: LoadComponentsOptions): Promise<Component> {
  const bytes = options.files.get(spec.path) as Uint8Array;
  const wasmOptions = {
    name,
    capabilities: spec.capabilities,
    root: options.root,
    ...(spec.timeout !== undefined ? { timeout: spec.timeout } : {}),
    ...(options.env ? { env: options.env } : {}),
  };
  if (isWasiComponent(bytes)) return wasiComponent(bytes, wasmOptions);
  if (!wasmValidate(bytes)) {
    throw packError("component_load_failed", `component "${name}" (${spec.path}) is not a valid WebAssembly module or component`, {
      component: name,
    });
  }
  return wasmComponent(bytes, wasmOptions);
}

async function loadJs(name: string, spec: ComponentSpec, root: string): Promise<Component> {
  const file = join(root, spec.path);
  if (TS_EXTENSIONS.has(extname(file)) && !tsxRegistered) {
    const { register } = await import("tsx/esm/api");
    register();
    tsxRegistered = true;
  }
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (error) {
    throw packError("component_load_failed", `component "${name}" (${spec.path}) could not be loaded: ${(error as Error).message}`, {
      component: name,
    });
  }
  const exportName = spec.export ?? "default";
  const value = module[exportName];
  if (typeof value !== "function") {
    throw packError(
      "component_load_failed",
      `component "${name}": ${spec.path} has no function export "${exportName}"; export \`async (input, step) => result\` as default or set components.${name}.export`,
      { component: name },
    );
  }
  return async (input, step) => (value as Component)(input, step);
}
