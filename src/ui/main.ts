// The web UI: runs list (status filters, live), run page (timeline, waits, input/output, journal, live), and the
// approvals inbox. Plain DOM; routes live in the URL hash (#/runs, #/runs/<id>, #/inbox).
import type { JournalEvent, RunDetails, RunRecord, WaitView } from "../index.js";
import { ApiError, api, apiKey, follow, setApiKey } from "./api.js";
import "./style.css";

/** A page of GET /v1/runs: the runs index, with its times as ISO strings. */
interface RunPage {
  runs: Array<Omit<RunRecord, "createdAt" | "updatedAt"> & { createdAt: string; updatedAt: string }>;
  nextCursor?: string;
}

interface PendingWait extends WaitView {
  runId: string;
  workflow: string;
  decided: boolean;
}

const STATUSES = ["all", "queued", "running", "waiting", "completed", "failed", "cancelled"];
const app = document.getElementById("app") as HTMLElement;
/** Stops the live streams of the view being left. */
const leave: Array<() => void> = [];

function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Record<string, string> = {},
  ...children: Array<Node | string | undefined>
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) el.setAttribute(name, value);
  for (const child of children) if (child !== undefined) el.append(child);
  return el;
}

const pretty = (value: unknown) => h("pre", {}, JSON.stringify(value, null, 2));
const badge = (status: string) => h("span", { class: `badge ${status}`, "data-status": status }, status);
const time = (iso: string | undefined) => (iso ? new Date(iso).toLocaleString() : "");
const runLink = (id: string) => h("a", { href: `#/runs/${id}` }, id);

function showError(error: unknown): HTMLElement {
  const message = error instanceof ApiError ? `${error.code}: ${error.message}` : String(error);
  return h("p", { class: "error", role: "alert" }, message);
}

// ---------- runs list ----------

function runsView(params: URLSearchParams): void {
  const status = params.get("status") ?? "all";
  const filters = h(
    "div",
    { class: "filters" },
    ...STATUSES.map((s) => h("a", { href: s === "all" ? "#/runs" : `#/runs?status=${s}`, class: s === status ? "active" : "" }, s)),
  );
  const table = h("table", { id: "runs" });
  app.replaceChildren(h("h1", {}, "Runs"), filters, table);
  const render = (page: RunPage) => {
    table.replaceChildren(
      h("tr", {}, h("th", {}, "run"), h("th", {}, "workflow"), h("th", {}, "status"), h("th", {}, "created"), h("th", {}, "updated")),
      ...page.runs.map((run) =>
        h(
          "tr",
          { "data-run": run.id },
          h("td", {}, runLink(run.id)),
          h("td", {}, run.workflow),
          h("td", {}, badge(run.status)),
          h("td", {}, new Date(run.createdAt).toLocaleString()),
          h("td", {}, new Date(run.updatedAt).toLocaleString()),
        ),
      ),
    );
    if (page.runs.length === 0) table.append(h("tr", {}, h("td", { colspan: "5" }, "no runs")));
  };
  const query = status === "all" ? "" : `?status=${status}`;
  leave.push(
    follow(`/v1/live/runs${query}`, (message) => {
      if (message.event === "runs") render(JSON.parse(message.data) as RunPage);
    }),
  );
}

// ---------- run page ----------

function runView(id: string): void {
  const summary = h("section", { id: "summary" });
  const timeline = h("section", { id: "timeline" });
  const waits = h("section", { id: "waits" });
  const journal = h("pre", { id: "journal" });
  app.replaceChildren(
    h("h1", {}, "Run ", h("code", {}, id)),
    summary,
    waits,
    timeline,
    h("details", {}, h("summary", {}, "Raw journal"), journal),
  );
  const events: JournalEvent[] = [];
  let refreshing = false;
  let again = false;
  const refresh = async () => {
    if (refreshing) {
      again = true;
      return;
    }
    refreshing = true;
    try {
      const run = await api<RunDetails>("GET", `/v1/runs/${id}`);
      renderRun(run, events, summary, timeline, waits);
    } catch (error) {
      summary.replaceChildren(showError(error));
    } finally {
      refreshing = false;
      if (again) {
        again = false;
        void refresh();
      }
    }
  };
  void refresh();
  leave.push(
    follow(`/v1/runs/${id}/stream`, (message) => {
      if (message.event !== "journal") return;
      const event = JSON.parse(message.data) as JournalEvent;
      events.push(event);
      journal.textContent = events.map((e) => JSON.stringify(e)).join("\n");
      void refresh();
    }),
  );
}

