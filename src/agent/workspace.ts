// A run's workspace: a directory the run owns, and the only place its file tools may touch. Paths are checked
// (absolute, `..`, symlinks leading out are refused); each write is journaled with its sha256, so a resumed run can
// tell whether the files are still the ones its journal says it wrote.
import { createHash } from "node:crypto";
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { DuroError, type OpState } from "../core/index.js";
import { applyFilePatch, parsePatch } from "./patch.js";

/** What a journaled write records: the file (relative to the workspace) and its content's sha256 (null: deleted). */
export interface WorkspaceWrite {
  workspaceFile: string;
  sha256: string | null;
  bytes: number;
}

export const sha256Hex = (bytes: string | Uint8Array) => createHash("sha256").update(bytes).digest("hex");

/** A file's sha256, or null when there is no such file. */
function fileHash(path: string): string | null {
  return existsSync(path) ? sha256Hex(readFileSync(path)) : null;
}

function outside(path: string, why: string): DuroError {
  return new DuroError(
    "workspace_path_outside",
    `"${path}" is outside the workspace: ${why}; use a path relative to the workspace, such as "notes/plan.md"`,
    { category: "input", details: { path } },
  );
}

/** Files of one run's workspace directory (created on first write). All paths are relative to `dir`. */
export class Workspace {
  constructor(readonly dir: string) {}

  /** The absolute path of `path`; `workspace_path_outside` for an absolute path, a `..` escape or a symlink out. */
  resolve(path: string): string {
    if (typeof path !== "string" || path.trim() === "") throw outside(String(path), "the path is empty");
    if (isAbsolute(path) || /^[a-zA-Z]:[\\/]/.test(path) || path.startsWith("\\")) throw outside(path, "absolute paths are refused");
    const full = resolve(this.dir, path);
    const rel = relative(this.dir, full);
    if (rel === ".." || rel.startsWith(`..${sep}`) || isAbsolute(rel)) throw outside(path, "it leads out with ..");
    this.checkLinks(path, full);
    return full;
  }

  /** The deepest part of the path that exists must resolve inside the workspace, whatever symlinks it passes. */
  private checkLinks(path: string, full: string): void {
    if (!existsSync(this.dir)) return;
    const root = realpathSync(this.dir);
    let existing = full;
    while (!exists(existing) && existing !== this.dir) existing = dirname(existing);
    const real = exists(existing) && existsSync(existing) ? realpathSync(existing) : dangling(path);
    const rel = relative(root, real);
    if (rel.startsWith("..") || isAbsolute(rel)) throw outside(path, "a symlink leads out of it");
  }

  readFile(path: string): string {
    const full = this.resolve(path);
    if (!existsSync(full) || !lstatSync(full).isFile())
      throw new DuroError("workspace_file_not_found", `no file "${path}" in the workspace; list_files shows what is there`, {
        category: "input",
        details: { path },
      });
    return readFileSync(full, "utf8");
  }

  /** Writes `content` to `path` (creating folders); returns what the journal records. */
  writeFile(path: string, content: string): WorkspaceWrite {
    const full = this.resolve(path);
    mkdirSync(dirname(full), { recursive: true });
    this.resolve(path); // the folders just made cannot lead out, but a link placed meanwhile could
    writeFileSync(full, content);
    return { workspaceFile: relative(this.dir, full).split(sep).join("/"), sha256: sha256Hex(content), bytes: Buffer.byteLength(content) };
  }

  /** Files under `path` (default: all), relative to the workspace, sorted; symlinks are listed, never followed. */
  listFiles(path = "."): string[] {
    const start = this.resolve(path);
    if (!existsSync(start)) return [];
    const files: string[] = [];
    const walk = (folder: string) => {
      for (const entry of readdirSync(folder, { withFileTypes: true })) {
        const full = join(folder, entry.name);
        if (entry.isDirectory()) walk(full);
        else files.push(relative(this.dir, full).split(sep).join("/"));
      }
    };
    if (lstatSync(start).isDirectory()) walk(start);
    else files.push(relative(this.dir, start).split(sep).join("/"));
    return files.sort();
  }

  /** Applies a unified diff; every file is checked and patched in memory first, so a failing hunk changes nothing. */
  applyPatch(patch: string): WorkspaceWrite[] {
    const changes = parsePatch(patch).map((file) => {
      const target = file.to ?? (file.from as string);
      const full = this.resolve(target);
      if (file.from !== null && file.from !== target) this.resolve(file.from);
      const old = file.from === null ? "" : this.readFile(file.from);
      return { target, full, from: file.from, text: file.to === null ? null : applyFilePatch(old, file) };
    });
    return changes.map(({ target, full, from, text }) => {
      if (text === null) {
        rmSync(full, { force: true });
        return { workspaceFile: target, sha256: null, bytes: 0 };
      }
      if (from !== null && from !== target) rmSync(this.resolve(from), { force: true });
      return this.writeFile(target, text);
    });
  }

  /**
   * The files whose content differs from the last write the journal records for them, or undefined. A write that
   * was started and never finished (its process died) makes the check skip: its file may hold either version.
   */
  mismatch(ops: readonly OpState[]): { path: string; expected: string | null; found: string | null } | undefined {
    if (ops.some((op) => op.kind === "step" && op.status !== "completed" && op.status !== "failed" && WRITE_STEP.test(op.key)))
      return undefined;
    const expected = new Map<string, string | null>();
    for (const op of ops)
      if (op.status === "completed") for (const write of writesIn(op.result)) expected.set(write.workspaceFile, write.sha256);
    for (const [path, sha256] of expected) {
      const found = fileHash(join(this.dir, path));
      if (found !== sha256) return { path, expected: sha256, found };
    }
    return undefined;
  }
}

/** Keys of the steps that write workspace files: the built-in tools' steps and `ctx.workspace.writeFile`. */
const WRITE_STEP = /(^|\/)(tool:(write_file|apply_patch)|workspace:write)#\d+$/;

function isWrite(value: unknown): value is WorkspaceWrite {
  const v = value as Partial<WorkspaceWrite> | null;
  return typeof v === "object" && v !== null && typeof v.workspaceFile === "string" && (typeof v.sha256 === "string" || v.sha256 === null);
}

/** The workspace writes a step's result records (a write, or an apply_patch's `{ patched: [...] }`). */
export function writesIn(result: unknown): WorkspaceWrite[] {
  if (isWrite(result)) return [result];
  const patched = (result as { patched?: unknown } | null)?.patched;
  return Array.isArray(patched) ? patched.filter(isWrite) : [];
}

/** Whether `path` exists as an entry (a dangling symlink counts). */
function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

function dangling(path: string): never {
  throw outside(path, "it passes a symlink to nowhere");
}
