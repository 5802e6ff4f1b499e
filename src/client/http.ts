// One request to the duro API over fetch: the key as a bearer token, JSON in and out, and every failure as a
// DuroError: the server's own code for its errors, server_unreachable when no answer came, bad_response when the
// answer is not the API's (a proxy's error page).
import { clip, DuroError, type ErrorCategory, errorCodeSpec } from "../core/portable.js";

/** What every request of one client shares. */
export interface Transport {
  baseUrl: string;
  apiKey: string | undefined;
  fetch: typeof fetch;
  headers: Record<string, string>;
}

export interface RequestSpec {
  method: "GET" | "POST";
  /** From the API's root, e.g. `/v1/runs`; segments taken from the caller are encoded by `path`. */
  path: string;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal | undefined;
}

/** A path with its dynamic segments percent-encoded: path`/v1/runs/${id}/cancel`. */
export function path(strings: TemplateStringsArray, ...segments: string[]): string {
  return strings.reduce((out, part, i) => out + part + (i < segments.length ? encodeURIComponent(segments[i] as string) : ""), "");
}

/** Sends the request; resolves with the response when its status is 2xx, throws the DuroError it carries otherwise. */
export async function send(transport: Transport, spec: RequestSpec): Promise<Response> {
  const url = urlOf(transport.baseUrl, spec);
  const headers: Record<string, string> = { accept: "application/json", ...transport.headers, ...spec.headers };
  if (transport.apiKey !== undefined) headers.authorization = `Bearer ${transport.apiKey}`;
  if (spec.body !== undefined) headers["content-type"] = "application/json";
  let response: Response;
  try {
    response = await transport.fetch(url, {
      method: spec.method,
      headers,
      ...(spec.body === undefined ? {} : { body: JSON.stringify(spec.body) }),
      ...(spec.signal ? { signal: spec.signal } : {}),
    });
  } catch (error) {
    if (spec.signal?.aborted) throw spec.signal.reason;
    throw new DuroError("server_unreachable", `${spec.method} ${url} got no answer: ${messageOf(error)}; is the server running?`, {
      details: { url },
      cause: error,
    });
  }
  if (response.ok) return response;
  throw await errorOf(response, `${spec.method} ${url}`);
}

/** Sends the request and parses the JSON answer. */
export async function call<T>(transport: Transport, spec: RequestSpec): Promise<T> {
  const response = await send(transport, spec);
  try {
    return (await response.json()) as T;
  } catch (error) {
    if (spec.signal?.aborted) throw spec.signal.reason;
    throw new DuroError("bad_response", `${spec.method} ${spec.path} answered ${response.status} with a body that is not JSON`, {
      details: { status: response.status },
      cause: error,
    });
  }
}

function urlOf(baseUrl: string, spec: RequestSpec): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(spec.query ?? {})) if (value !== undefined) query.set(name, String(value));
  const search = query.toString() === "" ? "" : `?${query}`;
  return `${baseUrl.replace(/\/+$/, "")}${spec.path}${search}`;
}

/** The API's error answer as a DuroError with its code, message and details (plus the status and Retry-After). */
async function errorOf(response: Response, what: string): Promise<DuroError> {
  const text = await response.text().catch(() => "");
  const retryAfter = Number(response.headers.get("retry-after"));
  const extra = { status: response.status, ...(retryAfter > 0 ? { retryAfterS: retryAfter } : {}) };
  const body = parseErrorBody(text);
  if (!body) {
    return new DuroError(
      "bad_response",
      `${what} answered ${response.status} ${response.statusText} with a body that is not a duro error: ${clip(text, 200)}`,
      { retryable: response.status >= 500 || response.status === 429, details: extra },
    );
  }
  const spec = errorCodeSpec(body.code);
  return new DuroError(body.code, body.message, {
    category: spec?.category ?? categoryOfStatus(response.status),
    retryable: spec?.retryable ?? (response.status >= 500 || response.status === 429),
    details: { ...body.details, ...extra },
  });
}

function parseErrorBody(text: string): { code: string; message: string; details?: Record<string, unknown> } | undefined {
  try {
    const error = (JSON.parse(text) as { error?: unknown }).error as Record<string, unknown> | undefined;
    if (typeof error?.code !== "string" || typeof error.message !== "string") return undefined;
    const details = typeof error.details === "object" && error.details !== null ? (error.details as Record<string, unknown>) : undefined;
    return { code: error.code, message: error.message, ...(details ? { details } : {}) };
  } catch {
    return undefined;
  }
}

/** For a code this client does not know (a newer server's): the category its status stands for. */
function categoryOfStatus(status: number): ErrorCategory {
  if (status === 401 || status === 403) return "auth";
  if (status === 429) return "limit";
  if (status >= 500) return "storage";
  return "input";
}

function messageOf(error: unknown): string {
  const cause = (error as { cause?: { message?: unknown } } | undefined)?.cause?.message;
  const message = error instanceof Error ? error.message : String(error);
  return typeof cause === "string" ? `${message} (${cause})` : message;
}
