// Who did what: the checks on an actor, a session id and a W3C traceparent before they are journaled, and reading
// an event's attribution fields back.

import { inputError } from "./errors.js";
import type { Attribution } from "./events.js";

const TRACEPARENT = /^[0-9a-f]{2}-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/;
const MAX_ID_LENGTH = 200;

/** `value` as an actor or session id, or `invalid_attribution` naming `what` (e.g. "--actor"). */
export function checkId(value: unknown, what: string): string {
  if (typeof value !== "string" || value.trim() === "" || value.length > MAX_ID_LENGTH)
    throw inputError("invalid_attribution", `${what} must be a non-empty string of at most ${MAX_ID_LENGTH} characters`, { what });
  return value;
}

/** `value` as a W3C traceparent, or `invalid_traceparent` naming `what` (e.g. "the traceparent header"). */
export function checkTraceparent(value: unknown, what: string): string {
  const match = typeof value === "string" ? TRACEPARENT.exec(value) : null;
  if (!match || /^0+$/.test(match[1] as string) || /^0+$/.test(match[2] as string) || (value as string).startsWith("ff"))
    throw inputError(
      "invalid_traceparent",
      `${what} is not a W3C traceparent: expected 00-<32 hex trace id>-<16 hex span id>-<2 hex flags>, e.g. 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01`,
      { what },
    );
  return value as string;
}

/** A checked Attribution with only the fields given. */
export function checkAttribution(input: Attribution, where: string): Attribution {
  const checked: Attribution = {};
  if (input.actor !== undefined) checked.actor = checkId(input.actor, `the actor of ${where}`);
  if (input.keyId !== undefined) checked.keyId = checkId(input.keyId, `the key id of ${where}`);
  if (input.traceparent !== undefined) checked.traceparent = checkTraceparent(input.traceparent, `the traceparent of ${where}`);
  return checked;
}

/** The attribution fields of an event (or any object carrying them), or undefined when it has none. */
export function attributionOf(source: Attribution): Attribution | undefined {
  const attribution: Attribution = {};
  if (source.actor !== undefined) attribution.actor = source.actor;
  if (source.keyId !== undefined) attribution.keyId = source.keyId;
  if (source.traceparent !== undefined) attribution.traceparent = source.traceparent;
  return Object.keys(attribution).length ? attribution : undefined;
}
