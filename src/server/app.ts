// The HTTP API: JSON routes under /v1 scoped to the caller's tenant, journal streams (SSE), health, metrics, the
// OpenAPI document, approval links and the web UI. Every body and query is validated by the zod schemas in
// schemas.ts, which also generate /openapi.json.
import { type Context, Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { type SSEStreamingApi, streamSSE } from "hono/streaming";
import type { z } from "zod";
import { isTerminalEvent, parseInstant } from "../core/index.js";
import {
  buildTranscript,
  DuroError,
  type Engine,
  flowDocumentOf,
  forkRun,
  type JournalEvent,
  limitsKey,
  type RunManifest,
  runLimits,
  type SendOptions,
} from "../index.js";
import { handleMcpRequest } from "../mcp/index.js";
import { type ApiRole, type RunFilter, type RunPage, type RunRecord, TERMINAL_STATUSES } from "../store/index.js";
import { artifactContentType, artifactNotFound, checkArtifactHash } from "./artifacts.js";
import { errorResponse, runNotFound, validationError } from "./errors.js";
import { ANY_RUN, RunEventHub } from "./hub.js";
import { ALL_TENANTS, authenticate, createApiKey, publicKey, requireRole, singleTenant, tenantScope } from "./keys.js";
import { RateLimiter, StreamSlots } from "./limits.js";
import { DEFAULT_LINK_TTL, signLink, useLink, verifyLink } from "./links.js";
import type { ServerMetrics } from "./metrics.js";
import { openApiDocument } from "./openapi.js";
import { checkUrlEncoding, DEFAULT_MAX_JSON_DEPTH, isJsonType, parseBody as parseJsonBody, unsupportedMediaType } from "./request.js";
import {
  AnswerBody,
  ApprovalsQuery,
  CancelBody,
  CreateKeyBody,
  DecisionBody,
  ForkBody,
  LinkBody,
  ListArtifactsQuery,
  ListRunsQuery,
  RaiseLimitsBody,
  SignalBody,
  StartRunBody,
  ToolResultBody,
  TranscriptQuery,
} from "./schemas.js";
import { createSiteGuard } from "./site-guard.js";
import { approvalPage, escapeHtml, serveUi } from "./ui.js";
import { keyView, runView, workerView } from "./views.js";

export interface ServerOptions {
  engine: Engine;
  /** Wakes streams when this process journals events; pass the same hub's `publish` as the engine's onEvents. */
  hub?: RunEventHub;
  metrics?: ServerMetrics;
  /** No API key needed: every request acts as an admin of tenant "default". Only for 127.0.0.1. default false */
  dev?: boolean;
  /** default 1_048_576 (1 MiB) */
  bodyLimitBytes?: number;
  /** Requests per minute per API key. default 600 */
  rateLimitPerMinute?: number;
  /** Open event streams this server serves at once. default 100 */
  maxStreams?: number;
  /** Open event streams of one tenant at once. default 50 */
  maxStreamsPerTenant?: number;
  /** Open event streams of one API key at once. default 20 */
  maxStreamsPerKey?: number;
  /** How deeply objects and arrays may nest in a request body. default 64 */
  maxJsonDepth?: number;
  /** Largest event payload POST /v1/events accepts, in bytes of its JSON. default 65_536 (64 KiB) */
  eventPayloadLimitBytes?: number;
  /** Events one API key may send per minute (POST /v1/events). default 120 */
  eventsPerMinute?: number;
  /**
   * Host names the server answers to besides localhost, 127.0.0.1, [::1] and `host`. With dev every request's Host
   * is checked (DNS rebinding); otherwise only when this is given. default none
   */
  allowedHosts?: string[];
  /**
   * Origins (scheme://host[:port]) besides the server's own whose pages may call it. With dev a request a browser
   * sends from another origin is refused; otherwise only when this is given (then: requests other than GET and HEAD).
   * default none
   */
  allowedOrigins?: string[];
  /** The address the server listens on (listen() sets it); accepted as a Host name when it is not a wildcard. */
  host?: string;
  /** How often a stream looks for events written by other processes. default 1_000 */
  pollMs?: number;
  /** Where the built web UI lives; default dist/ui next to this module's folder. */
  uiDir?: string;
  /** default Date.now */
  clock?: () => number;
  /**
   * What a run started through the API records as its manifest, by workflow name (`duro serve`: the file that
   * defines it, hashed when it was loaded). default none
   */
  manifestOf?: (workflow: string) => RunManifest | undefined;
  /**
   * The path the app is mounted under (duro/http's duroHandler prefix, e.g. "/duro"): approval links and the approval
   * page's form carry it. default "" (served at the root)
   */
  basePath?: string;
  /**
   * Who calls /v1 and /metrics, decided by the embedding app (its own sessions) instead of API keys; throws (e.g.
   * `unauthorized`) to refuse. default: the API keys in the engine's store
   */
  authenticate?: (request: Request) => Promise<Caller>;
  /**
   * Refuse requests other than GET and HEAD that a browser sends from another origin (cookie sessions: cross-site
   * request forgery). default false (true with dev)
   */
  sameOriginWrites?: boolean;
}

/** Who is calling: an API key's tenant and role (or the --dev stand-in). */
export interface Caller {
  keyId: string;
  /** The key's name, when it was given one. */
  keyName?: string;
  tenant: string;
  role: ApiRole;
}

type Env = { Variables: { caller: Caller } };

const DEV_CALLER: Caller = { keyId: "dev", tenant: "default", role: "admin" };

export function createApp(options: ServerOptions): Hono<Env> {
  const { engine } = options;
  const store = engine.store;
  const clock = options.clock ?? Date.now;
  const hub = options.hub ?? new RunEventHub();
  const limiter = new RateLimiter(options.rateLimitPerMinute ?? 600, clock);
  const eventLimiter = new RateLimiter(options.eventsPerMinute ?? 120, clock, { code: "event_rate_limited", what: "events" });
  const eventPayloadLimit = options.eventPayloadLimitBytes ?? 65_536;
  const slots = new StreamSlots({
    max: options.maxStreams ?? 100,
    perTenant: options.maxStreamsPerTenant ?? 50,
    perKey: options.maxStreamsPerKey ?? 20,
  });
  const maxDepth = options.maxJsonDepth ?? DEFAULT_MAX_JSON_DEPTH;
  const parseBody = <S extends z.ZodType>(c: Context, schema: S, opts: { optional?: boolean } = {}) =>
    parseJsonBody(c, schema, { ...opts, maxDepth });
  const guardSite = createSiteGuard({
    strict: options.dev === true,
    ...(options.sameOriginWrites ? { checkOrigin: true } : {}),
    ...(options.allowedHosts ? { allowedHosts: options.allowedHosts } : {}),
    ...(options.allowedOrigins ? { allowedOrigins: options.allowedOrigins } : {}),
    ...(options.host === undefined ? {} : { boundHost: options.host }),
  });
  const pollMs = options.pollMs ?? 1_000;
  const basePath = options.basePath ?? "";
  const app = new Hono<Env>();

  app.onError((error, c) => errorResponse(c, error));
  app.notFound((c) =>
    errorResponse(c, new DuroError("not_found", `no route ${c.req.method} ${c.req.path}; see /openapi.json`, { category: "input" })),
  );

  // Before any route: a malformed URL would otherwise reach decodeURIComponent in a route, and a cross-site request
  // must not reach one at all.
  app.use("*", async (c, next) => {
    checkUrlEncoding(c.req.url);
    const method = c.req.method;
    const reads = method === "GET" || method === "HEAD" || method === "OPTIONS";
    const origin = options.dev || !reads ? c.req.header("origin") : undefined;
    const forwarded = c.req.header("x-forwarded-host");
    guardSite({
      ...hostHeader(c.req.header("host"), c.req.url),
      ...(origin === undefined ? {} : { origin }),
      ...(forwarded === undefined ? {} : { forwardedHost: forwarded }),
    });
    // A body of another type on the JSON API is what a cross-site form or a "simple" fetch sends.
    const type = c.req.header("content-type");
    if (!reads && c.req.path.startsWith("/v1/") && type !== undefined && !isJsonType(type)) throw unsupportedMediaType(type);
    await next();
  });

  app.get("/healthz", (c) => c.json({ ok: true }));
  app.get("/readyz", async (c) => {
    try {
      await store.listRuns({ limit: 1 });
      return c.json({ ok: true });
    } catch (error) {
      throw new DuroError("not_ready", `the database is not reachable: ${(error as Error).message}`, { category: "storage", cause: error });
    }
  });
  app.get("/openapi.json", (c) => c.json(openApiDocument()));

  const limit = bodyLimit({
    maxSize: options.bodyLimitBytes ?? 1_048_576,
    onError: () => {
      throw new DuroError("body_too_large", `the request body is larger than ${options.bodyLimitBytes ?? 1_048_576} bytes`, {
        category: "input",
      });
    },
  });

  // Approval links: the token is the credential, so these routes take no API key.
  app.get("/approve/:token", async (c) => {
    const claims = await verifyLink(store, c.req.param("token"), clock());
    return c.html(approvalPage(claims, c.req.param("token"), basePath));
  });
  app.post("/approve/:token", limit, async (c) => {
    const form = await c.req.parseBody();
    const action = DecisionBody.shape.action.safeParse(form.action);
    if (!action.success) throw validationError("body", action.error);
    const result = await decideByLink(c.req.param("token"), action.data, typeof form.comment === "string" ? form.comment : undefined);
    return c.html(
      `<!doctype html><meta charset="utf-8"><title>duro</title><p>Recorded: ${action.data} on "${escapeHtml(result.gate)}" of run ${escapeHtml(result.runId)}.</p>`,
    );
  });
  app.post("/v1/links/:token", limit, async (c) => {
    const body = await parseBody(c, DecisionBody);
    return c.json(await decideByLink(c.req.param("token"), body.action, body.comment, body.by));
  });

  async function decideByLink(token: string, action: "approve" | "reject" | "abort", comment: string | undefined, by?: string) {
    const claims = await verifyLink(store, token, clock());
    const run = await visibleRun(claims.tenant, claims.runId);
    // A link used too early (the run has not reached the gate) or too late must stay unused: check before using it.
    const open = (await store.openWaits({ runId: run.id })).some(
      (w) => w.kind === "approval" && (w.gate === claims.gate || w.key === claims.gate),
    );
    if (!open) {
      throw new DuroError(
        "not_waiting",
        `run ${run.id} is not waiting for approval "${claims.gate}" (it is ${run.status}); the link still works once it does`,
        {
          category: "input",
          details: { runId: run.id, status: run.status, gate: claims.gate },
        },
      );
    }
    await useLink(store, claims);
    const wait = await engine.approve(claims.runId, claims.gate, {
      action,
      by: by === undefined ? "approval link" : `${by} (approval link)`,
      ...(comment ? { comment } : {}),
    });
    return { runId: claims.runId, gate: wait.gate as string, action };
  }

  // ---- everything under /v1 needs a key (or --dev) ----
  app.use("/v1/*", async (c, next) => {
    const caller = await callerOf(c.req.raw);
    limiter.take(caller.keyId);
    c.set("caller", caller);
    await next();
  });
  app.use("/metrics", async (c, next) => {
    const caller = await callerOf(c.req.raw);
    requireRole(caller, "admin", "reading metrics");
    await next();
  });

  async function callerOf(request: Request): Promise<Caller> {
    if (options.dev) return DEV_CALLER;
    if (options.authenticate) return options.authenticate(request);
    const key = await authenticate(store, request.headers.get("authorization") ?? undefined);
    return { keyId: key.id, tenant: key.tenant, role: key.role, ...(key.name === undefined ? {} : { keyName: key.name }) };
  }

  /** The run if the caller's tenant owns it; the same 404 as a missing run otherwise. */
  async function visibleRun(tenant: string, runId: string): Promise<RunRecord> {
    const run = await store.getRun(runId);
    if (!run || (tenant !== ALL_TENANTS && run.tenant !== tenant)) throw runNotFound(runId);
    return run;
  }
  const caller = (c: Context<Env>) => c.get("caller");

  app.get("/metrics", async (c) => {
    const metrics = options.metrics;
    if (!metrics) return c.text("", 200);
    return c.text(await metrics.registry.metrics(), 200, { "content-type": metrics.registry.contentType });
  });

  // Workers serve every tenant, so the registry is for admins (like /metrics).
  app.get("/v1/workers", async (c) => {
    requireRole(caller(c), "admin", "listing workers");
    return c.json({ workers: (await store.listWorkers()).map(workerView) });
  });

  app.post("/v1/runs", limit, async (c) => {
    requireRole(caller(c), "admin", "starting runs");
    const body = await parseBody(c, StartRunBody);
    const manifest = options.manifestOf?.(body.workflow);
    const handle = await engine
      .start(body.workflow, body.input ?? {}, {
        ...definedOnly(startOptionsOf(body)),
        tenant: singleTenant(caller(c), "starting a run"),
        actor: body.actor ?? keyActor(caller(c)),
        ...(manifest === undefined ? {} : { manifest }),
      })
      .catch((error: unknown) => {
        throw withPath(error, {
          workflow_not_found: "body.workflow",
          input_invalid: "body.input",
          not_json: "body.input",
          invalid_attribution: "body",
          invalid_run_id: "body.id",
          invalid_priority: "body.priority",
        });
      });
    return c.json({ ...(await engine.get(handle.id)), created: handle.created }, handle.created ? 201 : 200);
  });

  app.get("/v1/runs", async (c) => {
    const page = await engine.list(runFilter(parseQuery(c, ListRunsQuery), caller(c), clock()));
    return c.json(pageView(page));
  });

  // The UI shows only the actions the key's role allows.
  app.get("/v1/me", (c) => {
    const { keyId, tenant, role, keyName } = caller(c);
    return c.json({ keyId, tenant, role, allTenants: tenant === ALL_TENANTS, ...(keyName === undefined ? {} : { keyName }) });
  });

  app.get("/v1/workflows", (c) => {
    const versions = engine.workflowVersions();
    const workflows = engine.workflowNames().map((name) => {
      const def = engine.workflowDefinition(name);
      return { name, versions: versions[name] ?? [], flow: def !== undefined && flowDocumentOf(def) !== undefined };
    });
    return c.json({ workflows });
  });

  app.get("/v1/workflows/:name", (c) => {
    const name = c.req.param("name");
    const def = engine.workflowDefinition(name);
    if (!def) {
      throw new DuroError("workflow_not_found", `no workflow "${name}" is registered on this server; GET /v1/workflows lists them`, {
        category: "input",
        details: { workflow: name },
      });
    }
    const doc = flowDocumentOf(def);
    return c.json({
      name,
      versions: engine.workflowVersions()[name] ?? [],
      ...(doc === undefined ? {} : { flow: { id: doc.id, ...(doc.entry === undefined ? {} : { entry: doc.entry }), nodes: doc.nodes } }),
    });
  });

  app.get("/v1/runs/:id", async (c) => {
    await visibleRun(caller(c).tenant, c.req.param("id"));
    return c.json(await engine.get(c.req.param("id")));
  });

  app.get("/v1/runs/:id/limits", async (c) => {
    await visibleRun(caller(c).tenant, c.req.param("id"));
    return c.json(runLimits(c.req.param("id"), await engine.events(c.req.param("id"))));
  });

  // Resuming a run its budget suspended: new limits delivered where the run waits for them (duro limits raise).
  app.post("/v1/runs/:id/limits", limit, async (c) => {
    requireRole(caller(c), "operator", "raising limits");
    const run = await visibleRun(caller(c).tenant, c.req.param("id"));
    const raise = definedOnly(await parseBody(c, RaiseLimitsBody));
    const result = await engine.signal(limitsKey(run.id), raise, { tenant: run.tenant, ...attributionOf(c, undefined) });
    return c.json({ runId: run.id, raise, resumed: result.wokeRunIds.includes(run.id) }, 202);
  });

  // The run's transcript as `duro run` writes it to transcript.jsonl: the journal redacted, line by line; with
  // ?step= only that step's lines (what the run page's step detail shows).
  app.get("/v1/runs/:id/transcript", async (c) => {
    const run = await visibleRun(caller(c).tenant, c.req.param("id"));
    const { step } = parseQuery(c, TranscriptQuery);
    const { lines } = buildTranscript(run.id, await engine.events(run.id));
    return c.json({ lines: step === undefined ? lines : lines.filter((line) => line.step === step) });
  });

  app.get("/v1/runs/:id/events", async (c) => {
    await visibleRun(caller(c).tenant, c.req.param("id"));
    const from = seqParam(c.req.query("from"), "query.from") ?? 1;
    return c.json({ events: await engine.events(c.req.param("id"), from) });
  });

  app.get("/v1/runs/:id/stream", async (c) => {
    const runId = c.req.param("id");
    await visibleRun(caller(c).tenant, runId);
    const last = seqParam(c.req.header("last-event-id") ?? c.req.query("lastEventId"), "header.Last-Event-ID") ?? 0;
    return openStream(c, `stream of run ${runId}`, async (stream, signal) => {
      await streamJournal(runId, last + 1, signal, (event) =>
        stream.writeSSE({ id: String(event.seq), event: "journal", data: JSON.stringify(event) }),
      );
      if (!signal.aborted) await stream.writeSSE({ event: "end", data: JSON.stringify((await store.getRun(runId))?.status) });
    });
  });

  app.get("/v1/live/runs", async (c) => {
    const filter = runFilter(parseQuery(c, ListRunsQuery), caller(c), clock());
    return openStream(c, "runs stream", async (stream, signal) => {
      let last = "";
      while (!signal.aborted) {
        const seen = hub.version(ANY_RUN);
        const page = JSON.stringify(pageView(await engine.list(filter)));
        if (page !== last) await stream.writeSSE({ event: "runs", data: page });
        last = page;
        await hub.wait(ANY_RUN, seen, pollMs, signal);
      }
    });
  });

  /** An SSE response holding one of the server's stream slots, with a comment every 15 s so proxies keep it open. */
  function openStream(c: Context<Env>, what: string, body: (stream: SSEStreamingApi, signal: AbortSignal) => Promise<void>): Response {
    const release = slots.acquire(caller(c));
    return streamSSE(
      c,
      async (stream) => {
        const abort = new AbortController();
        stream.onAbort(() => abort.abort());
        const keepAlive = setInterval(() => void stream.write(": keep-alive\n\n").catch(() => abort.abort()), 15_000);
        try {
          await body(stream, abort.signal);
        } finally {
          clearInterval(keepAlive);
          release();
        }
      },
      async (error) => {
        release();
        console.error(`duro serve: ${what} failed:`, error);
      },
    );
  }

  /** Sends the journal from `from` on, in order, until the run ends or the client goes. */
  async function streamJournal(runId: string, from: number, signal: AbortSignal, send: (event: JournalEvent) => Promise<void>) {
    let next = from;
    while (!signal.aborted) {
      // The hub wakes us at the next commit in this process; polling finds commits of other processes.
      const seen = hub.version(runId);
      // Looked at before the read: a run that ended before it has all its events in that read. Looked at after, a run
      // ending between the two would close the stream without its last events.
      const run = await store.getRun(runId);
      const events = await store.read(runId, next);
      for (const event of events) {
        if (signal.aborted) return;
        await send(event);
        next = event.seq + 1;
        if (isTerminalEvent(event)) return;
      }
      if (events.length > 0) continue;
      // Caught up: a run that already ended (a client resuming after its last event) has nothing more to send.
      if (!run || TERMINAL_STATUSES.has(run.status)) return;
      await hub.wait(runId, seen, pollMs, signal);
    }
  }

  app.get("/v1/runs/:id/bookmarks", async (c) => {
    await visibleRun(caller(c).tenant, c.req.param("id"));
    return c.json({ bookmarks: (await engine.get(c.req.param("id"))).bookmarks });
  });

  app.post("/v1/runs/:id/fork", limit, async (c) => {
    requireRole(caller(c), "admin", "forking runs");
    const runId = c.req.param("id");
    await visibleRun(caller(c).tenant, runId);
    const body = await parseBody(c, ForkBody);
    const fork = await forkRun(store, runId, { ...definedOnly(body), actor: keyActor(caller(c)), clock }).catch((error: unknown) => {
      throw withPath(error, {
        fork_step_not_found: "body.fromStep",
        bookmark_not_found: "body.fromBookmark",
        fork_point_ambiguous: "body",
      });
    });
    hub.publish(fork.id);
    return c.json(await engine.get(fork.id), 201);
  });

  app.post("/v1/runs/:id/cancel", limit, async (c) => {
    requireRole(caller(c), "operator", "cancelling runs");
    const runId = c.req.param("id");
    await visibleRun(caller(c).tenant, runId);
    const body = await parseBody(c, CancelBody, { optional: true });
    const record = await engine.cancel(
      runId,
      body.reason ?? `cancelled through the API by key ${caller(c).keyId}`,
      attributionOf(c, body.actor),
    );
    return c.json(await engine.get(record.id), 202);
  });

  app.post("/v1/events", limit, async (c) => {
    requireRole(caller(c), "operator", "sending events");
    eventLimiter.take(caller(c).keyId);
    const body = await parseBody(c, SignalBody);
    checkEventSize(body.payload, eventPayloadLimit);
    const who = attributionOf(c, body.actor);
    const result = await engine
      .signal(body.key, body.payload ?? null, { tenant: singleTenant(caller(c), "sending an event"), ...who })
      .catch((error: unknown) => {
        throw withPath(error, { invalid_event_key: "body.key", not_json: "body.payload" });
      });
    return c.json({ key: body.key, messageId: result.id, wokeRunIds: result.wokeRunIds }, 202);
  });

  app.post("/v1/runs/:id/approvals/:gate", limit, async (c) => {
    requireRole(caller(c), "operator", "deciding approvals");
    const runId = c.req.param("id");
    await visibleRun(caller(c).tenant, runId);
    const body = await parseBody(c, DecisionBody);
    const wait = await engine.approve(
      runId,
      c.req.param("gate"),
      {
        action: body.action,
        by: body.by ?? keyIdentity(caller(c)),
        ...(body.comment === undefined ? {} : { comment: body.comment }),
      },
      attributionOf(c, body.actor ?? body.by),
    );
    return c.json({ runId, gate: wait.gate, action: body.action, by: body.by ?? keyIdentity(caller(c)) }, 202);
  });

  app.post("/v1/runs/:id/approvals/:gate/link", limit, async (c) => {
    requireRole(caller(c), "operator", "making approval links");
    const runId = c.req.param("id");
    const run = await visibleRun(caller(c).tenant, runId);
    const body = await parseBody(c, LinkBody, { optional: true });
    const { token, expiresAt } = await signLink(
      store,
      { runId, gate: c.req.param("gate"), tenant: run.tenant },
      body.expires ?? DEFAULT_LINK_TTL,
      clock(),
    ).catch((error: unknown) => {
      throw withPath(error, { invalid_duration: "body.expires", invalid_link_expiry: "body.expires" });
    });
    const url = `${new URL(c.req.url).origin}${basePath}/approve/${token}`;
    return c.json({ url, token, expiresAt: new Date(expiresAt).toISOString() }, 201);
  });

  app.post("/v1/runs/:id/answers/:name", limit, async (c) => {
    requireRole(caller(c), "operator", "answering questions");
    const runId = c.req.param("id");
    await visibleRun(caller(c).tenant, runId);
    const body = await parseBody(c, AnswerBody);
    const by = body.by ?? keyIdentity(caller(c));
    const who = attributionOf(c, body.actor ?? body.by);
    const wait = await engine.answer(runId, c.req.param("name"), body.value, { by, ...who }).catch((error: unknown) => {
      throw withPath(error, { answer_invalid: "body.value", not_json: "body.value" });
    });
    return c.json({ runId, name: wait.gate, value: body.value }, 202);
  });

  app.post("/v1/runs/:id/tool-calls/:callId", limit, async (c) => {
    requireRole(caller(c), "operator", "posting tool results");
    const runId = c.req.param("id");
    await visibleRun(caller(c).tenant, runId);
    const body = await parseBody(c, ToolResultBody);
    const by = body.by ?? keyIdentity(caller(c));
    const wait = await engine
      .toolResult(runId, c.req.param("callId"), {
        ...(body.result === undefined ? {} : { result: body.result }),
        ...(body.error === undefined ? {} : { error: body.error }),
        by,
      })
      .catch((error: unknown) => {
        throw withPath(error, { not_json: "body.result", invalid_tool_result: "body" });
      });
    return c.json({ runId, callId: wait.callId, tool: wait.tool, by }, 202);
  });

  // Open approvals, questions and external tool calls of the tenant's newest 200 waiting runs.
  app.get("/v1/approvals", async (c) => {
    const tenant = tenantScope(caller(c), parseQuery(c, ApprovalsQuery).tenant);
    return c.json({ pending: await engine.pending(tenant === undefined ? { allTenants: true } : { tenant }) });
  });

  // An artifact is the tenant's when one of its runs stored it; its runs are listed within the tenant only.
  app.get("/v1/artifacts", async (c) => {
    const { run, ...query } = parseQuery(c, ListArtifactsQuery);
    const artifacts = await store.listArtifacts({
      ...definedOnly(query),
      ...(run === undefined ? {} : { runId: run }),
      ...definedOnly({ tenant: tenantScope(caller(c), undefined) }),
    });
    return c.json({ artifacts });
  });

  app.get("/v1/artifacts/:hash", async (c) => {
    const sha256 = checkArtifactHash(c.req.param("hash"));
    const [info] = await store.listArtifacts({ sha256, ...definedOnly({ tenant: tenantScope(caller(c), undefined) }), limit: 1 });
    const bytes = info && (await store.getArtifact(sha256));
    if (!info || !bytes) throw artifactNotFound(sha256);
    return c.body(Uint8Array.from(bytes), 200, {
      "content-type": artifactContentType(bytes, info.name),
      "cache-control": "private, max-age=31536000, immutable",
      etag: `"${sha256}"`,
    });
  });

  app.get("/v1/keys", async (c) => {
    requireRole(caller(c), "admin", "managing keys");
    const keys = await store.listApiKeys(definedOnly({ tenant: tenantScope(caller(c), undefined) }));
    return c.json({ keys: keys.map((k) => keyView(publicKey(k))) });
  });
  app.post("/v1/keys", limit, async (c) => {
    requireRole(caller(c), "admin", "managing keys");
    const body = await parseBody(c, CreateKeyBody);
    const created = await createApiKey(store, {
      tenant: singleTenant(caller(c), "creating a key"),
      role: body.role,
      now: clock(),
      ...(body.name ? { name: body.name } : {}),
    });
    return c.json({ ...created, key: keyView(created.key) }, 201);
  });
  app.delete("/v1/keys/:id", async (c) => {
    requireRole(caller(c), "admin", "managing keys");
    const own = (await store.listApiKeys(definedOnly({ tenant: tenantScope(caller(c), undefined) }))).some(
      (k) => k.id === c.req.param("id"),
    );
    const revoked = own ? await store.revokeApiKey(c.req.param("id")) : undefined;
    if (!revoked) throw new DuroError("key_not_found", `no API key "${c.req.param("id")}" in this tenant`, { category: "input" });
    return c.json(keyView(publicKey(revoked)));
  });

  // MCP's streamable HTTP transport (docs/mcp.md): the same keys, tenant and roles as /v1, checked per tool call.
  app.on(["GET", "POST", "DELETE"], "/mcp", limit, async (c) => {
    const who = await callerOf(c.req.raw);
    limiter.take(who.keyId);
    return handleMcpRequest(c.req.raw, {
      engine,
      clock,
      caller: { tenant: who.tenant, role: who.role, actor: keyActor(who), keyId: who.keyId },
      onRunWritten: (runId) => hub.publish(runId),
      checkEvent: (payload) => {
        eventLimiter.take(who.keyId);
        checkEventSize(payload, eventPayloadLimit);
      },
      ...(options.manifestOf === undefined ? {} : { manifestOf: options.manifestOf }),
    });
  });

  serveUi(app, options.uiDir);
  return app;
}

/** The start options a POST /v1/runs body gives (everything but the workflow and its input). */
function startOptionsOf({ workflow: _workflow, input: _input, ...options }: z.output<typeof StartRunBody>) {
  return options;
}

function parseQuery<S extends z.ZodType>(c: Context, schema: S): z.output<S> {
  const result = schema.safeParse(c.req.query());
  if (!result.success) throw validationError("query", result.error);
  return result.data;
}

function seqParam(value: string | undefined, path: string): number | undefined {
  if (value === undefined || value === "") return undefined;
  if (/^\d{1,15}$/.test(value)) return Number(value);
  throw new DuroError("invalid_seq", `${path} must be a journal seq (a non-negative integer), not "${value}"`, {
    category: "input",
    details: { path },
  });
}

/** Adds the field an engine error is about, so API clients get a path like validation errors have. */
function withPath(error: unknown, paths: Record<string, string>): unknown {
  if (!(error instanceof DuroError)) return error;
  const path = paths[error.code];
  if (path === undefined) return error;
  return new DuroError(error.code, error.message, { category: error.category, details: { ...error.details, path }, cause: error });
}

function definedOnly<T extends object>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as never;
}

