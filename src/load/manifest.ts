// The manifest a run records in its run_created: what started it (the sha256 of the code file or flow document, or
// the pack's id, version and digest), duro's version and the host. Computed once when the file is loaded.
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { hostname } from "node:os";
import { DuroError, type RunManifest } from "../core/index.js";
import { isPackPath } from "./loaded.js";

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

/** What `duro runs verify` found comparing a run's manifest with the file or pack on disk now. */
export interface ManifestCheck {
  /** The file or pack compared: `--against`, else the path the manifest recorded. */
  file: string;
  ok: boolean;
  /** Each way the file differs from what the run recorded, as a sentence. */
  differences: string[];
  /** What differs without making the code another (duro's version). */
  notes: string[];
}

/** Compares the manifest a run recorded with the code file, flow document or pack at `against` (default: its source). */
export async function checkManifest(runId: string, recorded: RunManifest | undefined, against?: string): Promise<ManifestCheck> {
  const file = against ?? recorded?.source;
  if (recorded === undefined || file === undefined) {
    throw new DuroError(
      "manifest_missing",
      recorded === undefined
        ? `run ${runId} records no manifest (it was started before duro recorded them, or not from a file), so there is nothing to compare ${against ?? "a file"} with`
        : `run ${runId}'s manifest names no file; pass the file the run was started from with --against <file>`,
      { category: "input", details: { runId } },
    );
  }
  const differences: string[] = [];
  const notes =
    recorded.duroVersion === DURO_VERSION ? [] : [`the run was started with duro ${recorded.duroVersion}; this is duro ${DURO_VERSION}`];
  if (!existsSync(file)) {
    differences.push(`${file} does not exist (the run was started from ${recorded.source ?? "another file"})`);
  } else if (isPackPath(file)) {
    differences.push(...(await packDifferences(file, recorded)));
  } else if (recorded.codeHash === undefined) {
    differences.push(`the run was started from pack ${recorded.packId}@${recorded.packVersion}, and ${file} is not a pack`);
  } else {
    const now = fileHash(file);
    if (now !== recorded.codeHash)
      differences.push(`${file} is ${now} now; the run was started from ${recorded.codeHash}: the file changed`);
  }
  return { file, ok: differences.length === 0, differences, notes };
}

async function packDifferences(file: string, recorded: RunManifest): Promise<string[]> {
  if (recorded.packDigest === undefined) return [`the run was started from a code file (${recorded.codeHash}), and ${file} is a pack`];
  const { readPack, sha256, MANIFEST_FILE } = await import("../pack/index.js");
  const pack = await readPack(file);
  const digest = sha256(pack.files.get(MANIFEST_FILE) as Uint8Array);
  const differences: string[] = [];
  const { id, version } = pack.manifest;
  if (id !== recorded.packId) differences.push(`${file} is pack "${id}"; the run was started from pack "${recorded.packId}"`);
  if (version !== recorded.packVersion)
    differences.push(`${file} is version ${version}; the run was started from version ${recorded.packVersion}`);
  if (digest !== recorded.packDigest)
    differences.push(`${file} has digest ${digest}; the run was started from ${recorded.packDigest}: the pack changed`);
  return differences;
}
