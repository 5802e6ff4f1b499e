// The OpenAPI 3.1 document, generated from the same zod schemas the routes validate with (z.toJSONSchema), so a
// field the server accepts is a field the document names, and the other way round.
import { z } from "zod";
import {
  AnswerBody,
  ApprovalsQuery,
  CancelBody,
  CreateKeyBody,
  DecisionBody,
  ErrorBody,
  ForkBody,
  LinkBody,
  ListArtifactsQuery,
  ListRunsQuery,
  RaiseLimitsBody,
  RunLimitsView,
  RunList,
  SignalBody,
  StartRunBody,
  ToolResultBody,
  TranscriptQuery,
} from "./schemas.js";

type Json = Record<string, unknown>;

/** Named schemas (those with a meta id), referenced from the paths as #/components/schemas/<id>. */
const components: Record<string, Json> = {};

const schema = (s: z.ZodType): Json => {
  const { $schema: _drop, $defs, ...rest } = z.toJSONSchema(s, { target: "draft-2020-12", io: "input", unrepresentable: "any" }) as Json;
  const text = JSON.stringify(rest).replaceAll('"#/$defs/', '"#/components/schemas/');
  for (const [name, def] of Object.entries(($defs ?? {}) as Record<string, Json>)) {
    components[name] = JSON.parse(JSON.stringify(def).replaceAll('"#/$defs/', '"#/components/schemas/')) as Json;
  }
  return JSON.parse(text) as Json;
};

/** The caller's W3C trace context: journaled with the decision, and the run's spans for the resumption join that trace. */
const TRACEPARENT: Json = {
  name: "traceparent",
  in: "header",
  required: false,
  description: "W3C trace context (00-<trace id>-<span id>-<flags>); a malformed one is refused with invalid_traceparent",
  schema: { type: "string", pattern: "^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$" },
};

const errors: Json = {
  "4XX": { description: "error", content: { "application/json": { schema: schema(ErrorBody) } } },
};
const ok = (description: string, status = "200", shape?: z.ZodType): Json => ({
  [status]: { description, content: { "application/json": shape ? { schema: schema(shape) } : {} } },
  ...errors,
});
const body = (s: z.ZodType, required = true): Json => ({
  requestBody: { required, content: { "application/json": { schema: schema(s) } } },
});
const queryParams = (s: z.ZodObject): Json[] =>
  Object.entries(schema(s).properties as Record<string, Json>).map(([name, prop]) => ({
    name,
    in: "query",
    required: false,
    schema: prop,
  }));
const path = (...names: string[]): Json[] => names.map((name) => ({ name, in: "path", required: true, schema: { type: "string" } }));
const role = (r: string) => ({ "x-duro-role": r });

let cached: Json | undefined;

export function openApiDocument(): Json {
  if (cached) return cached;
  const paths = documentPaths();
  cached = {
    openapi: "3.1.0",
    info: {
      title: "duro API",
      version: "1",
      description:
        "Runs, their journals and live events, signals, approvals and answers, scoped to the API key's tenant. " +
        "Every time in a response is an ISO 8601 string (UTC). Request bodies are JSON (Content-Type: application/json, else 415).",
    },
    components: {
      schemas: components,
      securitySchemes: { apiKey: { type: "http", scheme: "bearer", description: "duro keys create --tenant <t> --role <r>" } },
    },
    security: [{ apiKey: [] }],
    paths,
  };
  return cached;
}

