// Mocks for development and tests, from a file (`duro run … --mocks mocks.yaml`) or in code: http (fetch is
// intercepted and matched by method and URL pattern), tools, clock, kv and secrets. Every hit is reported to
// `onHit`, which the CLI turns into a transcript line with phase "mock".
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { type ContextExtension, DuroError, inputError, toolMocksExtension } from "../core/index.js";
import type { MockHit } from "../observe/index.js";
import type { MockClockOptions } from "./clock.js";

/** The YAML parser, loaded with the first mocks file: every `duro` command imports this module, few read mocks. */
function yamlParser(): typeof import("yaml")["parse"] {
  return (createRequire(import.meta.url)("yaml") as typeof import("yaml")).parse;
}

export interface MockResponse {
  /** default 200 */
  status?: number;
  headers?: Record<string, string>;
  /** A string is sent as is; anything else as JSON. */
  body?: unknown;
}

export interface HttpMock {
  /** default: any method */
  method?: string;
  /** The URL: exact, with `*` wildcards, or a regular expression written `/…/`. */
  url: string;
  /** Always this response. */
  response?: MockResponse;
  /** These responses in turn; the last one repeats. */
  sequence?: MockResponse[];
  /** Let the request through to the network. */
  passthrough?: boolean;
  /** Let it through and keep the response (for a cassette). */
  record?: boolean;
}

export type ToolMock = { result: unknown } | ((args: unknown) => unknown);

export interface MocksSpec {
  http?: HttpMock[];
  tools?: Record<string, ToolMock>;
  clock?: MockClockOptions;
  kv?: Record<string, unknown>;
  secrets?: Record<string, string>;
}

/** An HTTP exchange that went to the network under `record`, kept for a cassette. */
export interface RecordedHttp {
  method: string;
  url: string;
  status: number;
  headers: Record<string, string>;
  body: string;
}

const KNOWN_SECTIONS = new Set(["http", "tools", "clock", "kv", "secrets"]);

/** Reads a mocks file (YAML or JSON) and checks its shape; bad files fail with `mocks_invalid`. */
export function loadMocksFile(path: string): MocksSpec {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw inputError("mocks_not_found", `cannot read the mocks file ${path}: ${(error as Error).message}`, { file: path });
  }
  let spec: unknown;
  try {
    spec = yamlParser()(text);
  } catch (error) {
    throw inputError("mocks_invalid", `${path} is not valid YAML or JSON: ${(error as Error).message}`, { file: path });
  }
  return checkSpec(spec ?? {}, path);
}

function checkSpec(spec: unknown, where: string): MocksSpec {
  const bad = (message: string) => inputError("mocks_invalid", `${where}: ${message}; see docs/dev-loop.md#mocks`, { file: where });
  if (typeof spec !== "object" || spec === null || Array.isArray(spec))
    throw bad("the top level must be a mapping of http, tools, clock, kv, secrets");
  for (const key of Object.keys(spec))
    if (!KNOWN_SECTIONS.has(key)) throw bad(`unknown section "${key}" (known: ${[...KNOWN_SECTIONS].join(", ")})`);
  const { http, clock } = spec as MocksSpec;
  if (http !== undefined) {
    if (!Array.isArray(http)) throw bad("http must be a list of { method, url, response | sequence | passthrough | record }");
    http.forEach((rule, i) => {
      if (typeof rule?.url !== "string") throw bad(`http[${i}] needs a url`);
      const kinds = [rule.response, rule.sequence, rule.passthrough || undefined, rule.record || undefined].filter((k) => k !== undefined);
      if (kinds.length !== 1) throw bad(`http[${i}] (${rule.url}) needs exactly one of response, sequence, passthrough, record`);
    });
  }
  if (clock !== undefined && clock.mode !== undefined && clock.mode !== "frozen" && clock.mode !== "accelerated")
    throw bad(`clock.mode must be "frozen" or "accelerated", not "${String(clock.mode)}"`);
  return spec as MocksSpec;
}

function urlMatcher(pattern: string): (url: string) => boolean {
  if (pattern.length > 2 && pattern.startsWith("/") && pattern.endsWith("/")) {
    const re = new RegExp(pattern.slice(1, -1));
    return (url) => re.test(url);
  }
  const re = new RegExp(
    `^${pattern
      .split("*")
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*")}$`,
  );
  return (url) => re.test(url);
}

/** The mocks of one process: answers intercepted calls and reports every hit. */
export class Mocks {
  readonly kv = new Map<string, unknown>();
  readonly recorded: RecordedHttp[] = [];
  private readonly rules: Array<HttpMock & { matches: (url: string) => boolean; served: number }>;
  private realFetch: typeof fetch | undefined;

