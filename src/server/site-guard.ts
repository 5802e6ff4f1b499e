// Cross-site requests: a web page the user visits can make the browser send requests to the server (forms, no-cors
// fetches) and, through DNS rebinding, under its own host name. The Host check refuses names the server was not told
// it answers to; the Origin check refuses requests a browser sends on behalf of another site.
import { DuroError } from "../core/index.js";

export interface SiteGuardOptions {
  /**
   * Check Host and Origin on every request: dev mode, where no key protects the API. Otherwise Host is checked only
   * when `allowedHosts` is given and Origin only when `allowedOrigins` is: every request that acts there carries its
   * credential (an API key, a link's token) explicitly, and a browser never attaches one across sites.
   */
  strict: boolean;
  /** Host names (without port) accepted besides the loopback names and the bound address. */
  allowedHosts?: readonly string[];
  /** The address the server listens on, accepted as a Host name when it is not a wildcard. */
  boundHost?: string;
  /** Origins (scheme://host[:port]) accepted besides the server's own. */
  allowedOrigins?: readonly string[];
  /** Check Origin (the requests that carry one to the guard) even without `allowedOrigins`. default false */
  checkOrigin?: boolean;
}

const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);
const WILDCARD = new Set(["0.0.0.0", "::", "[::]", ""]);

/** Checks a request's Host and Origin headers; throws `host_not_allowed` or `origin_not_allowed` (403). */
export function createSiteGuard(options: SiteGuardOptions): (headers: { host?: string; origin?: string; forwardedHost?: string }) => void {
  const hosts = new Set<string>(LOOPBACK);
  for (const name of options.allowedHosts ?? []) hosts.add(hostnameOf(name) ?? name.toLowerCase());
  if (options.boundHost !== undefined && !WILDCARD.has(options.boundHost)) hosts.add(hostnameOf(options.boundHost) ?? options.boundHost);
  const checkHost = options.strict || (options.allowedHosts?.length ?? 0) > 0;
  const checkOrigin = options.strict || options.checkOrigin === true || (options.allowedOrigins?.length ?? 0) > 0;
  const origins = new Set((options.allowedOrigins ?? []).map(normalOrigin));

  return ({ host, origin, forwardedHost }) => {
    if (checkHost) {
      const name = host === undefined ? undefined : hostnameOf(host);
      if (name === undefined || !hosts.has(name)) {
        throw new DuroError(
          "host_not_allowed",
          `this server does not answer to Host ${JSON.stringify(host ?? "")}; it answers to ${[...hosts].join(", ")} (add names with --allowed-host)`,
          { category: "auth", details: { host: host ?? null } },
        );
      }
    }
    if (origin === undefined || !checkOrigin) return;
    if (host !== undefined && sameOrigin(origin, host)) return;
    // Behind a proxy that rewrites Host; a browser cannot set X-Forwarded-Host on a cross-site request (not without a
    // CORS preflight, which this server does not answer).
    if (forwardedHost !== undefined && sameOrigin(origin, forwardedHost.split(",")[0]?.trim() ?? "")) return;
    if (origins.has(normalOrigin(origin))) return;
    throw new DuroError(
      "origin_not_allowed",
      `requests from origin ${JSON.stringify(origin)} are refused: only pages served by this server may call it (allow others with --allowed-origin)`,
      { category: "auth", details: { origin } },
    );
  };
}

/** The lower-case host name of a Host header value ("Example.com:8080" → "example.com", "[::1]:80" → "[::1]"). */
function hostnameOf(host: string): string | undefined {
  try {
    const url = new URL(`http://${host}`);
    // A Host header is a name and a port, nothing else.
    if (url.username || url.password || url.pathname !== "/" || url.search || url.hash) return undefined;
    return url.hostname.toLowerCase();
  } catch {
    return undefined;
  }
}

function sameOrigin(origin: string, host: string): boolean {
  try {
    return new URL(origin).host.toLowerCase() === new URL(`http://${host}`).host.toLowerCase();
  } catch {
    return false;
  }
}

function normalOrigin(origin: string): string {
  try {
    return new URL(origin).origin;
  } catch {
    return origin;
  }
}
