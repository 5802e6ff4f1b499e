// How errors leave the API: every DuroError becomes `{ error: { code, message, details } }` with a status that
// follows its code (not found, conflict) or else its category (input 400, auth 401, limit 429, storage 503); an error
// that knows when to retry (details.retryAfterS) also sets Retry-After.
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { z } from "zod";
import { DuroError, isDuroError } from "../core/index.js";

const BY_CODE: Record<string, ContentfulStatusCode> = {
  run_not_found: 404,
  not_found: 404,
  forbidden: 403,
  not_waiting: 409,
  already_decided: 409,
  gate_required: 409,
  run_terminal: 409,
  run_conflict: 409,
  link_used: 410,
  link_expired: 410,
  body_too_large: 413,
  event_too_large: 413,
  unsupported_media_type: 415,
  host_not_allowed: 403,
  origin_not_allowed: 403,
  gate_not_found: 404,
  too_many_streams: 503,
  not_ready: 503,
};

const BY_CATEGORY: Record<DuroError["category"], ContentfulStatusCode> = {
  input: 400,
  definition: 400,
  auth: 401,
  limit: 429,
  storage: 503,
  step: 500,
  internal: 500,
};

export function statusOf(error: DuroError): ContentfulStatusCode {
  return BY_CODE[error.code] ?? BY_CATEGORY[error.category];
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
  return c.json({ error: { code: "internal_error", message: "the server failed; see its log" } }, 500);
}

/** A request's body, query or parameter failed its schema: the first issue's path names the bad field. */
export function validationError(where: "body" | "query", error: z.ZodError): DuroError {
  const [first] = error.issues;
  const path = first ? first.path.map(String).join(".") : "";
  const field = path === "" ? where : `${where}.${path}`;
  return new DuroError(`invalid_${where}`, `${field}: ${first?.message ?? "invalid"}`, {
    category: "input",
    details: { path: field, issues: error.issues.map((i) => ({ path: [where, ...i.path.map(String)].join("."), message: i.message })) },
  });
}

export const notFound = (what: string) =>
  new DuroError("not_found", `${what} does not exist (or belongs to another tenant)`, { category: "input" });

/** The same 404 a run of another tenant gets, so that existence does not leak. */
export const runNotFound = (runId: string) =>
  new DuroError("run_not_found", `no run with id "${runId}"; list runs with GET /v1/runs`, { category: "input", details: { runId } });
