// A PostgreSQL server of the test's own (initdb in a temp folder, a free port), so a test may restart it without
// disturbing the shared server other test files use at the same time. Needs the server binaries and root (the
// server runs as the `postgres` user through runuser); `privatePostgresProblem` says why not when it can't.
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

const BIN = existsSync("/etc/postgresql")
  ? join("/usr/lib/postgresql", execFileSync("ls", ["/etc/postgresql"]).toString().trim().split("\n")[0] ?? "", "bin")
  : "";

export function privatePostgresProblem(): string | undefined {
  if (!BIN || !existsSync(join(BIN, "initdb"))) return "no PostgreSQL server binaries under /usr/lib/postgresql";
  if (process.getuid?.() !== 0) return "starting a private PostgreSQL server needs root (it runs as the postgres user)";
  if (!existsSync("/usr/sbin/runuser") && !existsSync("/sbin/runuser")) return "runuser is missing";
  return undefined;
}

export interface PrivatePostgres {
  url: string;
  /** `pg_ctl restart -m fast`: every connection is terminated, the server comes back on the same port. */
  restart(): void;
  stop(): void;
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const dir = mkdtempSync(join(tmpdir(), "duro-pg-"));
  chmodSync(dir, 0o777);
  const data = join(dir, "data");
  const port = await freePort();
  const asPostgres = (command: string, args: string[]) =>
    execFileSync("runuser", ["-u", "postgres", "--", join(BIN, command), ...args], { stdio: "pipe", timeout: 60_000 });
  asPostgres("initdb", ["-D", data, "-A", "trust", "-U", "postgres", "--no-sync"]);
  const ctl = (...args: string[]) => asPostgres("pg_ctl", ["-D", data, "-w", "-l", join(dir, "server.log"), ...args]);
  ctl("-o", `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`, "start");
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    restart: () => void ctl("-m", "fast", "restart"),
    stop: () => {
      try {
        ctl("-m", "immediate", "stop");
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
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
