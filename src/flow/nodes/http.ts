// `http`: one HTTP request as a journaled step. Only the response is journaled (never the request's
// headers, which may carry credentials); 5xx and 429 are retried, other non-2xx answers fail at once.
import { DuroError } from "../../core/index.js";
import { isRecord } from "../document.js";
import { type NodeKind, VALUE } from "./kind.js";

interface HttpSpec {
  method?: string;
  url: string;
  headers?: Record<string, string>;
  body?: unknown;
}

export const httpNode: NodeKind = {
  kind: "http",
  summary: "Sends an HTTP request; the output is `{ status, headers, body }` (body parsed when it is JSON).",
  spec: {
    type: "object",
    required: ["url"],
    additionalProperties: false,
    properties: {
      method: { enum: ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"], default: "GET" },
      url: { type: "string", minLength: 1 },
      headers: { type: "object", additionalProperties: VALUE },
      body: VALUE,
    },
  },
  async run(node, rt) {
    const output = await rt.ctx.step(
      rt.name,
      async (step) => {
        // $secret(name) is only bound here, inside the step: a secret may go into the request, never into the journal.
        const spec = (await rt.value(node.http, "http", { secret: (name: string) => rt.secret(name) }, step.signal)) as HttpSpec;
        return request(spec, step.signal, rt.where);
      },
      rt.stepOptions,
    );
    return { output };
  },
};

async function request(spec: HttpSpec, signal: AbortSignal, where: string) {
  const method = spec.method ?? "GET";
  const url = new URL(String(spec.url));
  const headers: Record<string, string> = Object.fromEntries(Object.entries(spec.headers ?? {}).map(([k, v]) => [k, String(v)]));
  let body: string | undefined;
  if (spec.body !== undefined && method !== "GET" && method !== "HEAD") {
    body = typeof spec.body === "string" ? spec.body : JSON.stringify(spec.body);
    if (typeof spec.body !== "string" && !Object.keys(headers).some((h) => h.toLowerCase() === "content-type"))
      headers["content-type"] = "application/json";
  }
  const response = await fetch(url, { method, headers, signal, ...(body === undefined ? {} : { body }) });
  const contentType = response.headers.get("content-type") ?? "";
  const text = await response.text();
  const parsed = contentType.includes("json") && text !== "" ? (JSON.parse(text) as unknown) : text;
  // The URL's query string may hold a token: messages name the origin and path only.
  const target = `${method} ${url.origin}${url.pathname}`;
  if (!response.ok) {
    throw new DuroError("http_status", `${where}: ${target} answered ${response.status} ${response.statusText}`, {
      category: "step",
      retryable: response.status >= 500 || response.status === 429,
      details: { status: response.status, body: isRecord(parsed) || Array.isArray(parsed) ? parsed : text.slice(0, 2_000) },
    });
  }
  return { status: response.status, headers: { "content-type": contentType }, body: parsed };
}
