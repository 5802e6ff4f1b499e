// `ctx.workspace` and the built-in file tools (read_file, write_file, list_files, apply_patch) bound to it. Before a
// resumed run's code runs, its workspace is checked against the journal's hashes (workspace_mismatch).
import { resolve } from "node:path";
import { type ContextExtension, contextSlot, DuroError, type WorkflowContext } from "../core/index.js";
import { type Tool, tool } from "./tools.js";
import { Workspace, type WorkspaceWrite } from "./workspace.js";

export interface WorkspaceOptions {
  /** Folder holding one workspace per run (`<root>/<runId>`). default ".duro/workspaces" (from the working directory) */
  root?: string;
  /** A run's workspace folder, instead of `<root>/<runId>`. */
  dir?: (runId: string) => string;
}

/** A run's workspace as the workflow code sees it: its folder, plain reads, and journaled writes. */
export class RunWorkspace {
  readonly files: Workspace;

  constructor(
    private readonly ctx: WorkflowContext,
    dir: string,
  ) {
    this.files = new Workspace(dir);
  }

  /** The workspace folder (absolute). */
  get dir(): string {
    return this.files.dir;
  }

  /** Reads a file of the workspace (not journaled: read inside a step when the result must be). */
  readFile(path: string): string {
    return this.files.readFile(path);
  }

  /** Writes a file as a journaled step that records its sha256. */
  writeFile(path: string, content: string): Promise<WorkspaceWrite> {
    return this.ctx.step("workspace:write", () => this.files.writeFile(path, content));
  }

  /** The built-in tools for an agent: read_file, write_file, list_files and apply_patch, only inside this workspace. */
  tools(): Tool[] {
    const files = this.files;
    return [
      tool({
        name: "read_file",
        description: "Reads a text file of the workspace. Paths are relative to the workspace.",
        parameters: pathParams,
        run: (args) => files.readFile(String(args.path)),
      }),
      tool({
        name: "write_file",
        description: "Writes a text file of the workspace (replacing it), creating folders as needed.",
        parameters: {
          type: "object",
          properties: { path: { type: "string" }, content: { type: "string" } },
          required: ["path", "content"],
          additionalProperties: false,
        },
        run: (args) => files.writeFile(String(args.path), String(args.content)),
      }),
      tool({
        name: "list_files",
        description: "Lists the files of the workspace (or of one folder of it).",
        parameters: { type: "object", properties: { path: { type: "string" } }, additionalProperties: false },
        run: (args) => files.listFiles(typeof args.path === "string" ? args.path : "."),
      }),
      tool({
        name: "apply_patch",
        description: "Applies a unified diff (--- a/file, +++ b/file, @@ hunks) to files of the workspace; all or nothing.",
        parameters: { type: "object", properties: { patch: { type: "string" } }, required: ["patch"], additionalProperties: false },
        run: (args) => ({ patched: files.applyPatch(String(args.patch)) }),
      }),
    ];
  }
}

const pathParams = {
  type: "object",
  properties: { path: { type: "string" } },
  required: ["path"],
  additionalProperties: false,
} as const;

declare module "../core/context.js" {
  interface WorkflowContext {
    /** The run's workspace folder (default `.duro/workspaces/<runId>`) and the file tools bound to it. */
    readonly workspace: RunWorkspace;
  }
}

const settings = contextSlot<WorkspaceOptions>("workspace.options");
const workspaces = contextSlot<RunWorkspace>("workspace.instance");

function workspaceDir(runId: string, options: WorkspaceOptions): string {
  return resolve(options.dir ? options.dir(runId) : resolve(options.root ?? ".duro/workspaces", runId));
}

/** Installs `ctx.workspace` and the resume check; the agent toolkit calls it with defaults, `workspaces()` overrides them. */
export const installWorkspace: ContextExtension = (ctx, services) => {
  if (settings.get(ctx)) return;
  settings.set(ctx, {});
  Object.defineProperty(ctx, "workspace", {
    configurable: true,
    enumerable: true,
    get: () => {
      let workspace = workspaces.get(ctx);
      if (!workspace) {
        workspace = new RunWorkspace(ctx, workspaceDir(ctx.runId, settings.get(ctx) ?? {}));
        workspaces.set(ctx, workspace);
      }
      return workspace;
    },
  });
  services.precondition(() => {
    const dir = workspaceDir(ctx.runId, settings.get(ctx) ?? {});
    const found = new Workspace(dir).mismatch(services.journaled);
    if (!found) return undefined;
    const hash = (h: string | null) => h ?? "(no file)";
    return new DuroError(
      "workspace_mismatch",
      `run ${ctx.runId}'s workspace changed behind its journal: ${found.path} should have sha256 ${hash(found.expected)} but has ${hash(found.found)} (in ${dir}); restore the file as the run left it, or fork the run from a step before that write`,
      { category: "step", details: { runId: ctx.runId, path: found.path, expected: found.expected, found: found.found, dir } },
    );
  });
};

/** Sets where runs' workspaces are: add it to `createEngine({ extensions })`. */
export function workspaceOptions(options: WorkspaceOptions): ContextExtension {
  return (ctx, services) => {
    installWorkspace(ctx, services);
    settings.set(ctx, { ...options });
  };
}