/** The Host header, or for a request made without one (app.request in-process) the host of its URL. */
function hostHeader(host: string | undefined, url: string): { host: string } {
  return { host: host ?? new URL(url).host };
}

function pageView(page: RunPage) {
  return { ...page, runs: page.runs.map(runView) };
}

/** Throws `event_too_large` (413) when an event's payload, as JSON, is over `limit` bytes. */
function checkEventSize(payload: unknown, limit: number): void {
  const bytes = Buffer.byteLength(JSON.stringify(payload ?? null) ?? "null");
  if (bytes <= limit) return;
  throw new DuroError(
    "event_too_large",
    `the event payload is ${bytes} bytes of JSON, over the limit of ${limit}; store large data elsewhere and send a reference`,
    {
      category: "input",
      details: { path: "body.payload", bytes, limit },
    },
  );
}

/** Who decided, when an approval or answer does not name a person: the API key, by name when it has one. */
/** The actor of what a key does when the request names none: the key's name, else its id. */
function keyActor(caller: Caller): string {
  return caller.keyName ?? caller.keyId;
}

/** Who sends a decision: the actor named (default the key's), the key, and the request's traceparent header. */
function attributionOf(c: Context<Env>, actor: string | undefined): SendOptions {
  const caller = c.get("caller");
  const traceparent = c.req.header("traceparent");
  return { actor: actor ?? keyActor(caller), keyId: caller.keyId, ...(traceparent === undefined ? {} : { traceparent }) };
}

/**
 * The store's filter for a GET /v1/runs query within what the caller may see (`parent` is another name for
 * `parentRunId`; `since` and `until` are ISO times or durations before `now`).
 */
function runFilter(query: z.infer<typeof ListRunsQuery>, caller: Caller, now: number): RunFilter {
  const { parent, tenant, since, until, ...rest } = definedOnly(query) as z.infer<typeof ListRunsQuery>;
  const times = definedOnly({
    since: since === undefined ? undefined : parseInstant(since, now, "query.since"),
    until: until === undefined ? undefined : parseInstant(until, now, "query.until"),
  });
  return definedOnly({ ...rest, ...times, parentRunId: parent ?? rest.parentRunId, tenant: tenantScope(caller, tenant) }) as RunFilter;
}

function keyIdentity(caller: Caller): string {
  return caller.keyName === undefined ? `key ${caller.keyId}` : `key ${caller.keyName} (${caller.keyId})`;
}
