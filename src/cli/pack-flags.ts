// The flags that say how a pack given to run, worker or resume is trusted.
import { resolve } from "node:path";
import type { PackLoadOptions } from "../load/index.js";
import type { SigningMode } from "../pack/index.js";
import { trustedKeySources } from "./commands/pack.js";
import { usage } from "./common.js";

export const PACK_FLAGS = {
  /** strict (default): a pack must be signed by a trusted key; dev: unsigned or untrusted packs run with a warning. */
  signing: { type: "string" },
  pubkey: { type: "string", multiple: true },
  "trusted-keys": { type: "string" },
} as const;

type PackFlagValues = { signing?: string | undefined; pubkey?: string[] | undefined; "trusted-keys"?: string | undefined };

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
