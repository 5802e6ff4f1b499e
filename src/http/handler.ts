// duro's HTTP API, web UI and event streams as one fetch-API handler (Request → Response) that an existing app mounts
// under a path prefix. The routes are `duro serve`'s own (createApp); only the prefix and who the caller is change.
import { DuroError, type Engine } from "../index.js";
import { type Caller, checkRole, checkTenant, createApp, type RunEventHub, type ServerOptions } from "../server/index.js";

/**
 * Decides who calls the API: the API keys of the engine's store (`"keys"`, as `duro serve`: `duro keys create`), or a
 * function of yours from the request to a Caller (your sessions), or undefined to refuse it with 401.
 */
export type DuroAuth = "keys" | ((request: Request) => Caller | undefined | Promise<Caller | undefined>);

/** What the handler serves under its prefix. */
export interface DuroHandlerOptions
  extends Pick<
    ServerOptions,
    | "bodyLimitBytes"
    | "rateLimitPerMinute"
    | "maxStreams"
    | "maxStreamsPerTenant"
    | "maxStreamsPerKey"
    | "allowedHosts"
    | "allowedOrigins"
    | "metrics"
    | "uiDir"
    | "clock"
  > {
  /** The engine whose runs the API shows and drives (the app's own, usually with a worker: see embed). */
  engine: Engine;
  /** Who may call /v1 and /metrics; see DuroAuth. Approval links carry their own token and need no caller. */
  auth: DuroAuth;
  /** The path the handler is mounted at: every URL it answers and every link it makes starts with it. default "/duro" */
  prefix?: string;
  /**
   * Wakes event streams at each commit of this process; pass the same hub's `publish` as the engine's `onEvents`.
   * Without it streams find new events by polling, every `pollMs`. default none
   */
  hub?: RunEventHub;
  /** How often a stream looks for events the hub did not announce (other processes). default 1_000 */
  pollMs?: number;
  /**
   * Refuse writes a browser sends from a page of another origin. default true when `auth` is a function (a cookie
   * session rides along with a cross-site request; an API key never does), false with "keys"
   */
  sameOriginWrites?: boolean;
}

/** A fetch-API handler: what Hono, Next.js route handlers, Bun, Deno and the adapters of this module call. */
export type DuroHandler = (request: Request) => Promise<Response>;

const PREFIX = /^(\/[A-Za-z0-9._~!$&'()*+,;=:@-]+)*$/;

/** The handler serving duro's API, UI and streams under `prefix`; see DuroHandlerOptions. */
export function duroHandler(options: DuroHandlerOptions): DuroHandler {
  const { engine, auth, prefix: given, hub, sameOriginWrites, ...server } = options;
  const prefix = checkPrefix(given ?? "/duro");
  const app = createApp({
    ...server,
    engine,
    basePath: prefix,
    ...(hub === undefined ? {} : { hub }),
    ...(options.pollMs === undefined ? {} : { pollMs: options.pollMs }),
    sameOriginWrites: sameOriginWrites ?? typeof auth === "function",
    ...(auth === "keys" ? {} : { authenticate: callerFrom(auth) }),
  });
  return async (request) => {
    const url = new URL(request.url);
    // The UI's page must end in "/": its asset and API URLs are relative to it.
    if (url.pathname === prefix && prefix !== "") return Response.redirect(`${url.origin}${prefix}/${url.search}`, 308);
    if (!url.pathname.startsWith(`${prefix}/`)) return outsidePrefix(url.pathname, prefix);
    url.pathname = url.pathname.slice(prefix.length);
    return app.fetch(new Request(url, request));
  };
}

function callerFrom(auth: Exclude<DuroAuth, "keys">): (request: Request) => Promise<Caller> {
  return async (request) => {
    const caller = await auth(request);
    if (caller === undefined) {
      throw new DuroError(
        "unauthorized",
        "the app did not authenticate this request (its auth function returned no caller); sign in first",
        {
          category: "auth",
        },
      );
    }
    return checkCaller(caller);
  };
}

/** A caller an app's function made, checked: its mistakes are the app's, so they are definition errors naming the field. */
function checkCaller(caller: Caller): Caller {
  const wrong = (field: string, cause?: unknown) =>
    new DuroError(
      "invalid_caller",
      `the app's auth function returned a caller with an invalid ${field}: ${JSON.stringify(caller[field as keyof Caller])}; return { keyId, tenant, role } with role admin, operator or viewer`,
      { details: { field }, ...(cause === undefined ? {} : { cause }) },
    );
  if (typeof caller.keyId !== "string" || caller.keyId === "") throw wrong("keyId");
  try {
    checkTenant(caller.tenant);
  } catch (error) {
    throw wrong("tenant", error);
  }
  try {
    checkRole(caller.role);
  } catch (error) {
    throw wrong("role", error);
  }
  return caller;
}

function checkPrefix(prefix: string): string {
  const trimmed = prefix.replace(/\/+$/, "");
  if (PREFIX.test(trimmed)) return trimmed;
  throw new DuroError(
    "invalid_http_prefix",
    `duroHandler's prefix must be a path such as "/duro" (segments after "/", no "?", "#" or "%"), not ${JSON.stringify(prefix)}`,
    { details: { prefix } },
  );
}

function outsidePrefix(path: string, prefix: string): Response {
  const message = `no route ${path}: duro is mounted at ${prefix}/ (mount the handler at that path, or give it prefix: "${path.split("/").slice(0, 2).join("/")}")`;
  return Response.json({ error: { code: "not_found", message } }, { status: 404 });
}
