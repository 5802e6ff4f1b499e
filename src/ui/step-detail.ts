// A step's detail, opened by clicking its lane on the timeline: attempts with errors, its input and output (redacted
// values marked), its transcript lines (the journal events of its key), and forking the run from it.
import { allows, api, type Me } from "./api.js";
import { duration, h, pretty, runLink, showError } from "./dom.js";
import type { Lane } from "./timeline-model.js";

export function stepDetail(runId: string, lane: Lane, me: Me | undefined): HTMLElement {
  const panel = h("section", { id: "step-detail", "data-key": lane.key }, h("h2", {}, "Step ", h("code", {}, lane.key)));
  panel.append(
    h(
      "table",
      { class: "attempts" },
      h("tr", {}, ...["", "attempt", "outcome", "started", "duration", "error"].map((t) => h("th", {}, t))),
      ...lane.bars.map((bar) =>
        h(
          "tr",
          { "data-outcome": bar.outcome },
          h("td", {}, bar.kind),
          h("td", {}, bar.attempt === undefined ? "" : String(bar.attempt)),
          h("td", {}, bar.outcome),
          h("td", {}, new Date(bar.start).toLocaleTimeString()),
          h("td", {}, bar.end === undefined ? "" : duration(bar.end - bar.start)),
          h(
            "td",
            {},
            bar.error ? h("span", { class: "error" }, `${bar.error.code}: ${bar.error.message}`) : "",
            bar.childRunId ? runLink(bar.childRunId) : undefined,
          ),
        ),
      ),
    ),
    h("p", {}, "idempotency key ", h("code", {}, `${runId}:${lane.key}`)),
  );
  for (const event of lane.events) {
    if (event.type === "wait_started") panel.append(h("h3", {}, "Input (what it waited for)"), pretty(event));
    if (event.type === "step_completed") {
      panel.append(h("h3", {}, "Output"), event.resultRef ? h("p", {}, `stored as artifact ${event.resultRef}`) : pretty(event.result));
    }
    if (event.type === "wait_resolved") panel.append(h("h3", {}, `Resolved by ${event.by}`), pretty(event.payload));
  }
  panel.append(
    h(
      "details",
      { open: "" },
      h("summary", {}, "Transcript lines"),
      h("pre", { class: "transcript" }, lane.events.map((e) => JSON.stringify(e)).join("\n")),
    ),
  );
  if (me && allows(me.role, "admin") && lane.bars.some((bar) => bar.kind === "step" || bar.kind === "llm"))
    panel.append(forkForm(runId, lane.key));
  return panel;
}

function forkForm(runId: string, key: string): HTMLElement {
  const status = h("span", { class: "form-status" });
  const button = h("button", { type: "button", class: "fork" }, `Fork from ${key}`);
  button.addEventListener("click", async () => {
    try {
      const fork = await api<{ id: string }>("POST", `/v1/runs/${runId}/fork`, { fromStep: key });
      location.hash = `#/runs/${fork.id}`;
    } catch (error) {
      status.replaceChildren(showError(error));
    }
  });
  return h(
    "div",
    { class: "actions" },
    button,
    h("span", { class: "muted" }, " a new run: this run's results before the step, the step and after it run again "),
    status,
  );
}
