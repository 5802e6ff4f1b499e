// Loads the user's workflow modules (TypeScript through tsx, or JavaScript) and collects the workflows, queues and
// schedules they export (a schedule brings its workflow along); flow documents (.yaml, .yml, .json) load through
// flow-file.ts.
import { existsSync, statSync } from "node:fs";
import { extname, join, resolve } from "node:path";
import { isQueueDefinition, type QueueDefinition } from "../core/index.js";
import { DuroError, isScheduleDefinition, isWorkflowDefinition, type ScheduleDefinition, type WorkflowDefinition } from "../index.js";
import { importModule } from "./import-module.js";
import type { PackLoadOptions } from "./pack-file.js";

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
  pack?: { id: string; version: string; signature: string; keyId?: string; warnings?: string[] };
  /** The module's default export, when it is a workflow. */
  defaultWorkflow?: WorkflowDefinition;
}

const STRICT: PackLoadOptions = { signing: "strict", trustedKeys: [] };

export async function loadWorkflowFile(path: string, packs: PackLoadOptions = STRICT): Promise<LoadedModule> {
  // Flows and packs bring their own modules (expressions, schemas, zips): loaded only when such a file is given.
  if (isPackPath(path)) return (await import("./pack-file.js")).loadPackFile(path, packs);
  if (FLOW_EXTENSIONS.has(extname(path).toLowerCase())) return (await import("./flow-file.js")).loadFlowFile(path);
  const file = resolve(path);
  const module = await importModule(path, "workflow file");
  const schedules = [...new Set(Object.values(module).filter(isScheduleDefinition))];
  const exported = Object.values(module).filter(isWorkflowDefinition);
  const workflows = [...new Set([...exported, ...schedules.map((s) => s.workflow as WorkflowDefinition)])];
  if (workflows.length === 0) {
    throw new DuroError(
      "no_workflows",
      `${path} exports no workflow; export one, e.g. \`export const order = workflow("order", async (ctx, input) => { … })\``,
      { category: "input", details: { file } },
    );
  }
  const loaded: LoadedModule = { file, workflows, queues: Object.values(module).filter(isQueueDefinition), schedules };
  if (isWorkflowDefinition(module.default)) loaded.defaultWorkflow = module.default;
  return loaded;
}

export async function loadWorkflowFiles(paths: string[], packs: PackLoadOptions = STRICT): Promise<LoadedModule[]> {
  const modules: LoadedModule[] = [];
  for (const path of paths) modules.push(await loadWorkflowFile(path, packs));
  return modules;
}

/**
 * The workflow `duro run` starts: `--workflow`, else the default export, else the only one. Of several versions of
 * one name, the last exported (the newest, as the engine starts it).
 */
export function pickWorkflow(module: LoadedModule, name: string | undefined): WorkflowDefinition {
  const names = module.workflows.map((w) => w.name);
  if (name !== undefined) {
    const found = module.workflows.filter((w) => w.name === name).at(-1);
    if (found) return found;
    throw new DuroError("workflow_not_found", `${module.file} has no workflow named "${name}"; it exports: ${names.join(", ")}`, {
      category: "input",
      details: { workflow: name, known: names },
    });
  }
  if (module.defaultWorkflow) return module.defaultWorkflow;
  if (names.length === 0) {
    throw new DuroError("no_workflows", `${module.file} holds no workflow to run`, { category: "input", details: { file: module.file } });
  }
  if (new Set(names).size === 1) return module.workflows.at(-1) as WorkflowDefinition;
  throw new DuroError("workflow_required", `${module.file} exports several workflows (${names.join(", ")}); choose one with --workflow`, {
    category: "input",
    details: { known: names },
  });
}
