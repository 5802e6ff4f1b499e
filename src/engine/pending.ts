// What people and hosts are asked for: the open approvals, questions and external tool calls of waiting runs, with
// whether an answer is already on its way. The API's inbox and `duro tools pending` list from here.
import type { WaitKind } from "../core/index.js";
import type { OpenWait, RunRecord, Store } from "../store/index.js";

export interface PendingWait extends OpenWait {
  workflow: string;
  /** An answer is in the run's inbox, not yet taken by the run. */
  decided: boolean;
}

export interface PendingQuery {
  /** Only this tenant's runs. default: with `runId` that run's tenant, else the engine's tenant */
  tenant?: string;
  /** Only this run's waits. default: the newest 200 waiting runs of the tenant */
  runId?: string;
  /** default: approvals, questions and tool calls */
  kinds?: readonly WaitKind[];
  /** Every tenant's waiting runs instead of one tenant's (an all-tenants admin's inbox). default false */
  allTenants?: boolean;
}

const DEFAULT_KINDS: readonly WaitKind[] = ["approval", "ask", "tool"];

/** Pending waits of one run (when `runId` is given) or of a tenant's newest 200 waiting runs. */
export async function listPending(
  store: Pick<Store, "listRuns" | "getRun" | "openWaits" | "peekInbox">,
  query: PendingQuery & { defaultTenant: string },
): Promise<PendingWait[]> {
  const kinds = new Set(query.kinds ?? DEFAULT_KINDS);
  const runs = query.runId
    ? [await store.getRun(query.runId)].filter(
        (r): r is RunRecord => r !== undefined && (query.tenant === undefined || r.tenant === query.tenant) && r.status === "waiting",
      )
    : (
        await store.listRuns({
          status: "waiting",
          ...(query.allTenants ? {} : { tenant: query.tenant ?? query.defaultTenant }),
          limit: 200,
        })
      ).runs;
  const pending: PendingWait[] = [];
  for (const run of runs) {
    for (const wait of await store.openWaits({ runId: run.id })) {
      if (!kinds.has(wait.kind)) continue;
      const decided = (await store.peekInbox(wait.eventKey as string, run.tenant)) !== undefined;
      pending.push({ ...wait, workflow: run.workflow, decided });
    }
  }
  return pending;
}
