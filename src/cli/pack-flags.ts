// The flags that say how a pack given to run, worker or resume (or checked by pack verify and inspect) is trusted.
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import type { PackLoadOptions } from "../load/index.js";
import type { SigningMode } from "../pack/index.js";
import { usage } from "./common.js";

export const PACK_FLAGS = {
  /** strict (default): a pack must be signed by a trusted key; dev: unsigned or untrusted packs run with a warning. */
  signing: { type: "string" },
  pubkey: { type: "string", multiple: true },
  "trusted-keys": { type: "string" },
} as const;

type PackFlagValues = { signing?: string | undefined; pubkey?: string[] | undefined; "trusted-keys"?: string | undefined };

/** Where `duro pack verify` and `duro run <pack>` look for trusted public keys unless --trusted-keys says otherwise. */
export const DEFAULT_TRUSTED_KEYS_DIR = ".duro/trusted-keys";

/** Trusted keys from --pubkey files and the trusted keys directory (default .duro/trusted-keys/, if it exists). */
export function trustedKeySources(values: PackFlagValues): string[] {
  const sources = [...(values.pubkey ?? [])].map((p) => resolve(p));
  const dir = values["trusted-keys"] ?? DEFAULT_TRUSTED_KEYS_DIR;
  if (values["trusted-keys"] !== undefined || existsSync(dir)) sources.push(resolve(dir));
  return sources;
}

export function packOptions(values: PackFlagValues): PackLoadOptions {
  const signing = values.signing ?? "strict";
  if (signing !== "strict" && signing !== "dev") throw usage(`--signing must be strict or dev, not "${signing}"`);
  return { signing: signing as SigningMode, trustedKeys: trustedKeySources(values) };
}

/** The pack flags this invocation was given, as words for a hint to repeat (resuming a pack run checks it again). */
export function packFlagWords(values: PackFlagValues): string[] {
  return [
    ...(values.signing === undefined ? [] : ["--signing", values.signing]),
    ...(values.pubkey ?? []).flatMap((key) => ["--pubkey", resolve(key)]),
    ...(values["trusted-keys"] === undefined ? [] : ["--trusted-keys", resolve(values["trusted-keys"])]),
  ];
}
