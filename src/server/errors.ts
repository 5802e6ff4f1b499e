// How errors leave the API: every DuroError becomes `{ error: { code, message, details } }` with the status its code's
// row in ERROR_CODES gives (not found, conflict, else its category's); an error that knows when to retry
// (details.retryAfterS) also sets Retry-After.
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { z } from "zod";
import { DuroError, ERROR_CODES, errorCodeSpec, isDuroError, STATUS_BY_CATEGORY } from "../core/index.js";

/**
 * The status of a DuroError: its code's row in ERROR_CODES, or for a code duro does not know (an application's own),
 * its category's (input 400, auth 401, limit 429, storage 503, else 500).
 */
export function statusOf(error: DuroError): ContentfulStatusCode {
  return (errorCodeSpec(error.code)?.status ?? STATUS_BY_CATEGORY[error.category]) as ContentfulStatusCode;
}

/** The JSON response for anything thrown by a route; unexpected errors are logged and answered without their text. */
export function errorResponse(c: Context, error: unknown): Response {
  if (isDuroError(error)) {
    const details = Object.keys(error.details).length > 0 ? { details: error.details } : {};
    const retryAfterS = error.details.retryAfterS;
    const headers = typeof retryAfterS === "number" ? { "retry-after": String(Math.max(1, retryAfterS)) } : undefined;
    return c.json({ error: { code: error.code, message: error.message, ...details } }, statusOf(error), headers);
  }
  console.error("duro serve: internal error:", error);
  return c.json(
    { error: { code: "internal_error", message: "the server failed; see its log" } },
    ERROR_CODES.internal_error.status as ContentfulStatusCode,
  );
}

/** A request's body, query or parameter failed its schema: the first issue's path names the bad field. */
export function validationError(where: "body" | "query", error: z.ZodError): DuroError {
  const [first] = error.issues;
  const path = first ? first.path.map(String).join(".") : "";
  const field = path === "" ? where : `${where}.${path}`;
  return new DuroError(`invalid_${where}` as const, `${field}: ${first?.message ?? "invalid"}`, {
    details: { path: field, issues: error.issues.map((i) => ({ path: [where, ...i.path.map(String)].join("."), message: i.message })) },
  });
}

export const notFound = (what: string) => new DuroError("not_found", `${what} does not exist (or belongs to another tenant)`);

/** The same 404 a run of another tenant gets, so that existence does not leak. */
export const runNotFound = (runId: string) =>
  new DuroError("run_not_found", `no run with id "${runId}"; list runs with GET /v1/runs`, { details: { runId } });
