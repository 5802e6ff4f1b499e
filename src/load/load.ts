// Loads workflow files into workflow definitions: the user's modules (TypeScript through tsx, or JavaScript) with the
// workflows, queues and schedules they export (a schedule brings its workflow along), flow documents (.yaml, .yml,
// .json, through flow-file.ts) and packs (pack-file.ts). The CLI, the server and user code load files through here.
import { extname, resolve } from "node:path";
import { isQueueDefinition } from "../core/index.js";
import { DuroError, isScheduleDefinition, isWorkflowDefinition, type WorkflowDefinition } from "../index.js";
import { importModule } from "./import-module.js";
import { FLOW_EXTENSIONS, isPackPath, type LoadedModule, type LoadOptions } from "./loaded.js";
import { codeManifest } from "./manifest.js";

/** Loads one workflow module, flow file or pack; an unsigned or untrusted pack is refused unless options say otherwise. */
export async function loadWorkflowFile(path: string, options: LoadOptions = {}): Promise<LoadedModule> {
  // Flows and packs bring their own modules (expressions, schemas, zips): loaded only when such a file is given.
  if (isPackPath(path)) return (await import("./pack-file.js")).loadPackFile(path, options);
  if (FLOW_EXTENSIONS.has(extname(path).toLowerCase())) return (await import("./flow-file.js")).loadFlowFile(path, options);
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
  const loaded: LoadedModule = {
    file,
    workflows,
    queues: Object.values(module).filter(isQueueDefinition),
    schedules,
    manifest: codeManifest(file),
  };
  if (isWorkflowDefinition(module.default)) loaded.defaultWorkflow = module.default;
  return loaded;
}

/** Loads each file in turn (see loadWorkflowFile). */
export async function loadWorkflowFiles(paths: string[], options: LoadOptions = {}): Promise<LoadedModule[]> {
  const modules: LoadedModule[] = [];
  for (const path of paths) modules.push(await loadWorkflowFile(path, options));
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
