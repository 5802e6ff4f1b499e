// A small applier for unified diffs (what `diff -u` and `git diff` print, and models write): file headers, hunks of
// context, removed and added lines. A hunk must match the file exactly (it may have moved); otherwise nothing changes.
import { DuroError } from "../core/index.js";

/** One file's change in a patch: `from`/`to` are paths without their a/ b/ prefix, null for /dev/null. */
export interface FilePatch {
  from: string | null;
  to: string | null;
  hunks: Hunk[];
}

interface Hunk {
  /** 1-based line the hunk starts at in the old file (0 for an empty file). */
  oldStart: number;
  /** Lines of the old and the new text the header announces; the hunk ends when both are read. */
  oldCount: number;
  newCount: number;
  lines: string[];
}

function complete(hunk: Hunk): boolean {
  const old = hunk.lines.filter((l) => !l.startsWith("+")).length;
  const now = hunk.lines.filter((l) => !l.startsWith("-")).length;
  return old >= hunk.oldCount && now >= hunk.newCount;
}

const HUNK_HEADER = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/;

function patchError(message: string, details: Record<string, unknown> = {}): DuroError {
  return new DuroError("patch_invalid", message, { category: "input", details });
}

function headerPath(line: string): string | null {
  const raw = line.slice(4).split("\t")[0]?.trim() ?? "";
  if (raw === "/dev/null") return null;
  return raw.replace(/^[ab]\//, "");
}

/** Parses a unified diff into its files; `patch_invalid` for text that is not one. */
export function parsePatch(text: string): FilePatch[] {
  const lines = text.replace(/\r\n/g, "\n").split("\n");
  const files: FilePatch[] = [];
  let current: FilePatch | undefined;
  let hunk: Hunk | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.startsWith("--- ") && lines[i + 1]?.startsWith("+++ ")) {
      current = { from: headerPath(line), to: headerPath(lines[i + 1] as string), hunks: [] };
      files.push(current);
      hunk = undefined;
      i++;
      continue;
    }
    const header = HUNK_HEADER.exec(line);
    if (header) {
      if (!current) throw patchError(`line ${i + 1}: a hunk before any "--- a/file" / "+++ b/file" header`);
      hunk = { oldStart: Number(header[1]), oldCount: Number(header[2] ?? 1), newCount: Number(header[4] ?? 1), lines: [] };
      current.hunks.push(hunk);
      continue;
    }
    if (!hunk || complete(hunk)) continue;
    if (line.startsWith(" ") || line.startsWith("+") || line.startsWith("-")) hunk.lines.push(line);
    // An empty context line whose leading space an editor (or a model) dropped.
    else if (line === "") hunk.lines.push(" ");
    // "\ No newline at end of file", diff --git and index lines carry nothing the applier needs.
  }
  if (files.length === 0) throw patchError('no file in the patch; a unified diff starts with "--- a/<path>" and "+++ b/<path>"');
  for (const file of files)
    if (file.hunks.length === 0 && file.to !== null)
      throw patchError(`the patch for ${file.to ?? file.from} has no hunks ("@@ -l,n +l,n @@")`);
  return files;
}

/** Applies one file's hunks to its old text (empty for a new file); `patch_failed` naming the hunk that does not match. */
export function applyFilePatch(old: string, file: FilePatch): string {
  const endsWithNewline = old === "" || old.endsWith("\n");
  const lines = old === "" ? [] : old.replace(/\n$/, "").split("\n");
  let offset = 0;
  file.hunks.forEach((hunk, index) => {
    const before = hunk.lines.filter((l) => !l.startsWith("+")).map((l) => l.slice(1));
    const after = hunk.lines.filter((l) => !l.startsWith("-")).map((l) => l.slice(1));
    const wanted = Math.max(0, hunk.oldStart - 1 + offset);
    const at = findBlock(lines, before, wanted);
    if (at < 0) {
      throw new DuroError(
        "patch_failed",
        `hunk ${index + 1} of the patch for ${file.to ?? file.from} does not match the file near line ${hunk.oldStart}; read the file again and make a patch against its current text`,
        { category: "input", details: { path: file.to ?? file.from, hunk: index + 1, line: hunk.oldStart } },
      );
    }
    lines.splice(at, before.length, ...after);
    offset += at - (hunk.oldStart - 1) + after.length - before.length;
  });
  if (lines.length === 0) return "";
  return `${lines.join("\n")}${endsWithNewline ? "\n" : ""}`;
}

/** Where `block` occurs in `lines`, searching outwards from `near`; -1 if nowhere. */
function findBlock(lines: readonly string[], block: readonly string[], near: number): number {
  const matches = (at: number) => at >= 0 && at + block.length <= lines.length && block.every((l, i) => lines[at + i] === l);
  for (let distance = 0; distance <= lines.length; distance++) {
    if (matches(near - distance)) return near - distance;
    if (matches(near + distance)) return near + distance;
  }
  return -1;
}
