// What a person can do to a run from its page, each shown only when the run is in a state it applies to and the
// key's role allows it: cancel, send an event a wait listens for, and resume. Resume is what the engine supports:
// a run its budget suspended continues once its limits are raised (in place, the same run); a failed run is retried
// from its failed step as a new run (a fork: the journal before the step is replayed, the step runs again), since an
// ended run's journal is final. (Approvals and answers are on the wait cards; forking from any step is on the
// timeline.)
import type { RunDetails } from "../index.js";
import { allows, api, type Me } from "./api.js";
import { h, showError } from "./dom.js";

const ENDED = new Set(["completed", "failed", "cancelled"]);

export function runActions(run: RunDetails, me: Me | undefined): HTMLElement | undefined {
  if (!me || !allows(me.role, "operator")) return undefined;
  const status = h("span", { class: "form-status" });
  const box = h("div", { class: "actions", id: "run-actions" });
  const act = (label: string, className: string, send: () => Promise<unknown>) => {
    const button = h("button", { type: "button", class: className }, label);
    button.addEventListener("click", async () => {
      try {
        await send();
        status.textContent = `${label}: sent`;
      } catch (error) {
        status.replaceChildren(showError(error));
      }
    });
    return button;
  };
  if (ENDED.has(run.status)) {
    const retry = retryAction(run, me, act);
    if (!retry) return undefined;
    box.append(...retry, status);
    return box;
  }
  const reason = h("input", { name: "reason", placeholder: "reason (optional)" });
  box.append(
    act("Cancel run", "cancel", () => api("POST", `/v1/runs/${run.id}/cancel`, reason.value ? { reason: reason.value } : {})),
    reason,
  );
  if (run.waitingFor === "limit") box.append(...raiseLimitsAction(run, act));
  // The budget's own wait gets the limits form above, not a raw event.
  const events = run.waits.filter((w) => w.kind === "event" && w.eventKey && w.eventKey !== `limits:${run.id}`);
  for (const wait of events) {
    const payload = h("input", { name: "payload", placeholder: "payload JSON (optional)" });
    box.append(
      act(`Send event ${wait.eventKey}`, "signal", () =>
        api("POST", "/v1/events", { key: wait.eventKey, ...(payload.value ? { payload: JSON.parse(payload.value) as unknown } : {}) }),
      ),
      payload,
    );
  }
  box.append(status);
  return box;
}

type Act = (label: string, className: string, send: () => Promise<unknown>) => HTMLButtonElement;

/** New limits for a run its budget suspended; the run continues as soon as they arrive. */
function raiseLimitsAction(run: RunDetails, act: Act): HTMLElement[] {
  const cost = h("input", { name: "maxCostUsd", type: "number", step: "any", min: "0", placeholder: "max cost USD" });
  const tokens = h("input", { name: "maxTokens", type: "number", min: "1", placeholder: "max tokens" });
  const raise = () => {
    const body: Record<string, number> = {};
    if (cost.value) body.maxCostUsd = Number(cost.value);
    if (tokens.value) body.maxTokens = Number(tokens.value);
    return api("POST", `/v1/runs/${run.id}/limits`, body);
  };
  return [h("span", { class: "muted" }, "suspended by its budget: "), cost, tokens, act("Raise limits and resume", "resume", raise)];
}

/** A failed run retried from its failed step, as a new run (admins: it is a fork). */
function retryAction(run: RunDetails, me: Me, act: Act): HTMLElement[] | undefined {
  const failed = run.steps.filter((step) => step.status === "failed" && step.kind === "step").at(-1);
  if (run.status !== "failed" || !failed || !allows(me.role, "admin")) return undefined;
  const retry = async () => {
    const fork = await api<{ id: string }>("POST", `/v1/runs/${run.id}/fork`, { fromStep: failed.key });
    location.hash = `#/runs/${fork.id}`;
  };
  return [
    act(`Retry from ${failed.key}`, "retry", retry),
    h("span", { class: "muted" }, " a new run: the results before this step are kept, the step and what follows run again"),
  ];
}
