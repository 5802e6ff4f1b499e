// The hash of a value's canonical JSON, used to tell whether a second start or child asked for the same input. Kept
// apart from json-value.ts so that errors (which describe values) import no Node built-in: duro/client runs anywhere.
import { createHash } from "node:crypto";
import { describeJson, MAX_JSON_DEPTH } from "./json-value.js";

/**
 * The sha256 of a value's canonical JSON (object keys sorted, undefined properties left out, undefined itself as
 * null): two inputs have the same hash exactly when they are the same JSON, whatever their key order.
 */
export function valueHash(value: unknown): string {
  return createHash("sha256")
    .update(
      canonicalJson(
        describeJson(value ?? null, { depth: MAX_JSON_DEPTH, entries: Number.MAX_SAFE_INTEGER, stringChars: Number.MAX_SAFE_INTEGER }),
      ),
    )
    .digest("hex");
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    const entries = Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(",")}}`;
  }
  return JSON.stringify(value);
}
