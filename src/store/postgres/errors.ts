// Turns what pg throws into DuroErrors with stable codes: an unreachable or restarting server is `db_unavailable`
// (retryable), lock conflicts PostgreSQL gave up on are `db_busy`. Messages name the database by its URL without
// the password, and any password text is scrubbed from the driver's own message too.
import { DuroError } from "../../core/index.js";
import { redactUrl } from "../redact-url.js";
import { pgDriver } from "./driver.js";

/** Socket-level failures: the server is down, unreachable, or dropped the connection. */
const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EHOSTDOWN",
  "ENETDOWN",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EPIPE",
]);

/** SQLSTATEs of a server that cannot serve now: connection exceptions (08…), shutdown and start-up, too many clients. */
const UNAVAILABLE_STATES = new Set(["57P01", "57P02", "57P03", "53300"]);
/** Conflicts PostgreSQL resolved by aborting this transaction; running it again succeeds. */
const BUSY_STATES = new Set(["40001", "40P01", "55P03"]);
const AUTH_STATES = new Set(["28000", "28P01"]);

/** The driver's messages for a connection it could not open or lost (pg and pg-pool raise them without a code). */
const UNAVAILABLE_MESSAGE =
  /connection terminated|timeout exceeded when trying to connect|connection timeout|server closed the connection/i;

/** Maps an error thrown by pg (or by the store itself) to the DuroError the caller sees. */
export function postgresError(error: unknown, url: string): unknown {
  if (error instanceof DuroError) return error;
  const code = String((error as { code?: unknown }).code ?? "");
  const where = redactUrl(url);
  const message = scrub(describe(error, code), url);
  if (NETWORK_CODES.has(code) || code.startsWith("08") || UNAVAILABLE_STATES.has(code) || UNAVAILABLE_MESSAGE.test(message)) {
    return new DuroError(
      "db_unavailable",
      `cannot reach the PostgreSQL database at ${where} (${message}); check that the server runs and the URL's host and port are right, then retry`,
      { category: "storage", retryable: true, details: { url: where, ...codeDetail(error, code) }, cause: error },
    );
  }
  if (BUSY_STATES.has(code)) {
    return new DuroError("db_busy", `the database gave up on a lock conflict (${message}); retry`, {
      category: "storage",
      retryable: true,
      details: { url: where, pgCode: code },
      cause: error,
    });
  }
  if (AUTH_STATES.has(code)) {
    return new DuroError("db_auth_failed", `PostgreSQL at ${where} refused the login (${message}); check the user and password`, {
      category: "storage",
      details: { url: where, pgCode: code },
      cause: error,
    });
  }
  if (code === "3D000") {
    return new DuroError(
      "db_not_found",
      `the database named in ${where} does not exist (${message}); create it (createdb) or fix the URL`,
      {
        category: "input",
        details: { url: where, pgCode: code },
        cause: error,
      },
    );
  }
  return new DuroError("storage_error", `the database failed: ${message}`, {
    category: "storage",
    details: { url: where, ...codeDetail(error, code) },
    cause: error,
  });
}

/** A SQLSTATE as `pgCode`, a Node.js socket or DNS code (ECONNREFUSED…) as `systemCode`. */
function codeDetail(error: unknown, code: string): Record<string, string> {
  if (code === "") return {};
  return error instanceof pgDriver().DatabaseError ? { pgCode: code } : { systemCode: code };
}

/** The error's own message; Node's AggregateError (every address of a host refused) has an empty one, so its code stands in. */
function describe(error: unknown, code: string): string {
  const message = error instanceof Error ? error.message : String(error);
  return message || code || "unknown error";
}

/** Removes the URL's password from a text, in case a driver message ever quotes it. */
function scrub(text: string, url: string): string {
  let scrubbed = text;
  for (const password of passwordsOf(url)) scrubbed = scrubbed.split(password).join("[REDACTED]");
  return scrubbed;
}

/** The password as the URL spells it and as decoded (pg may quote either). */
function passwordsOf(url: string): string[] {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return []; // not a URL: there is no password to find in it
  }
  const spelled = [parsed.password, parsed.searchParams.get("password") ?? ""].filter((p) => p !== "");
  return [...new Set(spelled.flatMap((p) => [p, safeDecode(p)]))];
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
