// Writing packs: `build` lists every file's digest in pack.yaml and optionally zips the directory;
// `sign` adds pack.sig to a pack whose digests check out.
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { parseDocument } from "yaml";
import { checkReferences, digestsOf } from "./digest.js";
import { readDirectory } from "./directory.js";
import { packError } from "./errors.js";
import { MANIFEST_FILE, type PackManifest, parseManifest, SIGNATURE_FILE } from "./manifest.js";
import { readPack } from "./open.js";
import { signManifest } from "./signing.js";
import { writeZip } from "./zip.js";

export interface BuildResult {
  manifest: PackManifest;
  /** Number of files listed in pack.yaml. */
  files: number;
  /** The .duropack written, when `out` was given. */
  out?: string;
  /** True when pack.yaml changed and an old pack.sig was removed (sign again). */
  signatureRemoved: boolean;
}

/** Rewrites `<dir>/pack.yaml`'s `files` list from the directory's contents; with `out`, also writes a deterministic zip. */
export function buildPack(dir: string, options: { out?: string } = {}): BuildResult {
  const manifestPath = join(dir, MANIFEST_FILE);
  if (!existsSync(manifestPath)) {
    throw packError("pack_not_found", `${dir} has no ${MANIFEST_FILE}; a pack directory needs one at its root`, { path: dir });
  }
  if (options.out !== undefined && !relative(resolve(dir), resolve(options.out)).startsWith("..")) {
    throw packError("pack_invalid", `--out ${options.out} is inside the pack directory ${dir}; write the .duropack somewhere else`, {
      out: options.out,
    });
  }
  const files = readDirectory(dir);
  const before = readFileSync(manifestPath, "utf8");
  const doc = parseDocument(before);
  if (doc.errors.length === 0) doc.set("files", digestsOf(files));
  const after = doc.errors.length === 0 ? doc.toString({ lineWidth: 0 }) : before;
  const manifest = parseManifest(after);
  const contents = new Map(files).set(MANIFEST_FILE, new TextEncoder().encode(after));
  checkReferences(manifest, contents);
  const signatureRemoved = after !== before && contents.has(SIGNATURE_FILE);
  if (after !== before) writeFileSync(manifestPath, after);
  if (signatureRemoved) {
    rmSync(join(dir, SIGNATURE_FILE));
    contents.delete(SIGNATURE_FILE);
  }
  const result: BuildResult = { manifest, files: Object.keys(manifest.files).length, signatureRemoved };
  if (options.out !== undefined) {
    writeFileSync(options.out, writeZip(contents));
    result.out = options.out;
  }
  return result;
}

/** Signs a directory or .duropack in place with an Ed25519 private key (PEM); returns the key id. */
export async function signPack(path: string, privateKeyPem: string): Promise<{ keyId: string; manifest: PackManifest }> {
  const pack = await readPack(path);
  const signature = signManifest(pack.files.get(MANIFEST_FILE) as Uint8Array, privateKeyPem);
  if (pack.form === "directory") writeFileSync(join(path, SIGNATURE_FILE), signature);
  else writeFileSync(path, writeZip(new Map(pack.files).set(SIGNATURE_FILE, signature)));
  const { keyId } = JSON.parse(new TextDecoder().decode(signature)) as { keyId: string };
  return { keyId, manifest: pack.manifest };
}
