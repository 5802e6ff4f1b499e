// The fence every backend checks in the same transaction as a write: only the current, unexpired lease
// holder may append, heartbeat or release, and an append must continue from the seq the writer has seen.
import { LeaseLostError } from "../core/index.js";
import { type Lease, type RunStatus, TERMINAL_STATUSES } from "./store.js";

/** The columns of a run the fence looks at. While running, `readyAt` is the lease expiry. */
export interface FenceView {
  id: string;
  status: RunStatus;
  leaseOwner?: string | undefined;
  leaseEpoch: number;
  readyAt?: number | undefined;
  lastSeq: number;
}

/** Why `lease` is not the run's current lease at `now`, or undefined when it is. */
export function leaseProblem(run: FenceView, lease: Lease, now: number): { reason: string; why: string } | undefined {
  if (lease.runId !== run.id) {
    return { reason: "other_run", why: `the lease is for run ${lease.runId}` };
  }
  if (TERMINAL_STATUSES.has(run.status)) {
    return { reason: "run_ended", why: `the run already ended (${run.status})` };
  }
  if (run.leaseEpoch !== lease.epoch) {
    const holder = run.leaseOwner === undefined ? "" : ` by worker ${run.leaseOwner}`;
    return { reason: "reclaimed", why: `the run was claimed again${holder} (epoch ${run.leaseEpoch}, this lease has ${lease.epoch})` };
  }
  if (run.status !== "running" || run.leaseOwner !== lease.workerId) {
    return { reason: "released", why: `the lease was given up (the run is ${run.status})` };
  }
  if (run.readyAt === undefined || run.readyAt <= now) {
    const at = run.readyAt === undefined ? "earlier" : `at ${new Date(run.readyAt).toISOString()}`;
    return {
      reason: "expired",
      why: `the lease expired ${at} (now ${new Date(now).toISOString()}); heartbeat more often than the lease lasts`,
    };
  }
  return undefined;
}

/** Throws `lease_lost` unless `lease` is the run's current lease at `now`. */
export function checkLease(run: FenceView, lease: Lease, now: number): void {
  const problem = leaseProblem(run, lease, now);
  if (problem) throw leaseLost(run.id, lease, problem);
}

/** Throws `lease_lost` unless the lease is current and the run's journal ends at `expectedSeq`. */
export function checkFence(run: FenceView, lease: Lease, expectedSeq: number, now: number): void {
  checkLease(run, lease, now);
  if (run.lastSeq !== expectedSeq) {
    throw leaseLost(
      run.id,
      lease,
      { reason: "seq_mismatch", why: `its journal ends at seq ${run.lastSeq} but the writer expected ${expectedSeq}` },
      { expectedSeq, lastSeq: run.lastSeq },
    );
  }
}

function leaseLost(
  runId: string,
  lease: Lease,
  problem: { reason: string; why: string },
  extra: Record<string, unknown> = {},
): LeaseLostError {
  return new LeaseLostError(
    `worker ${lease.workerId} cannot write to run ${runId}: ${problem.why}; stop this invocation, the run resumes from its journal elsewhere`,
    { runId, workerId: lease.workerId, epoch: lease.epoch, reason: problem.reason, ...extra },
  );
}
