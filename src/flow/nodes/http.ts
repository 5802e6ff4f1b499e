// `http`: one HTTP request as a journaled step. Only the response is journaled (never the request's
// headers, which may carry credentials); 5xx and 429 are retried, other non-2xx answers fail at once.
// In a pack, where the request may go is governed by the pack's `net:` grants (network.ts): the target and
// every redirect are checked on their resolved addresses, and the connection goes to the checked address,
// so a name rebound to 127.0.0.1 between the check and the connection cannot slip through. A response body
// over its limit is refused while it arrives (`http_response_too_large`).
import http from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";
import { DuroError } from "../../core/index.js";
import { isRecord } from "../document.js";
import { type CheckedTarget, checkTarget, type NetworkPolicy } from "../network.js";
import { type NodeKind, VALUE } from "./kind.js";

interface HttpSpec {
  method?: string;
  url: string;
  headers?: Record<string, string>;
  body?: unknown;
}

/** Where an http node may go and how much it may read. */
export interface HttpLimits {
  /** A pack's grants; undefined: any host (a local flow file is the user's own code). */
  policy?: NetworkPolicy;
  /** A response body over this many bytes fails with `http_response_too_large`. default 10 MiB */
  maxResponseBytes?: number;
}

export const DEFAULT_MAX_RESPONSE_BYTES = 10 * 1024 * 1024;
const MAX_REDIRECTS = 5;

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
        return request(spec, step.signal, rt.where, rt.http);
      },
      rt.stepOptions,
    );
    return { output };
  },
};

interface Answer {
  status: number;
  statusText: string;
  contentType: string;
  location: string | undefined;
  text: string;
}

async function request(spec: HttpSpec, signal: AbortSignal, where: string, limits: HttpLimits) {
  let method = spec.method ?? "GET";
  let url = parseUrl(String(spec.url), where);
  const headers: Record<string, string> = Object.fromEntries(Object.entries(spec.headers ?? {}).map(([k, v]) => [k, String(v)]));
  let body: string | undefined;
  if (spec.body !== undefined && method !== "GET" && method !== "HEAD") {
    body = typeof spec.body === "string" ? spec.body : JSON.stringify(spec.body);
    if (typeof spec.body !== "string" && !Object.keys(headers).some((h) => h.toLowerCase() === "content-type"))
      headers["content-type"] = "application/json";
  }
  const maxBytes = limits.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  let answer: Answer;
  if (!limits.policy) {
    answer = await viaFetch(url, method, headers, body, signal, maxBytes, where);
  } else {
    // Redirects are followed here, one checked hop at a time, never by the transport.
    for (let hop = 0; ; hop++) {
      const target = await checkTarget(url, limits.policy, where);
      answer = await pinned(url, target, method, headers, body, signal, maxBytes, where);
      if (answer.location === undefined || ![301, 302, 303, 307, 308].includes(answer.status)) break;
      if (hop === MAX_REDIRECTS) {
        throw new DuroError("http_too_many_redirects", `${where}: ${describe(method, url)} redirected more than ${MAX_REDIRECTS} times`, {
          category: "step",
          retryable: false,
        });
      }
      const next = parseUrl(new URL(answer.location, url).href, where);
      if (answer.status === 303 || ((answer.status === 301 || answer.status === 302) && method === "POST")) {
        method = "GET";
        body = undefined;
      }
      // Credentials were meant for the first origin only.
      if (next.origin !== url.origin)
        for (const name of Object.keys(headers)) if (/^(authorization|cookie)$/i.test(name)) delete headers[name];
      url = next;
    }
  }
  const parsed = answer.contentType.includes("json") && answer.text !== "" ? (JSON.parse(answer.text) as unknown) : answer.text;
  if (answer.status < 200 || answer.status > 299) {
    throw new DuroError("http_status", `${where}: ${describe(method, url)} answered ${answer.status} ${answer.statusText}`, {
      category: "step",
      retryable: answer.status >= 500 || answer.status === 429,
      details: { status: answer.status, body: isRecord(parsed) || Array.isArray(parsed) ? parsed : answer.text.slice(0, 2_000) },
    });
  }
  return { status: answer.status, headers: { "content-type": answer.contentType }, body: parsed };
}

function parseUrl(text: string, where: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new DuroError("http_invalid_url", `${where}: "${text.slice(0, 200)}" is not a URL`, { category: "step", retryable: false });
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new DuroError("http_invalid_url", `${where}: ${url.protocol} URLs are not supported; use http: or https:`, {
      category: "step",
      retryable: false,
    });
  }
  return url;
}

// The URL's query string may hold a token: messages name the origin and path only.
const describe = (method: string, url: URL) => `${method} ${url.origin}${url.pathname}`;

function tooLarge(where: string, method: string, url: URL, maxBytes: number): DuroError {
  return new DuroError(
    "http_response_too_large",
    `${where}: ${describe(method, url)} answered with more than ${maxBytes} bytes, the limit for a response body; fetch less (a page, a range) or fetch it in a component`,
    { category: "step", retryable: false, details: { limit: maxBytes } },
  );
}

/** Through globalThis.fetch (which the dev loop's http mocks replace), for flows no policy governs. */
async function viaFetch(
  url: URL,
  method: string,
  headers: Record<string, string>,
  body: string | undefined,
  signal: AbortSignal,
  maxBytes: number,
  where: string,
): Promise<Answer> {
  const response = await fetch(url, { method, headers, signal, ...(body === undefined ? {} : { body }) });
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (response.body) {
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      size += chunk.length;
      if (size > maxBytes) throw tooLarge(where, method, url, maxBytes);
      chunks.push(chunk);
    }
  }
  return {
    status: response.status,
    statusText: response.statusText,
    contentType: response.headers.get("content-type") ?? "",
    location: undefined,
    text: Buffer.concat(chunks).toString("utf8"),
  };
}

/** One request connected to the checked address (TLS still verifies the URL's host name). */
function pinned(
  url: URL,
  target: CheckedTarget,
  method: string,
  headers: Record<string, string>,
  body: string | undefined,
  signal: AbortSignal,
  maxBytes: number,
  where: string,
): Promise<Answer> {
  const lookup = ((_host, options, callback) => {
    if ((options as { all?: boolean }).all) (callback as (e: null, a: Array<{ address: string; family: number }>) => void)(null, [target]);
    else callback(null, target.address, target.family);
  }) as LookupFunction;
  return new Promise((resolve, reject) => {
    const req = (url.protocol === "https:" ? https : http).request(url, { method, headers, signal, lookup }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) {
          res.destroy();
          reject(tooLarge(where, method, url, maxBytes));
          return;
        }
        chunks.push(chunk);
      });
      res.on("error", reject);
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          statusText: res.statusMessage ?? "",
          contentType: String(res.headers["content-type"] ?? ""),
          location: res.headers.location,
          text: Buffer.concat(chunks).toString("utf8"),
        }),
      );
    });
    req.on("error", (error) =>
      reject(
        signal.aborted
          ? (signal.reason ?? error)
          : new DuroError("http_unreachable", `${where}: ${describe(method, url)} failed: ${error.message}`, {
              category: "step",
              retryable: true,
              cause: error,
            }),
      ),
    );
    req.end(body);
  });
}
