// What a person can do to a run from its page, each shown only when the run is in a state it applies to and the
// key's role allows it: cancel, send an event a wait listens for. (Approvals and answers are on the wait cards;
// forking is on a step chosen on the timeline.)
import type { RunDetails } from "../index.js";
import { allows, api, type Me } from "./api.js";
import { h, showError } from "./dom.js";

const ENDED = new Set(["completed", "failed", "cancelled"]);

export function runActions(run: RunDetails, me: Me | undefined): HTMLElement | undefined {
  if (!me || !allows(me.role, "operator") || ENDED.has(run.status)) return undefined;
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
  const reason = h("input", { name: "reason", placeholder: "reason (optional)" });
  box.append(
    act("Cancel run", "cancel", () => api("POST", `/v1/runs/${run.id}/cancel`, reason.value ? { reason: reason.value } : {})),
    reason,
  );
  for (const wait of run.waits.filter((w) => w.kind === "event" && w.eventKey)) {
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
