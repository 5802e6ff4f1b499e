// What every backend shares about named and tagged artifacts: tags as stored (sorted, each once), the listing's page
// size, and a listed row as an ArtifactInfo.
import { inputError } from "../core/index.js";
import type { ArtifactInfo } from "./store.js";

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;

/** The tags of a put as stored: sorted, each once; a tag must be a non-empty string. */
export function artifactTags(tags: readonly string[] | undefined): string[] {
  for (const tag of tags ?? []) {
    if (typeof tag !== "string" || tag === "")
      throw inputError("invalid_artifact_tag", `artifact tags are non-empty strings, not ${JSON.stringify(tag)}`);
  }
  return [...new Set(tags ?? [])].sort();
}

/** A put's name as stored (null for none); a name must be a non-empty string. */
export function artifactName(name: string | undefined): string | null {
  if (name === undefined) return null;
  if (typeof name !== "string" || name === "")
    throw inputError("invalid_artifact_tag", `an artifact's name is a non-empty string, not ${JSON.stringify(name)}`);
  return name;
}

/** A listing's page size: default 100, at most 1000. */
export function artifactLimit(limit: number | undefined): number {
  return Math.min(Math.max(Math.trunc(limit ?? DEFAULT_LIMIT), 1), MAX_LIMIT);
}

/** One listed artifact as the SQL stores select it (tags and runs already parsed). */
export interface ArtifactRow {
  sha256: string;
  name: string | null;
  tags: string[];
  size: number | string;
  created_at: number | string | null;
  runs: string[];
}

export function artifactInfo(row: ArtifactRow): ArtifactInfo {
  const info: ArtifactInfo = { sha256: row.sha256, tags: row.tags, size: Number(row.size), runs: [...row.runs].sort() };
  if (row.name !== null) info.name = row.name;
  if (row.created_at !== null) info.createdAt = Number(row.created_at);
  return info;
}
