// The runs list's query as URL state: parsed from and written to the hash (#/runs?status=failed&sort=updated), so a
// view can be shared as a link and back/forward steps through the queries a person tried.
export const STATUSES = ["queued", "running", "waiting", "completed", "failed", "cancelled"] as const;
export const WAITING_FOR = ["approval", "ask", "event", "sleep", "child", "tool", "limit", "timer"] as const;
export const SORTS = ["created", "updated"] as const;

export interface RunQuery {
  /** Matches run id, workflow or idempotency key (in the page the server returned). */
  q?: string;
  status?: string;
  workflow?: string;
  version?: string;
  /** Parent run id: only that run's children. */
  parent?: string;
  waitingFor?: string;
  /** Created at or after (a datetime-local value). */
  from?: string;
  /** Created before. */
  to?: string;
  /** default created */
  sort?: string;
}

const FIELDS = ["q", "status", "workflow", "version", "parent", "waitingFor", "from", "to", "sort"] as const;

export function parseQuery(params: URLSearchParams): RunQuery {
  const query: RunQuery = {};
  for (const field of FIELDS) {
    const value = params.get(field);
    if (value) query[field] = value;
  }
  return query;
}

export function queryHash(query: RunQuery): string {
  const params = new URLSearchParams();
  for (const field of FIELDS) {
    const value = query[field];
    if (value) params.set(field, value);
  }
  const text = params.toString();
  return text ? `#/runs?${text}` : "#/runs";
}

/** The part of the query GET /v1/runs filters on; the rest is applied to the page it returns. */
export function serverParams(query: RunQuery): string {
  const params = new URLSearchParams({ limit: "200" });
  if (query.status) params.set("status", query.status);
  if (query.workflow) params.set("workflow", query.workflow);
  if (query.parent) params.set("parentRunId", query.parent);
  // Not every server filters on this yet; one that does not answers with a validation error the list shows.
  if (query.waitingFor) params.set("waitingFor", query.waitingFor);
  return params.toString();
}

interface Listed {
  id: string;
  workflow: string;
  version: string;
  idempotencyKey?: string;
  createdAt: string;
  updatedAt: string;
}

/** Search, version, time range and sort over a page of runs. */
export function applyLocal<R extends Listed>(runs: R[], query: RunQuery): R[] {
  const q = query.q?.toLowerCase();
  const from = query.from ? Date.parse(query.from) : Number.NEGATIVE_INFINITY;
  const to = query.to ? Date.parse(query.to) : Number.POSITIVE_INFINITY;
  const kept = runs.filter((run) => {
    const created = Date.parse(run.createdAt);
    if (created < from || created >= to) return false;
    if (query.version && run.version !== query.version) return false;
    if (!q) return true;
    return [run.id, run.workflow, run.idempotencyKey ?? ""].some((text) => text.toLowerCase().includes(q));
  });
  const field = query.sort === "updated" ? "updatedAt" : "createdAt";
  return kept.sort((a, b) => Date.parse(b[field]) - Date.parse(a[field]));
}
