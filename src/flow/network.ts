// Where a flow's `http` nodes may connect. A pack's flows may reach only the hosts its manifest grants
// (`net:api.example.com`, `net:*.example.com`, `net:10.0.0.5`, `net:10.0.0.0/8`, each optionally with `:port`), and
// never a loopback, link-local, private or otherwise special address unless an address grant names it: a host
// name grant is not enough, because the name may resolve (or be rebound) to 127.0.0.1 or 169.254.169.254. The
// check runs on the resolved addresses, before any connection, and the connection then goes to the checked
// address (see http.ts), for the first request and for every redirect.
import { lookup as dnsLookup } from "node:dns/promises";
import { BlockList, isIP } from "node:net";
import { DuroError } from "../core/index.js";

/** What a flow's `http` nodes may reach. */
export interface NetworkPolicy {
  /** Who grants, for messages: `pack acme.triage@1.2.0`. */
  owner: string;
  /** The `net:` capabilities without the prefix: `api.example.com`, `*.example.com:443`, `10.0.0.0/8`. */
  grants: readonly string[];
  /** Resolves a host name to its addresses. default dns.lookup (all addresses) */
  lookup?: (host: string) => Promise<Array<{ address: string; family: number }>>;
}

/** The address a request connects to, once the policy allowed it. */
export interface CheckedTarget {
  address: string;
  family: 4 | 6;
}

interface Grant {
  text: string;
  host: string;
  port?: number;
}

const HOST_NAME = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;

/** Why a `net:` grant (without its prefix) is malformed, or undefined when it is fine. */
export function netGrantProblem(grant: string): string | undefined {
  return parseGrant(grant) === undefined
    ? `"net:${grant}" must name a host (api.example.com, *.example.com), an address (10.0.0.5, [::1]) or a range (10.0.0.0/8), optionally with :port`
    : undefined;
}

function parseGrant(text: string): Grant | undefined {
  let host = text;
  let port: number | undefined;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (bracketed) {
    host = bracketed[1] as string;
    if (bracketed[2] !== undefined) port = Number(bracketed[2]);
  } else if (isIP(text) !== 6 && !isCidr(text) && text.includes(":")) {
    const at = text.lastIndexOf(":");
    host = text.slice(0, at);
    port = Number(text.slice(at + 1));
    if (!/^\d+$/.test(text.slice(at + 1))) return undefined;
  }
  if (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65535)) return undefined;
  if (isIP(host) === 0 && !isCidr(host) && !HOST_NAME.test(host)) return undefined;
  return port === undefined ? { text, host: host.toLowerCase() } : { text, host: host.toLowerCase(), port };
}

function isCidr(text: string): boolean {
  const [address, bits, extra] = text.split("/");
  if (extra !== undefined || address === undefined || bits === undefined || !/^\d+$/.test(bits)) return false;
  const family = isIP(address);
  return family !== 0 && Number(bits) <= (family === 4 ? 32 : 128);
}

/** Addresses no request from a pack may reach unless an address grant names them. */
const SPECIAL = new BlockList();
for (const [network, bits] of [
  ["0.0.0.0", 8], // "this network"
  ["10.0.0.0", 8],
  ["100.64.0.0", 10], // carrier-grade NAT
  ["127.0.0.0", 8],
  ["169.254.0.0", 16], // link-local, cloud metadata (169.254.169.254)
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["224.0.0.0", 4], // multicast
  ["240.0.0.0", 4], // reserved, broadcast
] as const)
  SPECIAL.addSubnet(network, bits, "ipv4");
for (const [network, bits] of [
  ["::", 128],
  ["::1", 128],
  ["fc00::", 7], // unique local
  ["fe80::", 10], // link-local
  ["ff00::", 8], // multicast
] as const)
  SPECIAL.addSubnet(network, bits, "ipv6");

/** Whether `address` is loopback, link-local, private or otherwise not a public internet address. */
export function isSpecialAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return isSpecialAddress(mapped[1] as string);
  const family = isIP(address);
  return family !== 0 && SPECIAL.check(address, family === 4 ? "ipv4" : "ipv6");
}

/**
 * Checks that `url` may be requested under `policy` and resolves it to the address to connect to; throws
 * `capability_denied` (before any connection) when the host is not granted or resolves to an address that is
 * special and not granted by address. Without a policy, only resolves.
 */
export async function checkTarget(url: URL, policy: NetworkPolicy | undefined, where: string): Promise<CheckedTarget> {
  const host = url.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  const port = Number(url.port || (url.protocol === "https:" ? 443 : 80));
  const grants = (policy?.grants ?? []).flatMap((g) => parseGrant(g) ?? []).filter((g) => g.port === undefined || g.port === port);
  if (policy && !grants.some((g) => hostMatches(g.host, host))) {
    throw denied(
      policy,
      where,
      `${host}:${port}`,
      `it is not granted; add "net:${isIP(host) === 6 ? `[${host}]` : host}" to the pack's capabilities (pack.yaml) and sign it again`,
    );
  }
  const addresses = isIP(host) !== 0 ? [{ address: host, family: isIP(host) }] : await resolve(host, policy, where);
  if (policy) {
    for (const { address } of addresses) {
      if (isSpecialAddress(address) && !grants.some((g) => (isIP(g.host) !== 0 || isCidr(g.host) ? hostMatches(g.host, address) : false))) {
        throw denied(
          policy,
          where,
          `${host}:${port}`,
          `it resolves to ${address}, a loopback, link-local or private address, which a pack reaches only when granted by address ("net:${address}")`,
        );
      }
    }
  }
  const first = addresses[0] as { address: string; family: number };
  return { address: first.address, family: first.family === 6 ? 6 : 4 };
}

function hostMatches(grant: string, host: string): boolean {
  if (grant === host) return true;
  if (grant.startsWith("*.")) return host.endsWith(grant.slice(1)) && isIP(host) === 0;
  if (isCidr(grant) && isIP(host) !== 0) {
    const [network, bits] = grant.split("/") as [string, string];
    const list = new BlockList();
    const family = isIP(network) === 4 ? "ipv4" : "ipv6";
    list.addSubnet(network, Number(bits), family);
    return isIP(host) === isIP(network) && list.check(host, family);
  }
  return false;
}

async function resolve(host: string, policy: NetworkPolicy | undefined, where: string) {
  try {
    const found = await (policy?.lookup ?? ((name: string) => dnsLookup(name, { all: true })))(host);
    if (found.length > 0) return found;
  } catch {
    // Reported below with the host name, like a name with no address.
  }
  throw new DuroError("http_unreachable", `${where}: the host ${host} has no address (DNS lookup failed)`, {
    category: "step",
    retryable: true,
    details: { host },
  });
}

function denied(policy: NetworkPolicy, where: string, target: string, why: string): DuroError {
  return new DuroError("capability_denied", `${where}: ${policy.owner} may not connect to ${target}: ${why}`, {
    category: "step",
    retryable: false,
    details: { target, granted: [...policy.grants].map((g) => `net:${g}`) },
  });
}
