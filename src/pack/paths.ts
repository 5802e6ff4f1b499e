// The one rule for file names inside a pack, shared by zip and directory packs: relative, forward
// slashes, no `..` segment, no drive letter. A name that breaks it is refused, never "cleaned".
import { packError } from "./errors.js";

/** Validates an entry name from a zip or directory and returns it normalized (no `./`, no empty segments). */
export function checkEntryPath(raw: string): string {
  const name = raw.replaceAll("\\", "/");
  if (name.startsWith("/") || /^[a-zA-Z]:/.test(name)) {
    throw packError("pack_absolute_path", `pack entry "${raw}" is an absolute path; entries must be relative to the pack root`, {
      entry: raw,
    });
  }
  const segments = name.split("/").filter((s) => s !== "" && s !== ".");
  if (segments.includes("..")) {
    throw packError("pack_path_traversal", `pack entry "${raw}" climbs out of the pack with ".."; entries must stay inside the pack root`, {
      entry: raw,
    });
  }
  if (segments.length === 0 || name.includes("\0")) {
    throw packError("pack_invalid", `pack entry "${raw}" has no usable file name`, { entry: raw });
  }
  return segments.join("/");
}

/** Refuses a second entry with the same name (compared case-insensitively, as some file systems do). */
export function duplicateGuard(): (name: string) => void {
  const seen = new Map<string, string>();
  return (name) => {
    const key = name.toLowerCase();
    const first = seen.get(key);
    if (first !== undefined) {
      throw packError("pack_duplicate_entry", `pack holds "${name}" twice (the first as "${first}"); each file may appear once`, {
        entry: name,
      });
    }
    seen.set(key, name);
  };
}
