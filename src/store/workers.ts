// The live workers registry shared by the backends: the row the SQL stores keep per announced worker, how it becomes
// a WorkerRecord, and the one rule readers apply to it (which runs a worker would claim).
import type { WorkerInfo, WorkerRecord } from "./store.js";

/**
 * How long the row of a worker that died without retiring stays after its announcement lapsed (ms): listed with
 * `includeExpired` meanwhile, then deleted by the next announcement of any worker.
 */
export const LAPSED_WORKER_KEPT_MS = 86_400_000;

/** A workers row as the SQL stores select it; `workflows` and `any_version` are JSON text. */
export interface WorkerRow {
  id: string;
  host: string;
  pid: number;
  started_at: number;
  workflows: string;
  pinned: number | boolean;
  any_version: string;
  concurrency: number;
  active: number;
  seen_at: number;
  expires_at: number;
}

/** The column values of an announcement (JSON for the two structured ones). */
export function workerColumns(info: WorkerInfo, now: number, ttlMs: number) {
  return {
    id: info.id,
    host: info.host,
    pid: info.pid,
    startedAt: info.startedAt,
    workflows: JSON.stringify(info.workflows),
    pinned: info.pinned ? 1 : 0,
    anyVersion: JSON.stringify(info.anyVersion ?? []),
    concurrency: info.concurrency,
    active: info.active,
    seenAt: now,
    expiresAt: now + ttlMs,
    lapsedBefore: now - LAPSED_WORKER_KEPT_MS,
  };
}

export function toWorkerRecord(row: WorkerRow): WorkerRecord {
  return {
    id: row.id,
    host: row.host,
    pid: Number(row.pid),
    startedAt: Number(row.started_at),
    workflows: JSON.parse(row.workflows) as Record<string, string[]>,
    pinned: row.pinned === true || row.pinned === 1,
    anyVersion: JSON.parse(row.any_version) as string[],
    concurrency: Number(row.concurrency),
    active: Number(row.active),
    seenAt: Number(row.seen_at),
    expiresAt: Number(row.expires_at),
  };
}

/** Whether `worker` would claim a run of `workflow` at `version`: it holds that version, or claims that workflow in any. */
export function workerClaims(worker: WorkerInfo, workflow: string, version: string): boolean {
  const held = Object.hasOwn(worker.workflows, workflow) ? worker.workflows[workflow] : undefined;
  if (held === undefined) return false;
  return held.includes(version) || !worker.pinned || (worker.anyVersion ?? []).includes(workflow);
}
