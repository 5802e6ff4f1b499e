// Version pinning for every backend (ClaimRequest.versions): which runs a worker may claim given the versions of
// each workflow it holds code for. The SQL backends test the same rule inside their claim statements, binding the
// map as one JSON parameter (`versionsParam`), so pinning adds no query to a claim.
import type { WorkflowVersions } from "./store.js";

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
