// Points in time as people type them in filters: an ISO 8601 date or date-time, or a duration ago ("30m", "2h",
// "7d"). Pure: "now" comes in as a value.
import { toMs } from "./duration.js";
import { inputError } from "./errors.js";

// A date (2026-12-05), optionally with a time, seconds, fraction and zone. A date-time without a zone is UTC, so
// that a filter means the same on every machine.
const ISO = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;
const ZONED = /(?:Z|[+-]\d{2}:?\d{2})$/;

/**
 * Epoch ms of `text`: an ISO 8601 date or date-time (UTC unless it names a zone) or a duration before `now`.
 * `name` is what the error calls the value (a flag or a query parameter).
 */
export function parseInstant(text: string, now: number, name: string): number {
  const value = text.trim();
  if (ISO.test(value)) {
    const withZone = value.length > 10 && !ZONED.test(value) ? `${value.replace(" ", "T")}Z` : value.replace(" ", "T");
    const ms = Date.parse(withZone);
    if (Number.isFinite(ms)) return ms;
  } else if (/^\d/.test(value)) {
    try {
      return now - toMs(value);
    } catch {
      // Not a duration either: the error below says both forms.
    }
  }
  throw inputError(
    "invalid_time",
    `${name} "${text}" is not a time; write an ISO 8601 date or date-time (2026-12-05, 2026-12-05T14:30:00Z) or a duration ago (30m, 2h, 7d)`,
    { [name]: text },
  );
}
