// Human durations ("250ms", "2s", "1h30m", "7d") to milliseconds; the one parser every API and flag uses.
import { inputError } from "./errors.js";

export type Duration = number | string;

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/gy;

/** Milliseconds of a duration: a number is already milliseconds; a string is one or more `<n><unit>` parts. */
export function toMs(duration: Duration): number {
  if (typeof duration === "number") {
    if (!Number.isFinite(duration) || duration < 0) throw badDuration(String(duration));
    return Math.round(duration);
  }
  const text = duration.trim();
  if (text === "") throw badDuration(duration);
  PART.lastIndex = 0;
  let total = 0;
  let end = 0;
  for (let match = PART.exec(text); match; match = PART.exec(text)) {
    total += Number(match[1]) * (UNIT_MS[match[2] as string] as number);
    end = PART.lastIndex;
  }
  if (end !== text.length) throw badDuration(duration);
  return Math.round(total);
}

function badDuration(text: string) {
  return inputError(
    "invalid_duration",
    `"${text}" is not a duration; write a number of milliseconds or parts like "250ms", "2s", "5m", "1h30m", "7d"`,
    { value: text },
  );
}
