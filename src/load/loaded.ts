// What loading a file gives (its workflows, queues, schedules and, for a pack, what was opened) and how a file is
// recognised as a flow or a pack. Shared by the loaders of each kind of file so that none imports another.
import { existsSync, statSync } from "node:fs";
import { extname, join } from "node:path";
import type { QueueDefinition, RunManifest } from "../core/index.js";
import type { ScheduleDefinition, WorkflowDefinition } from "../index.js";
import type { SigningMode } from "../pack/index.js";

/** Files that are flow documents, not modules. */
export const FLOW_EXTENSIONS = new Set([".yaml", ".yml", ".json"]);

/** A .duropack file, or a directory holding a pack manifest (pack.yaml, MANIFEST_FILE in pack/manifest.ts). */
export function isPackPath(path: string): boolean {
  if (extname(path).toLowerCase() === ".duropack") return true;
  return existsSync(path) && statSync(path).isDirectory() && existsSync(join(path, "pack.yaml"));
}

export interface LoadedModule {
  file: string;
  workflows: WorkflowDefinition[];
  /** Queues the module exports (workflows' inline queues are found through the workflows). */
  queues: QueueDefinition[];
  schedules: ScheduleDefinition[];
  /** For a pack: what was opened, recorded with the runs it starts. */
  pack?: { id: string; version: string; digest: string; signature: string; keyId?: string; warnings?: string[] };
  /** What the runs started from this file record as their manifest (`run_created.manifest`); pass it to `engine.start`. */
  manifest: RunManifest;
  /** The module's default export, when it is a workflow. */
  defaultWorkflow?: WorkflowDefinition;
}

/** How a pack is trusted. */
export interface PackLoadOptions {
  /** strict: a pack must be signed by a trusted key; dev: unsigned or untrusted packs load with a warning. default "strict" */
  signing?: SigningMode;
  /** .pem files or directories of them. default [] */
  trustedKeys?: string[];
}

export interface LoadOptions extends PackLoadOptions {
  /**
   * Told each warning that does not stop loading (an unreachable flow node, a pack signature accepted in dev mode).
   * default: one `duro: warning: …` line on stderr
   */
  onWarning?: (warning: string) => void;
}

/** Prints a warning on stderr: loading never keeps one from the author. */
export const warnOnStderr = (warning: string): void => console.warn(`duro: warning: ${warning}`);
