// The errors a pack can be refused with. Every refusal has its own stable code so that callers and
// tests can tell a tampered pack from an unsigned one, and a zip bomb from a path traversal.
import { DuroError, type ErrorCategory } from "../core/index.js";

/** Codes for a pack whose contents cannot be trusted to be what the manifest says. */
export type PackErrorCode =
  | "pack_not_found"
  | "pack_invalid"
  | "pack_path_traversal"
  | "pack_absolute_path"
  | "pack_symlink"
  | "pack_duplicate_entry"
  | "pack_too_many_files"
  | "pack_too_large"
  | "pack_compression_ratio"
  | "pack_zip_malformed"
  | "pack_file_unlisted"
  | "pack_file_missing"
  | "pack_tampered"
  | "pack_unsigned"
  | "pack_signature_invalid"
  | "pack_untrusted_key"
  | "pack_key_invalid"
  | "component_load_failed";

const AUTH_CODES = new Set<PackErrorCode>(["pack_unsigned", "pack_signature_invalid", "pack_untrusted_key"]);

/** A DuroError for a refused pack: category `auth` for signature problems, `input` for everything else. */
export function packError(code: PackErrorCode, message: string, details: Record<string, unknown> = {}): DuroError {
  const category: ErrorCategory = AUTH_CODES.has(code) ? "auth" : "input";
  return new DuroError(code, message, { category, details });
}
