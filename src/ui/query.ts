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
  /** Only this tenant's runs (an all-tenants key; other keys see only their own). */
  tenant?: string;
}

const FIELDS = ["q", "status", "workflow", "version", "parent", "waitingFor", "from", "to", "sort", "tenant"] as const;

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

/** The query as GET /v1/runs filters on it: everything but the search, which looks through the page it returns. */
export function serverParams(query: RunQuery): string {
  const params = new URLSearchParams({ limit: "200" });
  if (query.status) params.set("status", query.status);
  if (query.workflow) params.set("workflow", query.workflow);
  if (query.version) params.set("version", query.version);
  if (query.parent) params.set("parentRunId", query.parent);
  if (query.waitingFor) params.set("waitingFor", query.waitingFor);
  // A datetime-local value is the browser's local time; the server reads a time without a zone as UTC.
  if (query.from) params.set("since", localToIso(query.from));
  if (query.to) params.set("until", localToIso(query.to));
  if (query.sort) params.set("sort", query.sort);
  if (query.tenant) params.set("tenant", query.tenant);
  return params.toString();
}

function localToIso(value: string): string {
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? value : new Date(ms).toISOString();
}

interface Listed {
  id: string;
  workflow: string;
  idempotencyKey?: string;
}

/** The search over the page the server returned (id, workflow or idempotency key), in the server's order. */
export function applySearch<R extends Listed>(runs: R[], query: RunQuery): R[] {
  const q = query.q?.toLowerCase();
  if (!q) return runs;
  return runs.filter((run) => [run.id, run.workflow, run.idempotencyKey ?? ""].some((text) => text.toLowerCase().includes(q)));
}
