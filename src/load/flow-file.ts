// Flow documents as workflow files (`duro run flow.yaml`, `duro worker flow.yaml`, loadWorkflowFile). Conventions:
// - `components:` in the document names modules (relative to the file) whose exported functions are the
//   components `call` nodes use, by export name; a default-exported object adds its entries ("crm.lookup").
// - `subflow: { flow: <x> }` names a flow by id, found among the .yaml/.yml/.json flow files of the same
//   directory, or by a relative path (it contains "/" or ends in .yaml/.yml/.json).
// Everything (each reachable flow, its components and subflows) is checked before anything runs, and all
// problems of all files are reported in one `flow_invalid` error.

import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, extname, join, resolve } from "node:path";
import type { Component, ComponentRegistry } from "../core/index.js";
import {
  analyzeFlow,
  flowInvalid,
  flowWorkflow,
  type JsonSchema,
  parseSchemaText,
  peekFlow,
  problemLocation,
  subflowIds,
} from "../flow/index.js";
import { DuroError, type FlowDocument, type FlowProblem, type WorkflowDefinition } from "../index.js";
import { importModule } from "./import-module.js";
import { FLOW_EXTENSIONS, type LoadedModule, type LoadOptions, warnOnStderr } from "./loaded.js";
import { codeManifest } from "./manifest.js";

interface FlowFile {
  file: string;
  doc: FlowDocument;
  components: ComponentRegistry;
  /** The flows its subflow nodes name, by the name they use. */
  subflows: Map<string, FlowFile>;
  definition?: WorkflowDefinition;
}

// One FlowFile per path and process, so a subflow several flows share is one workflow definition.
const files = new Map<string, FlowFile>();

/** Loads a flow file and every flow it reaches; its workflow is the default, the subflows' come along. */
export async function loadFlowFile(path: string, options: Pick<LoadOptions, "onWarning"> = {}): Promise<LoadedModule> {
  const problems: FlowProblem[] = [];
  const root = await load(resolve(path), path, problems, new Map());
  if (!root || problems.some((p) => p.severity === "error")) throw flowInvalid(problems, path);
  reportWarnings(problems, options.onWarning ?? warnOnStderr);
  const reached = new Set<FlowFile>();
  collect(root, reached);
  const workflows = [...reached].map(define);
  return { file: root.file, workflows, queues: [], schedules: [], defaultWorkflow: define(root), manifest: codeManifest(root.file) };
}

async function load(file: string, shown: string, problems: FlowProblem[], loading: Map<string, FlowFile>): Promise<FlowFile | undefined> {
  const known = files.get(file) ?? loading.get(file);
  if (known) return known;
  const text = readText(file, shown);
  const components = await loadComponents(file, text);
  const subflowFiles = new Map<string, string | undefined>();
  const resolveFile = (id: string) => {
    if (!subflowFiles.has(id)) subflowFiles.set(id, findFlow(dirname(file), id));
    return subflowFiles.get(id);
  };
  const { document, problems: found } = analyzeFlow(text, {
    path: shown,
    schemaFiles: (relative) => readSchemaFile(join(dirname(file), relative), relative),
    components,
    flows: (id) => (resolveFile(id) ? ({} as FlowDocument) : undefined),
  });
  problems.push(...found);
  if (found.some((p) => p.severity === "error")) return undefined;
  const flow: FlowFile = { file, doc: document as FlowDocument, components, subflows: new Map() };
  loading.set(file, flow);
  for (const id of new Set(subflowIds(flow.doc))) {
    const target = resolveFile(id) as string;
    const child = await load(target, target, problems, loading);
    if (child) flow.subflows.set(id, child);
  }
  files.set(file, flow);
  return flow;
}

/** A schema file beside a flow file (JSON or YAML); undefined when there is none. */
function readSchemaFile(file: string, shown: string): JsonSchema | undefined {
  return existsSync(file) ? parseSchemaText(readFileSync(file, "utf8"), shown) : undefined;
}

function readText(file: string, shown: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    throw new DuroError(
      "file_not_found",
      `flow file ${shown} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
      {
        category: "input",
        details: { file },
      },
    );
  }
}

/** The components the document's `components:` modules export (see the header). */
async function loadComponents(file: string, text: string): Promise<ComponentRegistry> {
  // A syntax error is reported by analyzeFlow, with its position.
  const listed = peekFlow(text)?.components;
  const modules = typeof listed === "string" ? [listed] : Array.isArray(listed) ? listed.filter((m) => typeof m === "string") : [];
  const registry: Record<string, Component> = {};
  for (const module of modules) {
    const exports = await importModule(resolve(dirname(file), module), `component module (components: in ${file})`);
    for (const [name, value] of Object.entries(exports)) if (typeof value === "function") registry[name] = value as Component;
    const extra = exports.default;
    if (extra && typeof extra === "object") {
      for (const [name, value] of Object.entries(extra)) if (typeof value === "function") registry[name] = value as Component;
    }
  }
  return registry;
}

/** The file of the flow `id` names: a relative path, or the flow file with that id in `dir`. */
function findFlow(dir: string, id: string): string | undefined {
  if (id.includes("/") || FLOW_EXTENSIONS.has(extname(id).toLowerCase())) {
    const file = resolve(dir, id);
    return existsSync(file) ? file : undefined;
  }
  for (const name of readdirSync(dir).sort()) {
    if (!FLOW_EXTENSIONS.has(extname(name).toLowerCase())) continue;
    const file = join(dir, name);
    const doc = peekFlow(readFileSync(file, "utf8"));
    if (doc?.id === id && typeof doc.nodes === "object") return file;
  }
  return undefined;
}

function collect(flow: FlowFile, into: Set<FlowFile>): void {
  if (into.has(flow)) return;
  into.add(flow);
  for (const child of flow.subflows.values()) collect(child, into);
}

function define(flow: FlowFile): WorkflowDefinition {
  flow.definition ??= flowWorkflow(flow.doc, {
    components: flow.components,
    resolveFlow: (id) => flow.subflows.get(id)?.doc,
  });
  return flow.definition;
}

/** Warnings (an unreachable node, …) do not stop a flow, but the author must see them: one line each. */
export function reportWarnings(problems: readonly FlowProblem[], onWarning: (warning: string) => void): void {
  for (const problem of problems) {
    if (problem.severity === "warning") onWarning(`${problemLocation(problem)}: ${problem.message} [${problem.code}]`);
  }
}
