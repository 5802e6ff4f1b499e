// Ed25519 pack signatures (node:crypto). The signature covers the sha256 of pack.yaml's exact bytes,
// and pack.yaml lists the sha256 of every other file, so one signature covers every byte of the pack.
// pack.sig must be the canonical serialization of its fields, so that no byte of it can change either.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, sign, verify } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { sha256 } from "./digest.js";
import { packError } from "./errors.js";
import { MANIFEST_FILE, SIGNATURE_FILE } from "./manifest.js";

export type SignatureStatus = "valid" | "unsigned" | "invalid" | "unknown_key";

export interface SignatureCheck {
  status: SignatureStatus;
  keyId?: string;
  /** Why the signature is not valid, for messages. */
  reason?: string;
}

/** The contents of pack.sig. */
export interface SignatureFile {
  format: "duro-pack-signature/1";
  algorithm: "ed25519";
  keyId: string;
  /** The signer's public key, SPKI PEM. */
  publicKey: string;
  /** sha256 of pack.yaml's bytes. */
  manifest: string;
  /** base64 Ed25519 signature over the signed payload. */
  signature: string;
}

export interface KeyPair {
  keyId: string;
  privateKeyPem: string;
  publicKeyPem: string;
}

export function generateKeys(): KeyPair {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  return {
    keyId: keyIdOf(publicKey),
    privateKeyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString(),
  };
}

/** A short stable id of a public key: `ed25519:` + the first 16 hex digits of sha256(SPKI DER). */
export function keyIdOf(publicKey: KeyObject): string {
  const der = publicKey.export({ type: "spki", format: "der" });
  return `ed25519:${createHash("sha256").update(der).digest("hex").slice(0, 16)}`;
}

// The bytes that are signed: a fixed prefix (so a pack signature is never valid as anything else) and
// the digest of pack.yaml.
function payload(manifestDigest: string): Buffer {
  return Buffer.from(`duro-pack-signature/1\n${manifestDigest}\n`, "utf8");
}

/** pack.sig for a pack whose pack.yaml has these bytes. */
export function signManifest(manifestBytes: Uint8Array, privateKeyPem: string): Uint8Array {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(privateKeyPem);
  } catch (error) {
    throw packError("pack_key_invalid", `the signing key is not a PEM private key: ${(error as Error).message}`);
  }
  if (privateKey.asymmetricKeyType !== "ed25519") {
    throw packError(
      "pack_key_invalid",
      `the signing key is ${privateKey.asymmetricKeyType}, not Ed25519; create one with \`duro keys generate\``,
    );
  }
  const publicKey = createPublicKey(privateKey);
  const manifest = sha256(manifestBytes);
  const file: SignatureFile = {
    format: "duro-pack-signature/1",
    algorithm: "ed25519",
    keyId: keyIdOf(publicKey),
    publicKey: publicKey.export({ type: "spki", format: "pem" }).toString(),
    manifest,
    signature: sign(null, payload(manifest), privateKey).toString("base64"),
  };
  return serialize(file);
}

function serialize(file: SignatureFile): Uint8Array {
  const ordered: SignatureFile = {
    format: file.format,
    algorithm: file.algorithm,
    keyId: file.keyId,
    publicKey: file.publicKey,
    manifest: file.manifest,
    signature: file.signature,
  };
  return new TextEncoder().encode(`${JSON.stringify(ordered, null, 2)}\n`);
}

/** Checks pack.sig against pack.yaml and the trusted keys. Never throws: the caller applies the policy. */
export function checkSignature(files: ReadonlyMap<string, Uint8Array>, trusted: readonly KeyObject[]): SignatureCheck {
  const raw = files.get(SIGNATURE_FILE);
  if (raw === undefined) return { status: "unsigned" };
  const file = parseSignatureFile(raw);
  if (typeof file === "string") return { status: "invalid", reason: file };
  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey(file.publicKey);
  } catch {
    return { status: "invalid", keyId: file.keyId, reason: "pack.sig holds no readable public key" };
  }
  if (publicKey.asymmetricKeyType !== "ed25519" || keyIdOf(publicKey) !== file.keyId) {
    return { status: "invalid", keyId: file.keyId, reason: "pack.sig's key id does not match its public key" };
  }
  // PEM base64 has spare bits: a key written another way must not pass as the same bytes.
  if (publicKey.export({ type: "spki", format: "pem" }).toString() !== file.publicKey) {
    return { status: "invalid", keyId: file.keyId, reason: "pack.sig's public key is not in its canonical PEM form" };
  }
  const manifest = sha256(files.get(MANIFEST_FILE) ?? new Uint8Array());
  if (file.manifest !== manifest) return { status: "invalid", keyId: file.keyId, reason: "pack.yaml changed after it was signed" };
  const signature = Buffer.from(file.signature, "base64");
  if (signature.toString("base64") !== file.signature || !verify(null, payload(manifest), publicKey, signature)) {
    return { status: "invalid", keyId: file.keyId, reason: "the signature does not verify" };
  }
  if (!trusted.some((key) => keyIdOf(key) === file.keyId)) {
    return { status: "unknown_key", keyId: file.keyId, reason: `key ${file.keyId} is not among the trusted keys` };
  }
  return { status: "valid", keyId: file.keyId };
}

// A parsed pack.sig, or why it is malformed. Its bytes must equal the canonical serialization.
function parseSignatureFile(raw: Uint8Array): SignatureFile | string {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(raw));
  } catch {
    return "pack.sig is not JSON";
  }
  const file = value as Partial<SignatureFile>;
  const fields = ["keyId", "publicKey", "manifest", "signature"] as const;
  if (file.format !== "duro-pack-signature/1" || file.algorithm !== "ed25519" || fields.some((f) => typeof file[f] !== "string")) {
    return "pack.sig is not a duro-pack-signature/1 Ed25519 signature";
  }
  if (!Buffer.from(serialize(file as SignatureFile)).equals(Buffer.from(raw))) return "pack.sig is not in its canonical form";
  return file as SignatureFile;
}

/**
 * Public keys from KeyObjects or strings: a PEM text, a .pem file, or a directory whose *.pem files
 * are each a public key. A directory that does not exist adds no keys.
 */
export function loadTrustedKeys(sources: ReadonlyArray<KeyObject | string>): KeyObject[] {
  return sources.flatMap((source) => {
    if (typeof source !== "string") return [source];
    if (source.includes("-----BEGIN")) return [publicKeyFrom(source, "a trusted key")];
    const stat = statSync(source, { throwIfNoEntry: false });
    if (!stat) {
      throw packError("pack_key_invalid", `trusted key ${source} does not exist`, { path: source });
    }
    if (!stat.isDirectory()) return [publicKeyFrom(readFileSync(source, "utf8"), source)];
    return readdirSync(source)
      .filter((name) => name.endsWith(".pem"))
      .sort()
      .map((name) => publicKeyFrom(readFileSync(join(source, name), "utf8"), join(source, name)));
  });
}

function publicKeyFrom(pem: string, where: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch (error) {
    throw notPublicKey(where, (error as Error).message);
  }
  if (key.asymmetricKeyType !== "ed25519") throw notPublicKey(where, `it is a ${key.asymmetricKeyType} key, not Ed25519`);
  return key;
}

function notPublicKey(where: string, why: string) {
  return packError("pack_key_invalid", `${where} is not an Ed25519 public key (PEM): ${why}`, { path: where });
}
