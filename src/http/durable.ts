// Durable endpoints: an ordinary fetch-style handler whose body runs as a workflow. The request (method, URL, headers
// without credentials, body as text) is the run's journaled input; the handler's answer is its output. A run that ends
// within timeoutMs answers as the handler did; a longer one answers 202 with the run's URL under duroHandler's prefix.
import { createHash } from "node:crypto";
import { errorCodeSpec, STATUS_BY_CATEGORY } from "../core/index.js";
import {
  DuroError,
  type Engine,
  type ErrorInfo,
  type RunDetails,
  type WorkflowContext,
  type WorkflowDefinition,
  workflow,
} from "../index.js";
import { TERMINAL_STATUSES } from "../store/index.js";

/** What a durable endpoint's run journals as its input: the request, without the headers that carry credentials. */
export interface DurableRequest {
  method: string;
  url: string;
  /** Lower-case names; credentials (see DurableOptions.redactHeaders) are left out. */
  headers: Record<string, string>;
  /** The body as UTF-8 text; null for a request without one. */
  body: string | null;
}

/** A durable endpoint's run output: the response it answers with (also what GET <prefix>/v1/runs/<id> shows). */
export interface DurableResponse {
  status: number;
  headers: Record<string, string>;
  body: string | null;
}

/** An ordinary handler that may use the workflow context: ctx.step, ctx.sleep, ctx.approval… */
export type DurableRouteHandler = (request: Request, ctx: WorkflowContext) => Response | unknown | Promise<Response | unknown>;

export interface DurableOptions {
  /** The engine that runs the endpoint's workflow (with a worker, which finishes runs that outlive their request). */
  engine: Engine;
  /** The endpoint's workflow name: its runs are listed under it, and it must be unique in the engine. */
  name: string;
  /** How long a request waits for its run before it answers 202 Accepted. default 10_000 */
  timeoutMs?: number;
  /** duroHandler's prefix: the 202's Location is `<prefix>/v1/runs/<run id>`. default "/duro" */
  prefix?: string;
  /** The tenant of the runs (the API shows them to this tenant's callers). default the engine's tenant ("default") */
  tenant?: string;
  /** Who makes the request (e.g. your session's user), recorded as the run's actor. default none */
  actor?: (request: Request) => string | undefined | Promise<string | undefined>;
  /**
   * Request headers left out of the journal besides authorization, proxy-authorization, cookie, x-api-key and names
   * containing token, secret, password, session or signature. default none
   */
  redactHeaders?: string[];
}

/** What `durable` returns: a fetch-style handler for the app's router, with the workflow it registered. */
export type DurableEndpoint = ((request: Request) => Promise<Response>) & { workflow: string };

const CREDENTIAL_HEADERS = new Set(["authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key"]);
const CREDENTIAL_NAME = /token|secret|password|session|signature|api-?key/i;
/** How often a waiting request looks at its run when this process is not the one executing it. */
const POLL_MS = 50;

/** Wraps `handler` so that each request runs as a run of workflow `name`; see DurableOptions. */
export function durable(handler: DurableRouteHandler, options: DurableOptions): DurableEndpoint {
  const { engine, name } = options;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const prefix = (options.prefix ?? "/duro").replace(/\/+$/, "");
  const redacted = new Set([...CREDENTIAL_HEADERS, ...(options.redactHeaders ?? []).map((h) => h.toLowerCase())]);
  const definition = workflow(name, async (ctx, input: DurableRequest) => responseOf(await handler(requestOf(input), ctx)));
  engine.register(definition);

  const endpoint = (request: Request): Promise<Response> => answer(request).catch(errorAnswer);
  const answer = async (request: Request): Promise<Response> => {
    const input = await journaled(request, redacted);
    const key = request.headers.get("idempotency-key") ?? undefined;
    const actor = await options.actor?.(request);
    const runId = await startOnce(engine, definition, input, {
      ...(options.tenant === undefined ? {} : { tenant: options.tenant }),
      ...(actor === undefined ? {} : { actor }),
      ...(key === undefined ? {} : { id: runIdOf(name, key), idempotencyKey: `${name}:${key}` }),
    });
    const run = await settle(engine, runId, Date.now() + timeoutMs);
    if (run === undefined) return accepted(runId, prefix);
    return answerOf(run);
  };
  return Object.assign(endpoint, { workflow: name });
}

type StartOptions = { tenant?: string; actor?: string; id?: string; idempotencyKey?: string };

/**
 * Starts the run, or joins the one a retried request (same Idempotency-Key) started. A key reused for another request
 * (method, URL or body differ) is a `run_conflict`; headers may differ between retries (tracing ids, dates).
 */
