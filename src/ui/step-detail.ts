// A step's detail, opened by clicking its lane on the timeline: attempts with errors, its input and output and its
// transcript lines as GET /v1/runs/{id}/transcript gives them (redacted, each redaction marked and its path listed),
// what the journal does not keep said as such, and forking the run from it.
import { allows, api, type Me } from "./api.js";
import { duration, h, marked, pretty, runLink, showError } from "./dom.js";
import type { Lane } from "./timeline-model.js";

/** One line of the run's transcript (see TranscriptLine in src/observe/transcript.ts). */
interface TranscriptLine {
  step: string | null;
  component: string;
  phase: string;
  status: string;
  attempt?: number;
  inputs?: unknown;
  outputs?: unknown;
  redactions: string[];
}

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
  const transcript = h("div", { class: "step-transcript" }, h("p", { class: "muted" }, "loading the transcript…"));
  panel.append(transcript);
  api<{ lines: TranscriptLine[] }>("GET", `/v1/runs/${runId}/transcript?step=${encodeURIComponent(lane.key)}`)
    .then(({ lines }) => transcript.replaceChildren(...transcriptParts(lines, isCodeStep(lane))))
    .catch((error: unknown) => transcript.replaceChildren(showError(error)));
  if (me && allows(me.role, "admin") && lane.bars.some((bar) => bar.kind === "step" || bar.kind === "llm"))
    panel.append(forkForm(runId, lane.key));
  return panel;
}

const isCodeStep = (lane: Lane) => lane.bars.some((bar) => bar.kind === "step");

/** Input, output, redactions, transcript lines and logs: what the journal has, and plainly what it does not. */
function transcriptParts(lines: TranscriptLine[], codeStep: boolean): HTMLElement[] {
  const inputs = lines.filter((line) => line.inputs !== undefined);
  const output = lines.findLast((line) => line.outputs !== undefined);
  const redactions = lines.flatMap((line) => line.redactions.map((path) => `${line.phase} ${line.status}: ${path}`));
  return [
    h("h3", {}, "Input"),
    inputs.length > 0
      ? pretty(inputs.length === 1 ? inputs[0]?.inputs : inputs.map((line) => line.inputs))
      : h(
          "p",
          { class: "not-kept", "data-missing": "input" },
          codeStep
            ? "not in the journal: a code step's input is what its function closes over (the run's input and earlier results); the journal keeps its result and each attempt's error"
            : "none journaled",
        ),
    h("h3", {}, "Output"),
    output ? pretty(output.outputs) : h("p", { class: "not-kept", "data-missing": "output" }, "none (yet)"),
    h(
      "p",
      { class: "redactions", "data-count": String(redactions.length) },
      redactions.length === 0 ? "nothing redacted in this step's lines" : `redacted: ${redactions.join(", ")}`,
    ),
    h(
      "details",
      { open: "" },
      h("summary", {}, `Transcript lines (${lines.length})`),
      marked(h("pre", { class: "transcript" }), lines.map((line) => JSON.stringify(line)).join("\n")),
    ),
    h("h3", {}, "Logs"),
    h(
      "p",
      { class: "not-kept", "data-missing": "logs" },
      "logs are not kept in the journal: what a step prints goes to the output of the worker that ran it",
    ),
  ];
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
