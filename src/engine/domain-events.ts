// The value of a domain event (`ctx.emit`), checked before anything is journaled: plain JSON, at most
// MAX_DOMAIN_EVENT_BYTES of it, and no secret. The caller gets the error at its emit, synchronously.
import { DuroError, findNonJson, type JournalGuard } from "../core/index.js";

/** Largest JSON a domain event's data may take: an event is a fact for readers, not a place for results. */
export const MAX_DOMAIN_EVENT_BYTES = 65_536;

/** The JSON form of `data` to journal; throws domain_event_invalid, domain_event_too_large or secret_in_journal. */
export function domainEventData(name: string, data: unknown, guard: JournalGuard | undefined): unknown {
  if (data === undefined) return null;
  const found = findNonJson(data);
  if (found) {
    throw new DuroError(
      "domain_event_invalid",
      `the data of domain event "${name}" is not plain JSON: it holds ${found.what} at ${found.path}; emit objects, arrays, strings, finite numbers, booleans or null`,
      { category: "definition", details: { name, path: found.path, found: found.what } },
    );
  }
  const json = JSON.stringify(data);
  const bytes = Buffer.byteLength(json, "utf8");
  if (bytes > MAX_DOMAIN_EVENT_BYTES) {
    throw new DuroError(
      "domain_event_too_large",
      `the data of domain event "${name}" is ${bytes} bytes of JSON, over the limit of ${MAX_DOMAIN_EVENT_BYTES}; emit a summary and keep the bulk in a step's result or an artifact`,
      { category: "definition", details: { name, bytes, limit: MAX_DOMAIN_EVENT_BYTES } },
    );
  }
  const value = JSON.parse(json) as unknown;
  guard?.check(value, `data of domain event "${name}"`);
  return value;
}
