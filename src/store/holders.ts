// Lease holders as the SQL backends keep them: one JSON text column beside lease_owner, written by every claim, and
// the rows `heldLeases` selects. Which holders are gone is the engine's business (engine/holder.ts), not the store's.
import type { HeldLease, HeldLeaseFilter, LeaseHolder } from "./store.js";

/** The most leases `heldLeases` returns when the filter names no limit. */
export const HELD_LEASES_LIMIT = 100;

/** A held lease as the SQL stores select it. */
export interface HeldLeaseRow {
  id: string;
  workflow: string;
  lease_owner: string;
  lease_epoch: number;
  ready_at: number | string;
  lease_holder: string | null;
}

/** The lease_holder column's value for a claim by `holder`. */
export function holderColumn(holder: LeaseHolder | undefined): string | null {
  return holder === undefined ? null : JSON.stringify(holder);
}

export function toHeldLease(row: HeldLeaseRow): HeldLease {
  const lease: HeldLease = {
    runId: row.id,
    workflow: row.workflow,
    workerId: row.lease_owner,
    epoch: Number(row.lease_epoch),
    expiresAt: Number(row.ready_at),
  };
  if (row.lease_holder !== null) lease.holder = JSON.parse(row.lease_holder) as LeaseHolder;
  return lease;
}

/** The filter's limit, at least 1. */
export function heldLimit(filter: HeldLeaseFilter): number {
  return Math.max(1, Math.floor(filter.limit ?? HELD_LEASES_LIMIT));
}