function documentPaths(): Json {
  return {
    "/v1/runs": {
      post: {
        summary: "Start a run",
        ...role("admin"),
        ...body(StartRunBody),
        responses: ok("the run (200 when the idempotency key existed)", "201"),
      },
      get: {
        summary: "List runs, newest first",
        ...role("viewer"),
        parameters: queryParams(ListRunsQuery),
        responses: ok("a page of runs (times as ISO strings, as everywhere in the API)", "200", RunList),
      },
    },
    "/v1/live/runs": {
      get: {
        summary: "Server-Sent Events: the first page of runs (event: runs, the same body as GET /v1/runs) whenever it changes",
        ...role("viewer"),
        parameters: queryParams(ListRunsQuery),
        responses: { 200: { description: "event stream", content: { "text/event-stream": {} } }, ...errors },
      },
    },
    "/v1/runs/{id}": {
      get: { summary: "A run: status, steps, waits, input, output", ...role("viewer"), parameters: path("id"), responses: ok("the run") },
    },
    "/v1/runs/{id}/limits": {
      get: {
        summary: "The run's budgets: each limit, what is used and what is left, and whether it is suspended by one",
        ...role("viewer"),
        parameters: path("id"),
        responses: ok("the run's budgets", "200", RunLimitsView),
      },
      post: {
        summary:
          "Raises the limits of a run its budget suspended, which resumes it (resumed: false when it was not suspended; kept for its next limit)",
        ...role("operator"),
        parameters: path("id"),
        ...body(RaiseLimitsBody),
        responses: ok("{ runId, raise, resumed }", "202"),
      },
    },
    "/v1/runs/{id}/transcript": {
      get: {
        summary:
          "The run's transcript (as transcript.jsonl): one redacted line per journal event, with the JSON paths redacted; ?step= one step's",
        ...role("viewer"),
        parameters: [...path("id"), ...queryParams(TranscriptQuery)],
        responses: ok("{ lines }"),
      },
    },
    "/v1/runs/{id}/events": {
      get: {
        summary: "The run's journal",
        ...role("viewer"),
        parameters: [...path("id"), { name: "from", in: "query", required: false, schema: { type: "integer", minimum: 1 } }],
        responses: ok("journal events"),
      },
    },
    "/v1/runs/{id}/stream": {
      get: {
        summary: "Server-Sent Events of the journal (event: journal, id: seq; event: end when the run ended); resume with Last-Event-ID",
        ...role("viewer"),
        parameters: [...path("id"), { name: "Last-Event-ID", in: "header", required: false, schema: { type: "integer", minimum: 0 } }],
        responses: { 200: { description: "event stream", content: { "text/event-stream": {} } }, ...errors },
      },
    },
    "/v1/runs/{id}/bookmarks": {
      get: {
        summary: "The run's bookmarks (name, ref, seq, at, the step before): journal positions, not copies of state",
        ...role("viewer"),
        parameters: path("id"),
        responses: ok("bookmarks"),
      },
    },
    "/v1/runs/{id}/fork": {
      post: {
        summary: "A new run that replays this run's journal up to a step (fromStep) or bookmark (fromBookmark) and runs the rest anew",
        ...role("admin"),
        parameters: path("id"),
        ...body(ForkBody),
        responses: ok("the new run", "201"),
      },
    },
    "/v1/me": {
      get: {
        summary: 'The calling key: tenant ("*" for an all-tenants key), allTenants, role, id',
        ...role("viewer"),
        responses: ok("the key"),
      },
    },
    "/v1/workflows": {
      get: {
        summary: "The workflows this server runs: name, versions, whether it is a flow document",
        ...role("viewer"),
        responses: ok("workflows"),
      },
    },
    "/v1/workflows/{name}": {
      get: {
        summary: "A workflow; for a flow document, its graph (entry and nodes)",
        ...role("viewer"),
        parameters: path("name"),
        responses: ok("the workflow"),
      },
    },
    "/v1/runs/{id}/cancel": {
      post: {
        summary: "Cancel a run",
        ...role("operator"),
        parameters: [...path("id"), TRACEPARENT],
        ...body(CancelBody, false),
        responses: ok("the run", "202"),
      },
    },
    "/v1/events": {
      post: {
        summary: "Send an event to runs waiting on its key",
        ...role("operator"),
        parameters: [TRACEPARENT],
        ...body(SignalBody),
        responses: ok("delivered", "202"),
      },
    },
    "/v1/runs/{id}/approvals/{gate}": {
      post: {
        summary: "Approve, reject or abort",
        ...role("operator"),
        parameters: [...path("id", "gate"), TRACEPARENT],
        ...body(DecisionBody),
        responses: ok("recorded", "202"),
      },
    },
    "/v1/runs/{id}/approvals/{gate}/link": {
      post: {
        summary: "A signed, expiring, single-use approval link",
        ...role("operator"),
        parameters: path("id", "gate"),
        ...body(LinkBody, false),
        responses: ok("the link", "201"),
      },
    },
    "/v1/runs/{id}/answers/{name}": {
      post: {
        summary: "Answer a question (ctx.ask)",
        ...role("operator"),
        parameters: [...path("id", "name"), TRACEPARENT],
        ...body(AnswerBody),
        responses: ok("recorded", "202"),
      },
    },
    "/v1/runs/{id}/tool-calls/{callId}": {
      post: {
        summary: "Post the outcome of an external tool call (a tool declared external: true)",
        ...role("operator"),
        parameters: path("id", "callId"),
        ...body(ToolResultBody),
        responses: ok("recorded", "202"),
      },
    },
    "/v1/approvals": {
      get: {
        summary: "Pending approvals, questions and external tool calls across runs",
        ...role("viewer"),
        parameters: queryParams(ApprovalsQuery),
        responses: ok("the inbox"),
      },
    },
    "/v1/artifacts": {
      get: {
        summary: "Artifacts runs of the tenant stored, newest first: sha256, name, tags, size, runs, created",
        ...role("viewer"),
        parameters: queryParams(ListArtifactsQuery),
        responses: ok("the artifacts"),
      },
    },
    "/v1/artifacts/{hash}": {
      get: {
        summary: "An artifact's bytes, with a content type from its name or content",
        ...role("viewer"),
        parameters: path("hash"),
        responses: { 200: { description: "the bytes" }, ...errors },
      },
    },
    "/v1/links/{token}": {
      post: {
        summary: "Decide with an approval link (no API key)",
        security: [],
        parameters: path("token"),
        ...body(DecisionBody),
        responses: ok("recorded"),
      },
    },
    "/v1/keys": {
      get: { summary: "The tenant's API keys", ...role("admin"), responses: ok("keys") },
      post: {
        summary: "Create an API key in the caller's tenant (the token is shown once)",
        ...role("admin"),
        ...body(CreateKeyBody),
        responses: ok("the key and its token", "201"),
      },
    },
    "/v1/keys/{id}": {
      delete: { summary: "Revoke an API key", ...role("admin"), parameters: path("id"), responses: ok("the revoked key") },
    },
    "/v1/workers": {
      get: {
        summary: "Live workers (shared by every tenant): host, pid, the workflow versions each holds, active runs",
        ...role("admin"),
        responses: ok("workers"),
      },
    },
    "/healthz": { get: { summary: "Liveness", security: [], responses: ok("alive") } },
    "/readyz": { get: { summary: "Readiness: the database answers", security: [], responses: ok("ready") } },
    "/metrics": {
      get: { summary: "Prometheus metrics", ...role("admin"), responses: { 200: { description: "text/plain; version=0.0.4" } } },
    },
  };
}