function renderRun(run: RunDetails, events: JournalEvent[], summary: HTMLElement, timeline: HTMLElement, waits: HTMLElement): void {
  const usage = events.filter((e) => e.type === "usage_recorded");
  const cost = usage.reduce((sum, e) => sum + e.costUsd, 0);
  const tokens = usage.reduce((sum, e) => sum + e.inputTokens + e.outputTokens, 0);
  const children = run.steps.filter((s) => s.childRunId);
  summary.replaceChildren(
    h(
      "dl",
      {},
      h("dt", {}, "status"),
      h("dd", { id: "run-status" }, badge(run.status)),
      h("dt", {}, "workflow"),
      h("dd", {}, `${run.workflow} (${run.version})`),
      h("dt", {}, "created"),
      h("dd", {}, time(run.createdAt)),
      ...(run.endedAt ? [h("dt", {}, "ended"), h("dd", {}, time(run.endedAt))] : []),
      ...(run.parentRunId ? [h("dt", {}, "parent"), h("dd", {}, runLink(run.parentRunId))] : []),
      ...(children.length ? [h("dt", {}, "children"), h("dd", {}, ...children.map((s) => runLink(s.childRunId as string)))] : []),
      ...(usage.length ? [h("dt", {}, "usage"), h("dd", {}, `${tokens} tokens, $${cost.toFixed(4)}`)] : []),
    ),
    h("h2", {}, "Input"),
    pretty(run.input),
    ...(run.output !== undefined ? [h("h2", {}, "Output"), pretty(run.output)] : []),
    ...(run.error ? [h("h2", {}, "Error"), h("p", { class: "error" }, `${run.error.code}: ${run.error.message}`)] : []),
    ...(run.cancelReason ? [h("p", {}, `cancelled: ${run.cancelReason}`)] : []),
  );
  timeline.replaceChildren(
    h("h2", {}, "Timeline"),
    h(
      "table",
      {},
      h(
        "tr",
        {},
        h("th", {}, "step"),
        h("th", {}, "kind"),
        h("th", {}, "status"),
        h("th", {}, "attempts"),
        h("th", {}, "duration"),
        h("th", {}, ""),
      ),
      ...run.steps.map((step) =>
        h(
          "tr",
          { class: step.status === "failed" || step.error ? "failing" : "", "data-step": step.key },
          h("td", {}, step.key),
          h("td", {}, step.kind),
          h("td", {}, badge(step.status)),
          h("td", {}, String(step.attempts), step.attempts > 1 ? ` (${step.attempts - 1} retries)` : ""),
          h("td", {}, step.durationMs === undefined ? "" : `${step.durationMs} ms`),
          h(
            "td",
            {},
            step.error ? h("span", { class: "error" }, `${step.error.code}: ${step.error.message}`) : undefined,
            step.retryAt ? ` retry at ${time(step.retryAt)}` : undefined,
            step.childRunId ? runLink(step.childRunId) : undefined,
          ),
        ),
      ),
    ),
  );
  waits.replaceChildren(
    ...(run.waits.length ? [h("h2", {}, "Waiting for")] : []),
    ...run.waits.map((wait) => waitCard({ ...wait, runId: run.id, workflow: run.workflow, decided: false })),
  );
}

// ---------- approvals inbox ----------

function inboxView(): void {
  const list = h("div", { id: "inbox" });
  app.replaceChildren(h("h1", {}, "Inbox"), list);
  const load = async () => {
    try {
      const { pending } = await api<{ pending: PendingWait[] }>("GET", "/v1/approvals?state=pending");
      // Live updates reload the list often; a card still pending keeps its element, so a comment or an answer being
      // typed into it survives the reload.
      const shown = new Map([...list.querySelectorAll<HTMLElement>("article.wait")].map((card) => [card.dataset.key, card]));
      list.replaceChildren(
        ...pending.map((wait) => {
          const card = waitCard(wait);
          return shown.get(card.dataset.key) ?? card;
        }),
      );
      if (pending.length === 0) list.append(h("p", {}, "Nothing waits for you."));
    } catch (error) {
      list.replaceChildren(showError(error));
    }
  };
  void load();
  leave.push(
    follow("/v1/live/runs?status=waiting", (message) => {
      if (message.event === "runs") void load();
    }),
  );
}

