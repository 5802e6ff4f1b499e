// Directory packs: every regular file under the root, read into memory once so that what is verified is
// exactly what is later run. Symbolic links are refused rather than followed out of the pack.
import { lstatSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { packError } from "./errors.js";
import { checkEntryPath, duplicateGuard } from "./paths.js";
import { DEFAULT_ZIP_LIMITS, type ZipLimits } from "./zip.js";

/** The files of a directory pack by relative name (forward slashes). */
export function readDirectory(root: string, limits: ZipLimits = {}): Map<string, Uint8Array> {
  const max = { ...DEFAULT_ZIP_LIMITS, ...limits };
  const files = new Map<string, Uint8Array>();
  const noDuplicate = duplicateGuard();
  let total = 0;
  const walk = (dir: string, prefix: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      const relative = prefix === "" ? name : `${prefix}/${name}`;
      const stat = lstatSync(path);
      if (stat.isSymbolicLink()) {
        throw packError("pack_symlink", `pack file "${relative}" is a symbolic link; packs may hold only regular files`, {
          entry: relative,
        });
      }
      if (stat.isDirectory()) {
        walk(path, relative);
        continue;
      }
      if (!stat.isFile()) throw packError("pack_invalid", `pack entry "${relative}" is not a regular file`, { entry: relative });
      const entry = checkEntryPath(relative);
      noDuplicate(entry);
      total += stat.size;
      if (files.size >= max.maxFiles)
        throw packError("pack_too_many_files", `pack directory ${root} holds more than ${max.maxFiles} files`);
      if (total > max.maxTotalBytes) throw packError("pack_too_large", `pack directory ${root} holds more than ${max.maxTotalBytes} bytes`);
      files.set(entry, new Uint8Array(readFileSync(path)));
    }
  };
  walk(root, "");
  return files;
}
