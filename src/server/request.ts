// What a request must look like before a route sees it: a URL whose percent-encoding decodes, a JSON body (by its
// Content-Type, so a cross-site form or a text/plain fetch cannot reach a route) that is nested at most so deep.
import type { Context } from "hono";
import type { z } from "zod";
import { DEFAULT_MAX_JSON_DEPTH, DuroError, jsonNestsDeeperThan } from "../core/index.js";
import { validationError } from "./errors.js";

export { DEFAULT_MAX_JSON_DEPTH };

/** Throws `invalid_url` (400) when the path or query holds a "%" that does not start valid UTF-8 percent-encoding. */
export function checkUrlEncoding(url: string): void {
  const { pathname, search } = new URL(url);
  try {
    decodeURIComponent(pathname);
    decodeURIComponent(search.replaceAll("+", " "));
  } catch {
    throw new DuroError(
      "invalid_url",
      `the URL ${JSON.stringify(pathname + search)} has malformed percent-encoding; encode each byte of UTF-8 as %XX (encodeURIComponent)`,
      { category: "input" },
    );
  }
}

/** True for application/json and the application/*+json types, whatever parameters (charset) follow. */
export function isJsonType(contentType: string | undefined): boolean {
  const type = (contentType ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  return type === "application/json" || /^application\/[\w.-]+\+json$/.test(type);
}

export function unsupportedMediaType(contentType: string | undefined): DuroError {
  return new DuroError(
    "unsupported_media_type",
    `the request body must be JSON sent with Content-Type: application/json (got ${contentType === undefined ? "no Content-Type" : JSON.stringify(contentType)})`,
    { category: "input", details: { contentType: contentType ?? null } },
  );
}

/** Throws `body_too_deep` when objects and arrays nest deeper than `max` in `text`. */
export function checkJsonDepth(text: string, max: number): void {
  if (!jsonNestsDeeperThan(text, max)) return;
  throw new DuroError("body_too_deep", `the request body nests objects and arrays more than ${max} levels deep; flatten it`, {
    category: "input",
    details: { path: "body", maxDepth: max },
  });
}

/** Parses and validates a JSON body; `optional` accepts an empty body as {}. */
export async function parseBody<S extends z.ZodType>(
  c: Context,
  schema: S,
  opts: { optional?: boolean; maxDepth?: number } = {},
): Promise<z.output<S>> {
  const text = await c.req.text();
  let value: unknown = {};
  if (text.trim() !== "" || !opts.optional) {
    const contentType = c.req.header("content-type");
    if (!isJsonType(contentType)) throw unsupportedMediaType(contentType);
    checkJsonDepth(text, opts.maxDepth ?? DEFAULT_MAX_JSON_DEPTH);
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new DuroError(
        "body_malformed",
        `the request body is not JSON (${(error as Error).message}); send Content-Type: application/json`,
        {
          category: "input",
          details: { path: "body" },
        },
      );
    }
  }
  const result = schema.safeParse(value);
  if (!result.success) throw validationError("body", result.error);
  return result.data;
}
