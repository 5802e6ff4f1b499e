// Taking over the runs of a process that died on this machine, at once instead of after its lease expires. The store
// lists held leases with their holders; holder.ts proves which holders are gone; breakLease ends exactly those leases
// (fenced: only if each is still the lease that was looked at), and the runs are then claimed like any expired one.
import type { HeldLease, HeldLeaseFilter, LeaseHolder, Work } from "../store/index.js";
import { type HolderState, holderState, type ProcessTable } from "./holder.js";

/** What an engine or worker tells about a run it found leased by another process. */
export interface LeaseNotice {
  lease: HeldLease;
  state: HolderState;
  /** Whether the holder runs where this process can see its pid (the same machine and process table). */
  sameHost: boolean;
  /**
   * `taken_over`: its holder was gone and the lease is broken; `waiting`: this process waits for the lease to end;
   * `left`: this process stops without it (the holder, or whoever claims it after the lease expires, continues it).
   */
  action: "taken_over" | "waiting" | "left";
}

/** Who is asking, and how it finds processes (tests point `table` elsewhere). */
export interface TakeoverContext {
  store: Pick<Work, "heldLeases" | "breakLease">;
  self: LeaseHolder;
  table?: ProcessTable;
}

/**
 * Breaks the leases matching `filter` whose holders are provably gone, and returns every lease it looked at with the
 * holder's state: those it broke as `taken_over`, the others as `waiting` (the caller words what it does about them).
 * Leases of this process itself are left alone.
 */
export async function takeOverGone(context: TakeoverContext, filter: HeldLeaseFilter): Promise<LeaseNotice[]> {
  const notices: LeaseNotice[] = [];
  for (const lease of await context.store.heldLeases(filter)) {
    const state = holderState(lease.holder, context.self, context.table);
    const sameHost = lease.holder?.hostId !== undefined && lease.holder.hostId === context.self.hostId;
    const broken = state === "gone" && (await context.store.breakLease(lease));
    notices.push({ lease, state, sameHost, action: broken ? "taken_over" : "waiting" });
  }
  return notices;
}

/** Leases of other processes on this host (the only ones that can be proven gone) matching `filter`, broken where gone. */
export function takeOverGoneOnThisHost(context: TakeoverContext, filter: Omit<HeldLeaseFilter, "hostId"> = {}): Promise<LeaseNotice[]> {
  if (context.self.hostId === undefined) return Promise.resolve([]);
  return takeOverGone(context, { ...filter, hostId: context.self.hostId });
}
