// Opening a pack: read its files (directory or zip, with the safety checks), check the manifest and
// every digest, check the signature against the trusted keys and apply the signing policy, and only
// then copy the verified bytes to a private directory and load the components from that copy.
import type { KeyObject } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { parse as parseYaml } from "yaml";
import type { ComponentRegistry, PackVerification } from "../core/index.js";
import type { NetworkPolicy } from "../flow/index.js";
import { netGrants } from "./capabilities.js";
import { loadComponents } from "./components.js";
import { checkDigests, checkReferences, sha256 } from "./digest.js";
import { readDirectory } from "./directory.js";
import { packError } from "./errors.js";
import { MANIFEST_FILE, manifestInvalid, type PackManifest, parseManifest } from "./manifest.js";
import { checkSignature, loadTrustedKeys, type SignatureCheck } from "./signing.js";
import { ARCHIVE_OVERHEAD, archiveLimit, readZip, type ZipLimits } from "./zip.js";

export type SigningMode = "strict" | "dev";

/** A pack's files, read and checked for integrity (digests), not yet for trust (signature). */
export interface PackContents {
  path: string;
  form: "directory" | "zip";
  manifest: PackManifest;
  files: ReadonlyMap<string, Uint8Array>;
}

export interface OpenPackOptions {
  /** `strict` refuses unsigned, invalidly signed and untrusted packs; `dev` opens them with a warning. default "strict" */
  signing?: SigningMode;
  /** Public keys whose signatures are trusted: KeyObjects, PEM texts, .pem files or directories of them. default [] */
  trustedKeys?: ReadonlyArray<KeyObject | string>;
  /** default DEFAULT_ZIP_LIMITS (also applied to directory packs) */
  limits?: ZipLimits;
  /** Values for wasm components' `env:NAME` capabilities. default process.env */
  env?: Readonly<Record<string, string | undefined>>;
}

export interface OpenedPack {
  manifest: PackManifest;
  flows: Array<{ id?: string; path: string; text: string }>;
  /** The JSON Schemas the manifest lists, as text, for flows that refer to them by path. */
  schemas: Array<{ path: string; text: string }>;
  /** Ids (or paths, for flows without an id) of the flows meant to be started. */
  entryFlows: string[];
  components: ComponentRegistry;
  /** Where the pack's `http` nodes may connect: its `net:` grants, nothing else. */
  network: NetworkPolicy;
  warnings: string[];
  signature: { status: SignatureCheck["status"]; keyId?: string };
  /** What a run started from this pack journals as `pack_verified`. */
  verification: PackVerification;
  /** sha256 of pack.yaml, which lists every file's digest: the digest of the whole pack (what a signature signs). */
  digest: string;
}

/** Reads a directory or `.duropack` and checks its manifest and digests; throws a `pack_*` error otherwise. */
export async function readPack(path: string, limits: ZipLimits = {}): Promise<PackContents> {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat) throw packError("pack_not_found", `pack ${path} does not exist; pass a pack directory or a .duropack file`, { path });
  const form = stat.isDirectory() ? "directory" : "zip";
  if (form === "zip") checkArchiveSize(path, stat.size, limits);
  const files = form === "directory" ? readDirectory(path, limits) : await readZip(readFileSync(path), limits);
  const manifestBytes = files.get(MANIFEST_FILE);
  if (manifestBytes === undefined) {
    throw packError("pack_invalid", `pack ${path} has no ${MANIFEST_FILE} at its root`, { path });
  }
  const manifest = parseManifest(new TextDecoder().decode(manifestBytes));
  checkDigests(manifest, files);
  checkReferences(manifest, files);
  return { path, form, manifest, files };
}

// Checked before a byte is read: a file this large cannot unpack within the limits, and one over 2 GiB cannot even be
// read into memory by Node (ERR_FS_FILE_TOO_LARGE).
function checkArchiveSize(path: string, size: number, limits: ZipLimits): void {
  const limit = archiveLimit(limits);
  if (size <= limit) return;
  throw packError(
    "pack_too_large",
    `pack ${path} is ${size} bytes, over the ${limit} byte limit for a .duropack file (its contents may unpack to at most ${limit - ARCHIVE_OVERHEAD} bytes); a pack this large is refused before it is read`,
    { path, size, limit },
  );
}

export interface VerifiedPack {
  pack: PackContents;
  signature: SignatureCheck;
  /** What `dev` signing let through. */
  warnings: string[];
  /** Which pack (and pack.yaml digest) this is, and the key that verified it or why `dev` signing let it through. */
  verification: PackVerification;
}

/** Reads a pack and applies the signing policy, without loading any of its code. */
export async function verifyPack(path: string, options: Omit<OpenPackOptions, "env"> = {}): Promise<VerifiedPack> {
  const pack = await readPack(path, options.limits);
  const signature = checkSignature(pack.files, loadTrustedKeys(options.trustedKeys ?? []));
  const problem = signatureProblem(pack, signature);
  if (problem !== undefined && (options.signing ?? "strict") === "strict") throw refusal(pack, signature, problem);
  const verification: PackVerification = {
    packId: pack.manifest.id,
    version: pack.manifest.version,
    digest: sha256(pack.files.get(MANIFEST_FILE) as Uint8Array),
    ...(problem === undefined ? { keyId: signature.keyId as string } : { unsigned: `${problem.reason}; signing is "dev"` }),
  };
  return {
    pack,
    signature,
    warnings: problem === undefined ? [] : [`${problem.text}; opened anyway because signing is "dev"`],
    verification,
  };
}

