// Run ids and step keys. Child run ids are UUID v5 of the parent id and the step key, so a parent that
// crashed after spawning finds its child again instead of spawning a twin.
import { createHash } from "node:crypto";
import { inputError } from "./errors.js";

export type RunId = string & { readonly __brand: "RunId" };
export type StepKey = string & { readonly __brand: "StepKey" };

const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;

/** Checks a run id given by a user (`--id`, API) and brands it. */
export function parseRunId(value: string): RunId {
  if (!RUN_ID.test(value)) {
    throw inputError(
      "invalid_run_id",
      `"${value}" is not a valid run id; use 1 to 128 letters, digits, "_", ".", ":" or "-", starting with a letter or digit`,
      { value },
    );
  }
  return value as RunId;
}

/** The deterministic key of the n-th call named `name` in a run: `charge#0`, `charge#1`. */
export function stepKey(name: string, occurrence: number): StepKey {
  return `${name}#${occurrence}` as StepKey;
}

const DURO_NAMESPACE = "6f1b3c9e-2f0a-4c55-9d4e-5b8a7c1d2e3f";

/** RFC 4122 UUID v5 (SHA-1, name-based) of `name` in `namespace`. */
export function uuidV5(name: string, namespace: string = DURO_NAMESPACE): string {
  const ns = Buffer.from(namespace.replace(/-/g, ""), "hex");
  const hash = createHash("sha1").update(ns).update(name, "utf8").digest();
  hash[6] = ((hash[6] as number) & 0x0f) | 0x50;
  hash[8] = ((hash[8] as number) & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** The id of the child a parent run starts at `key`: the same on every replay. */
export function childRunId(parentRunId: RunId, key: StepKey): RunId {
  return `r_${uuidV5(`${parentRunId}/${key}`)}` as RunId;
}

const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/** A new time-sortable run id (`r_` + ULID). Time and randomness come in as values: core has no clock. */
export function newRunId(nowMs: number, random: Uint8Array): RunId {
  let time = "";
  let t = nowMs;
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD[t % 32] + time;
    t = Math.floor(t / 32);
  }
  let rand = "";
  for (let i = 0; i < 16; i++) rand += CROCKFORD[(random[i % random.length] as number) % 32];
  return `r_${time}${rand}` as RunId;
}
