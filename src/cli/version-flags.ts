// The escape hatch from version pinning on the command line: `--any-version` on `duro worker` and `duro resume`
// (EngineOptions.versionPinning: false). Without it, those commands only execute runs whose version they have.
import type { Engine } from "../index.js";

export const ANY_VERSION_FLAG = {
  /** Execute runs of the files' workflows whatever version they recorded (check first: duro check <file…>). */
  "any-version": { type: "boolean", default: false },
} as const;

export function pinningOption(values: { "any-version"?: boolean | undefined }): { versionPinning?: boolean } {
  return values["any-version"] ? { versionPinning: false } : {};
}

/** `order (v1, v2), ship (src:1a2b…)`, or the names alone with any version. */
export function describeVersions(engine: Engine, anyVersion: boolean | undefined): string {
  const versions = Object.entries(engine.workflowVersions());
  if (anyVersion) return `${versions.map(([name]) => name).join(", ")} in any version`;
  return versions.map(([name, held]) => `${name} (${held.join(", ")})`).join(", ");
}