/** Opens a pack for running: integrity, signature policy, then flows and components. */
export async function openPack(path: string, options: OpenPackOptions = {}): Promise<OpenedPack> {
  const { pack, signature, warnings, verification } = await verifyPack(path, options);
  const flows = pack.manifest.flows.map((file) => flowOf(file, pack.files));
  const entryFlows = resolveEntryFlows(pack.manifest, flows);
  const hasComponents = Object.keys(pack.manifest.components).length > 0;
  const components = hasComponents
    ? await loadComponents(pack.manifest.components, {
        root: materialize(pack.files),
        files: pack.files,
        ...(options.env ? { env: options.env } : {}),
      })
    : Object.freeze({});
  return {
    manifest: pack.manifest,
    flows,
    schemas: pack.manifest.schemas.map((path) => ({ path, text: new TextDecoder().decode(pack.files.get(path)) })),
    entryFlows,
    components,
    network: { owner: `pack ${pack.manifest.id}@${pack.manifest.version}`, grants: netGrants(pack.manifest.capabilities) },
    warnings,
    signature: signature.keyId === undefined ? { status: signature.status } : { status: signature.status, keyId: signature.keyId },
    verification,
    digest: sha256(pack.files.get(MANIFEST_FILE) as Uint8Array),
  };
}

type SignatureProblem = { code: "pack_unsigned" | "pack_signature_invalid" | "pack_untrusted_key"; text: string; reason: string };

/** Why the signature does not make the pack trusted, or undefined when a trusted key signed it. */
function signatureProblem(pack: PackContents, signature: SignatureCheck): SignatureProblem | undefined {
  if (signature.status === "valid") return undefined;
  const what = `pack ${pack.manifest.id}@${pack.manifest.version}`;
  const problem = {
    unsigned: { code: "pack_unsigned", reason: "not signed" },
    invalid: { code: "pack_signature_invalid", reason: `invalid signature (${signature.reason})` },
    unknown_key: { code: "pack_untrusted_key", reason: `signed by ${signature.keyId}, which is not a trusted key` },
  }[signature.status] as Omit<SignatureProblem, "text">;
  const text = {
    unsigned: `${what} is not signed`,
    invalid: `${what} has an ${problem.reason}`,
    unknown_key: `${what} is ${problem.reason}`,
  }[signature.status];
  return { ...problem, text };
}

function refusal(pack: PackContents, signature: SignatureCheck, problem: SignatureProblem) {
  return packError(
    problem.code,
    `${problem.text}; refused because signing is "strict". Sign it with \`duro pack sign\`, trust the signer's public key (--pubkey or .duro/trusted-keys/), or use --signing dev while developing`,
    { pack: pack.manifest.id, version: pack.manifest.version, ...(signature.keyId ? { keyId: signature.keyId } : {}) },
  );
}

function flowOf(file: string, files: ReadonlyMap<string, Uint8Array>): { id?: string; path: string; text: string } {
  const text = new TextDecoder().decode(files.get(file));
  let id: unknown;
  try {
    id = (parseYaml(text) as { id?: unknown } | null)?.id;
  } catch {
    // The flow's own parser reports a malformed document with line and column; here it just has no id.
  }
  return typeof id === "string" ? { id, path: file, text } : { path: file, text };
}

function resolveEntryFlows(manifest: PackManifest, flows: Array<{ id?: string; path: string }>): string[] {
  const names = flows.map((f) => f.id ?? f.path);
  if (manifest.entryFlows.length === 0) return names;
  const problems = manifest.entryFlows.flatMap((entry, i) =>
    flows.some((f) => f.id === entry || f.path === entry)
      ? []
      : [{ path: `entryFlows[${i}]`, message: `"${entry}" is not the id or path of a flow in this pack (flows: ${names.join(", ")})` }],
  );
  if (problems.length > 0) {
    throw manifestInvalid(problems);
  }
  return manifest.entryFlows.map((entry) => flows.find((f) => f.path === entry)?.id ?? entry);
}

// Private copies live as long as the process: a JS component may import its siblings lazily.
const copies = new Set<string>();
const removeCopies = () => {
  for (const dir of copies) rmSync(dir, { recursive: true, force: true });
};

// Components load from a private copy of the verified bytes: the pack on disk may change after it was
// checked, and a fresh directory per open keeps Node's module cache from serving an older version.
function materialize(files: ReadonlyMap<string, Uint8Array>): string {
  const root = mkdtempSync(join(tmpdir(), "duro-pack-"));
  if (copies.size === 0) process.once("exit", removeCopies);
  copies.add(root);
  for (const [name, bytes] of files) {
    mkdirSync(dirname(join(root, name)), { recursive: true });
    writeFileSync(join(root, name), bytes);
  }
  // Components are ES modules (.js and .ts alike) unless the pack says otherwise with a package.json.
  if (!files.has("package.json")) writeFileSync(join(root, "package.json"), '{ "type": "module" }\n');
  return root;
}
