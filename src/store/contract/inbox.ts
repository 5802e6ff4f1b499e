// The inbox role: messages delivered to event keys, and the index of open waits they resolve.
// A message is kept until a waiting run of its tenant consumes it, so a delivery before the wait is never dropped.

import type { Attribution, WaitSpec } from "../../core/index.js";

export interface Delivery {
  eventKey: string;
  payload: unknown;
  tenant?: string;
  /** Who sent it; journaled with the `wait_resolved` that takes it. */
  attribution?: Attribution;
}

export interface InboxMessage {
  id: number;
  eventKey: string;
  payload: unknown;
  tenant: string;
  /** epoch ms */
  createdAt: number;
  attribution?: Attribution;
}

/** An open wait from the index of waits (maintained from `wait_started` / `wait_resolved` events). */
export interface OpenWait extends WaitSpec {
  runId: string;
  key: string;
}

export interface Inbox {
  /** Adds a message to the inbox and wakes the runs of its tenant (default "default") waiting on its key. */
  deliver(delivery: Delivery): Promise<{ id: number; wokeRunIds: string[] }>;
  /** The oldest unconsumed message for a key; only that tenant's messages when `tenant` is given (a run only takes its tenant's). */
  peekInbox(eventKey: string, tenant?: string): Promise<InboxMessage | undefined>;
  /** Unconsumed messages, oldest first (those nobody is waiting for yet). */
  listInbox(options?: { tenant?: string; limit?: number }): Promise<InboxMessage[]>;
  /** Open waits of a run, or of every run waiting on an event key. */
  openWaits(query: { runId: string } | { eventKey: string }): Promise<OpenWait[]>;
}
