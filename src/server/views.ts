// Records as the API shows them: every time is an ISO 8601 string (the store keeps epoch ms), so a client reads
// createdAt the same way from GET /v1/runs as from GET /v1/runs/{id}.
import type { RunRecord, WorkerRecord } from "../store/index.js";
import type { PublicKey } from "./keys.js";

type Iso<T, K extends keyof T> = Omit<T, K> & { [P in K]: undefined extends T[P] ? string | undefined : string };

const iso = (ms: number): string => new Date(ms).toISOString();

/** `record` with the named epoch-ms fields as ISO strings (absent ones stay absent). */
function withIsoTimes<T extends object, K extends keyof T & string>(record: T, keys: readonly K[]): Iso<T, K> {
  const out: Record<string, unknown> = { ...(record as Record<string, unknown>) };
  for (const key of keys) {
    const value = record[key];
    if (typeof value === "number") out[key] = iso(value);
  }
  return out as Iso<T, K>;
}

export const runView = (run: RunRecord) => withIsoTimes(run, ["createdAt", "updatedAt", "readyAt", "admittedAt"] as const);
export const keyView = (key: PublicKey) => withIsoTimes(key, ["createdAt", "revokedAt"] as const);
export const workerView = (worker: WorkerRecord) => withIsoTimes(worker, ["startedAt", "seenAt", "expiresAt"] as const);
