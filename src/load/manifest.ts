// The manifest a run records in its run_created: what started it (the sha256 of the code file or flow document, or
// the pack's id, version and digest), duro's version and the host. Computed once when the file is loaded.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import type { RunManifest } from "../core/index.js";

/** The duro version this process runs, from its package.json (src/load and dist/load both sit two levels down). */
export const DURO_VERSION: string = readVersion();

function readVersion(): string {
  try {
    const json = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version?: unknown };
    return typeof json.version === "string" ? json.version : "unknown";
  } catch {
    // A bundled copy may have no package.json beside it; the manifest then says so instead of failing the load.
    return "unknown";
  }
}

/** sha256 of the file's bytes, as `sha256:<hex>` (the form pack digests take). */
export function fileHash(path: string): string {
  return `sha256:${createHash("sha256").update(readFileSync(path)).digest("hex")}`;
}

/** The manifest of a run started from the code file or flow document at `file` (an absolute path). */
export function codeManifest(file: string): RunManifest {
  return { codeHash: fileHash(file), source: file, duroVersion: DURO_VERSION, host: hostname() };
}

/** The manifest of a run started from a pack. */
export function packManifest(file: string, pack: { id: string; version: string; digest: string }): RunManifest {
  return { source: file, packId: pack.id, packVersion: pack.version, packDigest: pack.digest, duroVersion: DURO_VERSION, host: hostname() };
}