  constructor(
    readonly spec: MocksSpec = {},
    private readonly onHit: (hit: MockHit) => void = () => undefined,
    private readonly now: () => number = Date.now,
    /** Keep every exchange in `recorded` (mocked ones too), for a cassette. */
    private readonly recordAll = false,
  ) {
    checkSpec(spec, "mocks");
    this.rules = (spec.http ?? []).map((rule) => ({ ...rule, matches: urlMatcher(rule.url), served: 0 }));
    for (const [key, value] of Object.entries(spec.kv ?? {})) this.kv.set(key, value);
  }

  /** Replaces globalThis.fetch while the mocks are installed; returns the function that restores it. */
  installFetch(): () => void {
    if ((this.rules.length === 0 && !this.recordAll) || this.realFetch) return () => undefined;
    const real = globalThis.fetch;
    this.realFetch = real;
    globalThis.fetch = (input, init) => this.fetch(new Request(input, init), real);
    return () => {
      globalThis.fetch = real;
      this.realFetch = undefined;
    };
  }

  /** Installs every mock that stands in process-wide (fetch); returns the function that removes them. */
  install(): () => void {
    return this.installFetch();
  }

  /** The engine extensions these mocks need: the `tools` mocks answer agent tools and flow components by name. */
  extensions(): ContextExtension[] {
    if (Object.keys(this.spec.tools ?? {}).length === 0) return [];
    return [toolMocksExtension({ has: (name) => Object.hasOwn(this.spec.tools ?? {}, name), call: (name, args) => this.tool(name, args) })];
  }

  /** A mocked tool's result: its fixed result, or what its function returns. */
  async tool(name: string, args: unknown): Promise<unknown> {
    const mock = this.spec.tools?.[name];
    if (mock === undefined)
      throw inputError("mock_unmatched", `no mock for tool "${name}"; add it under tools: in the mocks`, { tool: name });
    const result = typeof mock === "function" ? await mock(args) : mock.result;
    this.hit("tools", { tool: name, args }, result);
    return result;
  }

  /** A secret from the mocks, reported (by name only) as a hit. */
  secret(name: string): string | undefined {
    const value = this.spec.secrets?.[name];
    if (value !== undefined) this.hit("secrets", { name });
    return value;
  }

  private async fetch(request: Request, real: typeof fetch): Promise<Response> {
    const rule = this.findRule(request);
    const asked = { method: request.method, url: request.url };
    if (!rule) {
      throw new DuroError(
        "mock_unmatched",
        `no http mock matches ${request.method} ${request.url}; add a rule for it to the mocks (or one with passthrough: true)`,
        { details: asked },
      );
    }
    if (rule.passthrough || rule.record) {
      const response = await real(request);
      const body = await response.text();
      const headers = Object.fromEntries(response.headers.entries());
      if (rule.record || this.recordAll) this.recorded.push({ ...asked, status: response.status, headers, body });
      this.hit("http", asked, { status: response.status, mode: rule.record ? "record" : "passthrough" });
      return new Response(body, { status: response.status, headers });
    }
    const mocked = rule.sequence
      ? (rule.sequence[Math.min(rule.served, rule.sequence.length - 1)] as MockResponse)
      : (rule.response as MockResponse);
    rule.served++;
    this.hit("http", asked, { status: mocked.status ?? 200, body: mocked.body ?? null });
    const response = toResponse(mocked);
    if (this.recordAll) {
      const copy = response.clone();
      this.recorded.push({ ...asked, status: copy.status, headers: Object.fromEntries(copy.headers.entries()), body: await copy.text() });
    }
    return response;
  }

  /** The first rule for this request; under recordAll, an unmatched request goes to the network and is recorded. */
  private findRule(request: Request) {
    const rule = this.rules.find((r) => (r.method === undefined || r.method.toUpperCase() === request.method) && r.matches(request.url));
    if (rule || !this.recordAll) return rule;
    return { url: "*", record: true, matches: () => true, served: 0 };
  }

  /** Reports a jump of the mock clock over a timer. */
  clockJumped(from: number, to: number): void {
    this.hit("clock", { from: new Date(from).toISOString(), to: new Date(to).toISOString() });
  }

  private hit(kind: string, request: unknown, response?: unknown): void {
    this.onHit({ ts: new Date(this.now()).toISOString(), kind, request, ...(response === undefined ? {} : { response }) });
  }
}

export function toResponse(mocked: MockResponse): Response {
  const isText = typeof mocked.body === "string";
  const body = mocked.body === undefined ? null : isText ? (mocked.body as string) : JSON.stringify(mocked.body);
  const headers = { ...(isText || body === null ? {} : { "content-type": "application/json" }), ...mocked.headers };
  return new Response(body, { status: mocked.status ?? 200, headers });
}
