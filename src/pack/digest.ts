// File digests: the manifest lists a sha256 per file, and a pack opens only when the files present are
// exactly the files listed, each with its listed digest.
import { createHash } from "node:crypto";
import { packError } from "./errors.js";
import { MANIFEST_FILE, manifestInvalid, type PackManifest, SIGNATURE_FILE } from "./manifest.js";

export function sha256(bytes: Uint8Array): string {
  return `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
}

/** The `files` list for a pack's files: every file but pack.yaml and pack.sig, sorted by name. */
export function digestsOf(files: ReadonlyMap<string, Uint8Array>): Record<string, string> {
  const digests: Record<string, string> = {};
  for (const name of [...files.keys()].sort()) {
    if (name !== MANIFEST_FILE && name !== SIGNATURE_FILE) digests[name] = sha256(files.get(name) as Uint8Array);
  }
  return digests;
}

/** Refuses files present but not listed, listed but absent, or whose bytes differ from their digest. */
export function checkDigests(manifest: PackManifest, files: ReadonlyMap<string, Uint8Array>): void {
  const actual = digestsOf(files);
  for (const name of Object.keys(actual)) {
    if (!(name in manifest.files)) {
      throw packError(
        "pack_file_unlisted",
        `pack file "${name}" is not in pack.yaml's files list; run \`duro pack build\` to list it, or remove it`,
        {
          file: name,
        },
      );
    }
  }
  for (const [name, digest] of Object.entries(manifest.files)) {
    if (!(name in actual)) {
      throw packError("pack_file_missing", `pack.yaml lists "${name}" but the pack does not contain it`, { file: name });
    }
    if (actual[name] !== digest) {
      throw packError(
        "pack_tampered",
        `pack file "${name}" does not match its digest in pack.yaml; the pack was changed after it was built`,
        {
          file: name,
        },
      );
    }
  }
}

/** Refuses a manifest that names flows, schemas or components the pack does not hold. */
export function checkReferences(manifest: PackManifest, files: ReadonlyMap<string, Uint8Array>): void {
  const problems: Array<{ path: string; message: string }> = [];
  const need = (path: string, file: string) => {
    if (!files.has(file)) problems.push({ path, message: `"${file}" is not in the pack` });
  };
  for (const [i, file] of manifest.flows.entries()) need(`flows[${i}]`, file);
  for (const [i, file] of manifest.schemas.entries()) need(`schemas[${i}]`, file);
  for (const [name, spec] of Object.entries(manifest.components)) need(`components.${name}.path`, spec.path);
  if (problems.length > 0) {
    throw manifestInvalid(problems);
  }
}