async function startOnce(
  engine: Engine,
  definition: WorkflowDefinition<DurableRequest, DurableResponse>,
  input: DurableRequest,
  options: StartOptions,
): Promise<string> {
  if (options.id !== undefined) {
    const existing = await engine.get(options.id).catch(() => undefined);
    if (existing !== undefined) return joined(existing, input);
  }
  const handle = await engine.start(definition, input, options).catch(async (error: unknown) => {
    // Two first requests with one key raced and their headers differ: the loser joins the winner's run.
    if (!(error instanceof DuroError) || error.code !== "run_conflict" || options.id === undefined) throw error;
    return { id: joined(await engine.get(options.id), input) };
  });
  return handle.id;
}

/** The existing run's id when it was started by the same request. */
function joined(existing: RunDetails, input: DurableRequest): string {
  const first = existing.input as DurableRequest;
  if (first.method === input.method && first.url === input.url && first.body === input.body) return existing.id;
  throw new DuroError(
    "run_conflict",
    `the Idempotency-Key of this ${input.method} ${input.url} was used by run ${existing.id} for ${first.method} ${first.url} with another body; send a new key for a new request`,
    { details: { runId: existing.id } },
  );
}

/** The run's details once it ended, or undefined at the deadline. This process executes it meanwhile (a worker may too). */
async function settle(engine: Engine, runId: string, deadline: number): Promise<RunDetails | undefined> {
  let executing: Promise<unknown> | undefined = engine.execute(runId).catch(() => undefined);
  for (;;) {
    const record = await engine.store.getRun(runId);
    if (record !== undefined && TERMINAL_STATUSES.has(record.status)) return engine.get(runId);
    const left = deadline - Date.now();
    if (left <= 0) return undefined;
    const pause = new Promise((resolve) => setTimeout(resolve, Math.min(POLL_MS, left)));
    await (executing === undefined ? pause : Promise.race([executing, pause]));
    // Once this process's invocation returned, the run waits or another process holds it: polling finds its end.
    executing = undefined;
  }
}

function accepted(runId: string, prefix: string): Response {
  const location = `${prefix}/v1/runs/${encodeURIComponent(runId)}`;
  return Response.json(
    { runId, status: "running", location },
    { status: 202, headers: { location, "duro-run-id": runId, "retry-after": "1" } },
  );
}

function answerOf(run: RunDetails): Response {
  if (run.status === "completed") {
    const output = run.output as DurableResponse;
    return new Response(output.body, { status: output.status, headers: { ...output.headers, "duro-run-id": run.id } });
  }
  const error: ErrorInfo = run.error ?? ({ code: "cancelled", message: run.cancelReason ?? "the run was cancelled" } as ErrorInfo);
  return Response.json(
    { error: { code: error.code, message: error.message }, runId: run.id },
    { status: statusOf(error), headers: { "duro-run-id": run.id } },
  );
}

/** A DuroError of the start (run_conflict, a store outage) as the API answers errors; anything else goes to the app. */
function errorAnswer(error: unknown): Response {
  if (!(error instanceof DuroError)) throw error;
  return Response.json({ error: { code: error.code, message: error.message } }, { status: statusOf(error) });
}

function statusOf(error: ErrorInfo): number {
  return errorCodeSpec(error.code)?.status ?? STATUS_BY_CATEGORY[error.category ?? "internal"] ?? 500;
}

async function journaled(request: Request, redacted: ReadonlySet<string>): Promise<DurableRequest> {
  const headers: Record<string, string> = {};
  request.headers.forEach((value, name) => {
    if (!redacted.has(name) && !CREDENTIAL_NAME.test(name)) headers[name] = value;
  });
  const body = request.body === null ? null : await request.text();
  return { method: request.method, url: request.url, headers, body };
}

function requestOf(input: DurableRequest): Request {
  const hasBody = input.body !== null && input.method !== "GET" && input.method !== "HEAD";
  return new Request(input.url, { method: input.method, headers: input.headers, ...(hasBody ? { body: input.body } : {}) });
}

/** The handler's answer as a journaled value; Set-Cookie is refused rather than journaled. */
async function responseOf(answer: unknown): Promise<DurableResponse> {
  if (!(answer instanceof Response)) {
    if (answer === undefined) return { status: 204, headers: {}, body: null };
    const body = JSON.stringify(answer) as string | undefined;
    if (body === undefined) {
      throw new DuroError(
        "durable_response_invalid",
        `a durable endpoint's handler returned ${typeof answer}; return a Response or a JSON value`,
      );
    }
    return { status: 200, headers: { "content-type": "application/json" }, body };
  }
  if (answer.headers.has("set-cookie")) {
    throw new DuroError(
      "durable_response_invalid",
      "a durable endpoint's response sets a cookie, which would be journaled with the run; set cookies in a handler outside durable()",
    );
  }
  const headers: Record<string, string> = {};
  answer.headers.forEach((value, name) => {
    headers[name] = value;
  });
  return { status: answer.status, headers, body: answer.body === null ? null : await answer.text() };
}

/** A run id derived from the endpoint and the request's Idempotency-Key, so that a retry finds the run it started. */
function runIdOf(name: string, key: string): string {
  return `http_${createHash("sha256").update(`${name}\0${key}`).digest("hex").slice(0, 32)}`;
}
