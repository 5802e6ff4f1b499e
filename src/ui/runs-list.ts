// The runs list: search and filters held in the URL, sorted by created or updated, live over the runs stream.
import type { RunRecord } from "../index.js";
import { api, follow, me } from "./api.js";
import { badge, h, runLink, showError } from "./dom.js";
import { applySearch, parseQuery, queryHash, type RunQuery, SORTS, STATUSES, serverParams, WAITING_FOR } from "./query.js";

/** A page of GET /v1/runs: the runs index, with its times as ISO strings. */
export interface RunPage {
  runs: ListedRun[];
  nextCursor?: string;
}
export type ListedRun = Omit<RunRecord, "createdAt" | "updatedAt"> & { createdAt: string; updatedAt: string };

export function runsView(app: HTMLElement, params: URLSearchParams, leave: Array<() => void>): void {
  const query = parseQuery(params);
  const table = h("table", { id: "runs" });
  const status = h("p", { class: "list-status" });
  const form = filterForm(query);
  app.replaceChildren(h("h1", {}, "Runs"), form, status, table);
  let allTenants = false;
  let last: RunPage | undefined;
  // Only a key that sees every tenant gets the tenant filter and column; any other key sees its own tenant alone.
  void me()
    .then((caller) => {
      allTenants = caller.allTenants === true;
      if (allTenants) form.querySelector('[name="version"]')?.parentElement?.before(tenantFilter(query));
      if (last) render(last);
    })
    .catch(() => undefined);
  const render = (page: RunPage) => {
    last = page;
    const runs = applySearch(page.runs, query);
    status.textContent = `${runs.length} run${runs.length === 1 ? "" : "s"}${page.nextCursor ? " (the first 200 the server's filters match)" : ""}`;
    const columns = ["run", "workflow", ...(allTenants ? ["tenant"] : []), "version", "status", "created", "updated"];
    table.replaceChildren(
      h("tr", {}, ...columns.map((t) => h("th", {}, t))),
      ...runs.map((run) =>
        h(
          "tr",
          { "data-run": run.id },
          h("td", {}, runLink(run.id), run.parentRunId ? h("span", { class: "muted" }, " child") : undefined),
          h("td", {}, run.workflow),
          allTenants && h("td", { class: "tenant" }, run.tenant),
          h("td", {}, run.version),
          h("td", {}, badge(run.status)),
          h("td", {}, new Date(run.createdAt).toLocaleString()),
          h("td", {}, new Date(run.updatedAt).toLocaleString()),
        ),
      ),
    );
    if (runs.length === 0) table.append(h("tr", {}, h("td", { colspan: String(columns.length) }, "no runs")));
  };
  leave.push(
    follow(`/v1/live/runs?${serverParams(query)}`, (message) => {
      if (message.event === "runs") render(JSON.parse(message.data) as RunPage);
    }),
  );
  // The stream cannot carry an error body; a plain request tells why a query was refused (a filter this server lacks).
  api<RunPage>("GET", `/v1/runs?${serverParams(query)}`).catch((error: unknown) => status.replaceChildren(showError(error)));
}

function tenantFilter(query: RunQuery): HTMLElement {
  return h("label", {}, "tenant ", h("input", { name: "tenant", value: query.tenant ?? "", placeholder: "every tenant" }));
}

function filterForm(query: RunQuery): HTMLElement {
  const select = (name: keyof RunQuery, label: string, options: readonly string[]) =>
    h(
      "label",
      {},
      `${label} `,
      h(
        "select",
        { name },
        h("option", { value: "" }, "any"),
        ...options.map((o) => h("option", o === query[name] ? { value: o, selected: "" } : { value: o }, o)),
      ),
    );
  const input = (name: keyof RunQuery, label: string, type = "text", placeholder = "") =>
    h("label", {}, `${label} `, h("input", { name, type, value: query[name] ?? "", placeholder }));
  const workflows = h("datalist", { id: "workflow-names" });
  void api<{ workflows: Array<{ name: string }> }>("GET", "/v1/workflows")
    .then(({ workflows: list }) => workflows.replaceChildren(...list.map((w) => h("option", { value: w.name }))))
    .catch(() => undefined);
  const form = h(
    "form",
    { class: "filters", id: "run-filters" },
    input("q", "search", "search", "id, workflow, idempotency key"),
    select("status", "status", STATUSES),
    h("label", {}, "workflow ", h("input", { name: "workflow", list: "workflow-names", value: query.workflow ?? "" })),
    workflows,
    input("version", "version"),
    select("waitingFor", "waiting for", WAITING_FOR),
    input("parent", "parent run"),
    input("from", "created from", "datetime-local"),
    input("to", "to", "datetime-local"),
    select("sort", "sort by", SORTS),
    h("button", { type: "submit" }, "Apply"),
    h("a", { href: "#/runs", class: "clear" }, "clear"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const next: Record<string, string> = {};
    for (const [name, value] of data.entries()) if (typeof value === "string" && value) next[name] = value;
    location.hash = queryHash(next as RunQuery);
  });
  return form;
}