/** An approval (approve / reject with a comment) or a question (choices or free text) of one run. */
function waitCard(wait: PendingWait): HTMLElement {
  const card = h(
    "article",
    {
      class: "wait",
      "data-run": wait.runId,
      "data-gate": wait.gate ?? wait.key,
      // What the card shows: a card is reused across reloads only while this stays the same.
      "data-key": JSON.stringify([wait.runId, wait.key, wait.gate, wait.decided === true]),
    },
    h(
      "h3",
      {},
      wait.kind === "approval" ? `Approval: ${wait.gate}` : wait.kind === "ask" ? `Question: ${wait.gate}` : `${wait.kind}: ${wait.key}`,
    ),
    h("p", {}, runLink(wait.runId), ` (${wait.workflow})${wait.since ? ` since ${time(wait.since)}` : ""}`),
  );
  if (wait.summary) card.append(h("p", { class: "summary" }, wait.summary));
  if (wait.prompt) card.append(h("p", { class: "summary" }, wait.prompt));
  if (wait.decided) card.append(h("p", {}, "decided; the run takes it up shortly"));
  if (wait.kind === "approval" && !wait.decided) card.append(approvalForm(wait));
  if (wait.kind === "ask" && !wait.decided) card.append(answerForm(wait));
  if (wait.kind === "event") card.append(h("p", {}, `event key: ${wait.eventKey}`));
  if (wait.until) card.append(h("p", {}, `until ${time(wait.until)}`));
  return card;
}

function approvalForm(wait: PendingWait): HTMLElement {
  const comment = h("textarea", { name: "comment", placeholder: "comment (optional)" });
  const status = h("span", { class: "form-status" });
  const decide = (action: "approve" | "reject") => async () => {
    try {
      await api("POST", `/v1/runs/${wait.runId}/approvals/${encodeURIComponent(wait.gate as string)}`, {
        action,
        ...(comment.value ? { comment: comment.value } : {}),
      });
      location.hash = `#/runs/${wait.runId}`;
    } catch (error) {
      status.replaceChildren(showError(error));
    }
  };
  const approve = h("button", { type: "button", class: "approve" }, "Approve");
  const reject = h("button", { type: "button", class: "reject" }, "Reject");
  approve.addEventListener("click", decide("approve"));
  reject.addEventListener("click", decide("reject"));
  return h("div", { class: "decision" }, comment, approve, reject, status);
}

function answerForm(wait: PendingWait): HTMLElement {
  const free = !wait.choices || wait.allowFreeText;
  const input = free ? h("input", { name: "answer", placeholder: "answer" }) : h("select", { name: "answer" });
  if (!free) for (const choice of wait.choices ?? []) input.append(h("option", { value: choice }, choice));
  const status = h("span", { class: "form-status" });
  const send = h("button", { type: "button", class: "answer" }, "Answer");
  send.addEventListener("click", async () => {
    try {
      await api("POST", `/v1/runs/${wait.runId}/answers/${encodeURIComponent(wait.gate as string)}`, { value: input.value });
      location.hash = `#/runs/${wait.runId}`;
    } catch (error) {
      status.replaceChildren(showError(error));
    }
  });
  return h("div", { class: "decision" }, input, send, status);
}

// ---------- routing ----------

function route(): void {
  for (const stop of leave.splice(0)) stop();
  const [path = "", query = ""] = location.hash.replace(/^#/, "").split("?");
  const params = new URLSearchParams(query);
  const runMatch = /^\/runs\/([^/]+)$/.exec(path);
  for (const link of document.querySelectorAll("[data-nav]"))
    link.classList.toggle("active", path.startsWith(`/${link.getAttribute("data-nav")}`));
  if (runMatch) runView(decodeURIComponent(runMatch[1] as string));
  else if (path === "/inbox") inboxView();
  else runsView(params);
}

const keyForm = document.getElementById("key-form") as HTMLFormElement;
const keyInput = document.getElementById("key") as HTMLInputElement;
keyInput.value = apiKey();
keyForm.addEventListener("submit", (event) => {
  event.preventDefault();
  setApiKey(keyInput.value.trim());
  route();
});
window.addEventListener("hashchange", route);
route();
