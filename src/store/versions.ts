// Version pinning for every backend (ClaimRequest.versions): which runs a worker may claim given the versions of
// each workflow it holds code for. The SQL backends test the same rule inside their claim statements, binding the
// map as one JSON parameter (`versionsParam`), so pinning adds no query to a claim.
import type { UnfinishedCount, WorkflowVersions } from "./store.js";

/** Whether a worker holding `versions` may claim a run of `workflow` at `version`: unpinned workflows, any version. */
export function claimsVersion(versions: WorkflowVersions | undefined, workflow: string, version: string): boolean {
  const held = versions === undefined || !Object.hasOwn(versions, workflow) ? undefined : versions[workflow];
  return held === undefined || held.includes(version);
}

/** The JSON each versions object was bound as: a worker sends the same object with every claim until it changes. */
const encoded = new WeakMap<WorkflowVersions, string>();

/** The JSON object `{ workflow: [versions…] }` the SQL statements bind; `{}` pins nothing. */
export function versionsParam(versions: WorkflowVersions | undefined): string {
  if (versions === undefined) return "{}";
  let json = encoded.get(versions);
  if (json === undefined) {
    json = JSON.stringify(versions);
    if (Object.isFrozen(versions)) encoded.set(versions, json);
  }
  return json;
}

/** One row of the unfinished-runs count: a workflow version's runs in one status. */
export interface UnfinishedRow {
  workflow: string;
  version: string;
  status: string;
  n: number;
}

/** Rows per (workflow, version, status) folded into one count per version, sorted by workflow then version. */
export function unfinishedCounts(rows: readonly UnfinishedRow[]): UnfinishedCount[] {
  const counts = new Map<string, UnfinishedCount>();
  for (const row of rows) {
    const key = `${row.workflow}\u0000${row.version}`;
    const count = counts.get(key) ?? { workflow: row.workflow, version: row.version, queued: 0, running: 0, waiting: 0 };
    if (row.status === "queued" || row.status === "running" || row.status === "waiting") count[row.status] += Number(row.n);
    counts.set(key, count);
  }
  return [...counts.values()].sort((a, b) => compare(a.workflow, b.workflow) || compare(a.version, b.version));
}

/** Byte order, the same on every backend and in every locale. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
