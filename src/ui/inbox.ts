// The inbox: what runs wait on a person (or an outside system) for, as cards saying what is asked, since when, until
// when, and who decided; approvals and questions carry their forms when the key's role may decide.
import type { WaitView } from "../index.js";
import { allows, api, follow, type Me, me } from "./api.js";
import { h, pretty, runLink, showError, time } from "./dom.js";

export interface PendingWait extends WaitView {
  runId: string;
  workflow: string;
  decided: boolean;
  /** Who decided, once someone has (the attribution work records it). */
  decidedBy?: string;
  /** External tool calls (kind "tool"). */
  tool?: string;
  callId?: string;
  args?: unknown;
}

export function inboxView(app: HTMLElement, leave: Array<() => void>): void {
  const list = h("div", { id: "inbox" });
  app.replaceChildren(h("h1", {}, "Inbox"), list);
  const load = async () => {
    try {
      const [{ pending }, caller] = await Promise.all([
        api<{ pending: PendingWait[] }>("GET", "/v1/approvals?state=pending"),
        me().catch(() => undefined),
      ]);
      // Live updates reload the list often; a card still pending keeps its element, so a comment or an answer being
      // typed into it survives the reload.
      const shown = new Map([...list.querySelectorAll<HTMLElement>("article.wait")].map((card) => [card.dataset.key, card]));
      list.replaceChildren(
        ...pending.map((wait) => {
          const card = waitCard(wait, caller);
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

function title(wait: PendingWait): string {
  switch (wait.kind as string) {
    case "approval":
      return `Approval: ${wait.gate}`;
    case "ask":
      return `Question: ${wait.gate}`;
    case "tool":
      return `Tool call: ${wait.tool ?? wait.key}`;
    default:
      return `${wait.kind}: ${wait.key}`;
  }
}

/** One wait of one run: what it asks, since when, until when, and the form to decide it. */
export function waitCard(wait: PendingWait, caller: Me | undefined): HTMLElement {
  const card = h(
    "article",
    {
      class: `wait ${wait.kind}`,
      "data-run": wait.runId,
      "data-kind": wait.kind,
      "data-gate": wait.gate ?? wait.key,
      // What the card shows: a card is reused across reloads only while this stays the same.
      "data-key": JSON.stringify([wait.runId, wait.key, wait.gate, wait.decided === true, caller?.role]),
    },
    h("h3", {}, title(wait)),
    h("p", {}, runLink(wait.runId), ` (${wait.workflow})`),
    h(
      "p",
      { class: "when" },
      wait.since ? `waiting since ${time(wait.since)}` : "",
      wait.timeoutAt ? h("span", { class: "expires" }, ` · expires ${time(wait.timeoutAt)}`) : undefined,
      wait.until ? ` · until ${time(wait.until)}` : "",
    ),
  );
  if (wait.summary) card.append(h("p", { class: "summary" }, wait.summary));
  if (wait.prompt) card.append(h("p", { class: "summary" }, wait.prompt));
  if ((wait.kind as string) === "tool") card.append(h("p", {}, `call id ${wait.callId ?? "?"}`), pretty(wait.args ?? null));
  if (wait.kind === "event") card.append(h("p", {}, `event key: ${wait.eventKey}`));
  if (wait.decided)
    card.append(h("p", { class: "decided" }, `decided${wait.decidedBy ? ` by ${wait.decidedBy}` : ""}; the run takes it up shortly`));
  const mayDecide = caller !== undefined && allows(caller.role, "operator");
  if (wait.kind === "approval" && !wait.decided && mayDecide) card.append(approvalForm(wait));
  if (wait.kind === "ask" && !wait.decided && mayDecide) card.append(answerForm(wait));
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
