// The journal events the UI reads: the core's union plus the shapes other parts of duro add (bookmarks, domain
// events, pack verification), so the views handle them whether or not this build's core journals them yet.
import type { JournalEvent } from "../index.js";

type Added =
  | { type: "bookmark"; key: string; name: string }
  | { type: "domain_event"; key: string; name: string; data: unknown }
  | { type: "pack_verified"; packId: string; version: string; digest: string; keyId?: string; unsigned?: string };

export type ViewEvent = JournalEvent | (Added & { seq: number; at: string });

/** The step (or wait) key an event belongs to, if it belongs to one. */
export function eventKey(event: ViewEvent): string | undefined {
  return "key" in event && typeof event.key === "string" ? event.key : undefined;
}
