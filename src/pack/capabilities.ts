// What a pack may reach outside its sandbox. Everything not granted is denied: for a WebAssembly component,
// the WASI calls behind each capability are replaced by ones that record the attempt and fail; for the pack's
// flows, `net:<host>` grants are the only places their `http` nodes may connect to (flow/network.ts).
import { join } from "node:path";
import { netGrantProblem } from "../flow/index.js";

/** A capability as written in pack.yaml: `clock`, `random`, `env:NAME`, `fs:<pack-relative dir>` or `net:<host>`. */
export type Capability = string;

export interface Grants {
  clock: boolean;
  random: boolean;
  /** Environment variable names the component may read. */
  env: string[];
  /** Pack-relative directories preopened at `/<dir>` inside the component. */
  fs: string[];
}

/** The WASI preview1 calls each capability stands for; `net` is never grantable. */
export const WASI_CALLS = {
  clock: ["clock_time_get", "clock_res_get", "poll_oneoff"],
  random: ["random_get"],
  env: ["environ_get", "environ_sizes_get"],
  fs: [
    "path_open",
    "path_create_directory",
    "path_filestat_get",
    "path_filestat_set_times",
    "path_link",
    "path_readlink",
    "path_remove_directory",
    "path_rename",
    "path_symlink",
    "path_unlink_file",
  ],
  net: ["sock_accept", "sock_recv", "sock_send", "sock_shutdown"],
} as const;

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Why a capability string is not one duro knows, or undefined when it is fine. */
export function capabilityProblem(capability: unknown): string | undefined {
  if (typeof capability !== "string") return "must be a string";
  if (capability === "clock" || capability === "random") return undefined;
  if (capability.startsWith("env:")) {
    return ENV_NAME.test(capability.slice(4)) ? undefined : `"${capability}" must name an environment variable, e.g. env:API_BASE`;
  }
  if (capability.startsWith("fs:")) {
    const dir = capability.slice(3);
    return dir !== "" && !dir.startsWith("/") && !dir.split("/").includes("..")
      ? undefined
      : `"${capability}" must name a directory inside the pack, e.g. fs:data`;
  }
  if (capability.startsWith("net:")) return netGrantProblem(capability.slice(4));
  return `unknown capability "${capability}"; use clock, random, env:NAME, fs:<dir> or net:<host>`;
}

/** The hosts a pack's flows may reach over http: its `net:` capabilities without the prefix. */
export function netGrants(capabilities: readonly Capability[]): string[] {
  return capabilities.filter((c) => c.startsWith("net:")).map((c) => c.slice(4));
}

/** The grants a component's capability list adds up to. */
export function grantsOf(capabilities: readonly Capability[]): Grants {
  return {
    clock: capabilities.includes("clock"),
    random: capabilities.includes("random"),
    env: capabilities.filter((c) => c.startsWith("env:")).map((c) => c.slice(4)),
    fs: capabilities.filter((c) => c.startsWith("fs:")).map((c) => c.slice(3)),
  };
}

/** What a component's grants hand it: the granted environment variables that are set, and the granted directories by guest path. */
export function grantedResources(
  grants: Grants,
  from: { env: Readonly<Record<string, string | undefined>>; root: string },
): { env: Record<string, string>; preopens: Record<string, string> } {
  const env: Record<string, string> = {};
  for (const name of grants.env) {
    const value = from.env[name];
    if (value !== undefined) env[name] = value;
  }
  const preopens: Record<string, string> = {};
  for (const dir of grants.fs) preopens[`/${dir}`] = join(from.root, dir);
  return { env, preopens };
}

/** WASI call name → the capability it needs, for every call these grants do not allow. */
export function deniedCalls(grants: Grants): Record<string, string> {
  const denied: Record<string, string> = {};
  const deny = (capability: keyof typeof WASI_CALLS) => {
    for (const call of WASI_CALLS[capability]) denied[call] = capability;
  };
  if (!grants.clock) deny("clock");
  if (!grants.random) deny("random");
  if (grants.env.length === 0) deny("env");
  if (grants.fs.length === 0) deny("fs");
  deny("net");
  return denied;
}

/**
 * The WASI preview 2 interfaces a component may import, and the capability each needs (`null`: every component
 * may import it). An interface not listed (sockets, http, anything not WASI) is never linked.
 */
export const WASI_P2_INTERFACES: Readonly<Record<string, "clock" | "random" | "env" | "fs" | null>> = {
  "wasi:io/error": null,
  "wasi:io/poll": null,
  "wasi:io/streams": null,
  "wasi:cli/stdin": null,
  "wasi:cli/stdout": null,
  "wasi:cli/stderr": null,
  "wasi:cli/exit": null,
  "wasi:cli/terminal-input": null,
  "wasi:cli/terminal-output": null,
  "wasi:cli/terminal-stdin": null,
  "wasi:cli/terminal-stdout": null,
  "wasi:cli/terminal-stderr": null,
  "wasi:cli/environment": "env",
  "wasi:clocks/wall-clock": "clock",
  "wasi:clocks/monotonic-clock": "clock",
  "wasi:random/random": "random",
  "wasi:random/insecure": "random",
  "wasi:random/insecure-seed": "random",
  "wasi:filesystem/types": "fs",
  "wasi:filesystem/preopens": "fs",
};

/** An import a component may not have: the capability that would allow it, or none when nothing can. */
export interface DeniedImport {
  /** The interface, without its version: `wasi:clocks/wall-clock`. */
  import: string;
  capability?: string;
}

/** The imports (interface names without version) that `grants` do not allow, in the order given. */
export function deniedImports(imports: readonly string[], grants: Grants): DeniedImport[] {
  const granted = { clock: grants.clock, random: grants.random, env: grants.env.length > 0, fs: grants.fs.length > 0 };
  const denied: DeniedImport[] = [];
  for (const name of imports) {
    // hasOwn: an import named like an Object.prototype member must not find one.
    const capability = Object.hasOwn(WASI_P2_INTERFACES, name) ? WASI_P2_INTERFACES[name] : undefined;
    if (capability === undefined) denied.push({ import: name });
    else if (capability !== null && !granted[capability]) denied.push({ import: name, capability });
  }
  return denied;
}
