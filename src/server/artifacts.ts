// Serving an artifact's bytes: the content type a client should read them as, told by the artifact's name or, for an
// unnamed one, by whether the bytes are JSON or text; and the 404 an artifact outside the caller's tenant gets.
import { DuroError } from "../index.js";

const BY_EXTENSION: Record<string, string> = {
  json: "application/json",
  md: "text/markdown; charset=utf-8",
  txt: "text/plain; charset=utf-8",
  html: "text/html; charset=utf-8",
  csv: "text/csv; charset=utf-8",
  yaml: "application/yaml",
  yml: "application/yaml",
  png: "image/png",
  pdf: "application/pdf",
};

/** The Content-Type of an artifact's bytes. */
export function artifactContentType(bytes: Uint8Array, name: string | undefined): string {
  const extension = name?.match(/\.([A-Za-z0-9]+)$/)?.[1]?.toLowerCase();
  if (extension !== undefined && BY_EXTENSION[extension] !== undefined) return BY_EXTENSION[extension];
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return "application/octet-stream";
  }
  try {
    JSON.parse(text);
    return "application/json";
  } catch {
    return "text/plain; charset=utf-8";
  }
}

/** The same 404 for an artifact that does not exist and one no run of the caller's tenant stored. */
export const artifactNotFound = (sha256: string) =>
  new DuroError("artifact_not_found", `no artifact has sha256 "${sha256}"; list them with GET /v1/artifacts`, {
    details: { sha256 },
  });

/** A sha256 as artifacts are keyed: 64 lowercase hex digits. */
export function checkArtifactHash(sha256: string): string {
  if (/^[0-9a-f]{64}$/.test(sha256)) return sha256;
  throw new DuroError(
    "invalid_artifact_hash",
    `"${sha256.slice(0, 80)}" is not an artifact hash; give its sha256 as 64 lowercase hex digits`,
    {
      details: { path: "path.hash" },
    },
  );
}
