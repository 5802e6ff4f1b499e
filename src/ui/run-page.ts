// The run page: summary, actions, open waits, the timeline with a step's detail, child runs, the flow graph and model
// calls; live over the run's journal stream (events folded in as they come, the view redrawn at most every 250 ms).
import type { RunDetails } from "../index.js";
import { runActions } from "./actions.js";
import { agentsPanel } from "./agents.js";
import { api, follow, type Me, me } from "./api.js";
import { childTree } from "./child-tree.js";
import { badge, h, pretty, runLink, showError, time } from "./dom.js";
import type { ViewEvent } from "./events.js";
import { type FlowGraphDoc, flowGraphView, nodeOfKey } from "./flow-graph.js";
import { waitCard } from "./inbox.js";
import { stepDetail } from "./step-detail.js";
import { timelineView } from "./timeline.js";
import { emptyTimeline, foldTimeline, type Timeline } from "./timeline-model.js";

const REDRAW_MS = 250;

export function runView(app: HTMLElement, id: string, leave: Array<() => void>): void {
  const summary = h("section", { id: "summary" });
  const actions = h("div", {});
  const waits = h("section", { id: "waits" });
  const detail = h("div", { id: "detail-slot" });
  const children = h("section", { id: "children" });
  const flow = h("section", { id: "flow" });
  const agents = h("div", {});
  const journal = h("pre", { id: "journal" });
  const journalBox = h("details", {}, h("summary", {}, "Raw journal"), journal);
  let caller: Me | undefined;
  const timeline: Timeline = emptyTimeline();
  const events: ViewEvent[] = [];
  const chart = timelineView(id, (lane) => detail.replaceChildren(stepDetail(id, lane, caller)));
  app.replaceChildren(
    h("h1", {}, "Run ", h("code", {}, id)),
    summary,
    actions,
    waits,
    chart.element,
    detail,
    children,
    flow,
    agents,
    journalBox,
  );
  journalBox.addEventListener("toggle", () => {
    if (journalBox.open) journal.textContent = events.map((e) => JSON.stringify(e)).join("\n");
  });

  let flowGraph: FlowGraphDoc | undefined | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let busy = false;
  let shownFormState = "";
  const redraw = async () => {
    timer = undefined;
    if (busy) return schedule();
    busy = true;
    try {
      // The timeline is the journal's alone: it draws even when the run's details cannot be had.
      chart.update(timeline, timeline.end ?? Date.now());
      agents.replaceChildren(agentsPanel(timeline) ?? "");
      caller = await me().catch(() => undefined);
      const run = await api<RunDetails>("GET", `/v1/runs/${id}`);
      renderSummary(run, summary);
      // Forms are redrawn only when what they act on changed: a redraw for a journal event would wipe what the
      // person is typing into them.
      const formState = JSON.stringify([
        run.status,
        run.waitingFor,
        run.waits,
        run.steps.filter((s) => s.status === "failed").length,
        caller,
      ]);
      if (formState !== shownFormState) {
        shownFormState = formState;
        actions.replaceChildren(runActions(run, caller) ?? "");
        waits.replaceChildren(
          ...(run.waits.length ? [h("h2", {}, "Waiting for")] : []),
          ...run.waits.map((wait) => waitCard({ ...wait, runId: run.id, workflow: run.workflow, decided: false }, caller)),
        );
      }
      if (journalBox.open) journal.textContent = events.map((e) => JSON.stringify(e)).join("\n");
      const tree = await childTree(id);
      children.replaceChildren(...(tree ? [h("h2", {}, "Child runs"), tree] : []));
      if (flowGraph === null) flowGraph = await flowOf(run.workflow);
      if (flowGraph) flow.replaceChildren(h("h2", {}, "Flow"), flowGraphView(flowGraph, pathOf(timeline, flowGraph)));
    } catch (error) {
      summary.replaceChildren(showError(error));
    } finally {
      busy = false;
    }
  };
  const schedule = () => {
    if (timer === undefined) timer = setTimeout(redraw, REDRAW_MS);
  };
  void redraw();
  leave.push(() => clearTimeout(timer));
  const take = (event: ViewEvent) => {
    events.push(event);
    foldTimeline(timeline, [event]);
  };
  // The journal so far in one request (a long run's history as thousands of stream messages is slow), then live.
  let stopped = false;
  let stop = () => {
    stopped = true;
  };
  leave.push(() => stop());
  api<{ events: ViewEvent[] }>("GET", `/v1/runs/${id}/events`)
    .then(({ events: known }) => {
      for (const event of known) take(event);
      schedule();
      if (stopped) return;
      stop = follow(
        `/v1/runs/${id}/stream`,
        (message) => {
          if (message.event !== "journal") return;
          take(JSON.parse(message.data) as ViewEvent);
          schedule();
        },
        1_000,
        known.length ? String(known.at(-1)?.seq) : undefined,
      );
    })
    .catch((error: unknown) => summary.replaceChildren(showError(error)));
}

async function flowOf(workflow: string): Promise<FlowGraphDoc | undefined> {
  const info = await api<{ flow?: FlowGraphDoc }>("GET", `/v1/workflows/${encodeURIComponent(workflow)}`).catch(() => undefined);
  return info?.flow;
}

/** The flow nodes the run went through, in the order it first reached them, and the one it waits on. */
function pathOf(timeline: Timeline, graph: FlowGraphDoc) {
  const visited: string[] = [];
  let waiting: string | undefined;
  for (const lane of timeline.lanes) {
    const node = nodeOfKey(lane.key);
    if (!(node in graph.nodes)) continue;
    if (visited.at(-1) !== node) visited.push(node);
    if (lane.bars.some((b) => b.end === undefined && b.outcome === "waiting")) waiting = node;
  }
  return waiting === undefined ? { visited } : { visited, waiting };
}

function renderSummary(run: RunDetails, summary: HTMLElement): void {
  summary.replaceChildren(
    h(
      "dl",
      {},
      h("dt", {}, "status"),
      h("dd", { id: "run-status" }, badge(run.status)),
      h("dt", {}, "workflow"),
      h("dd", {}, h("a", { href: `#/workflows/${encodeURIComponent(run.workflow)}` }, run.workflow), ` (${run.version})`),
      h("dt", {}, "created"),
      h("dd", {}, time(run.createdAt)),
      ...(run.endedAt ? [h("dt", {}, "ended"), h("dd", {}, time(run.endedAt))] : []),
      ...(run.wakeAt ? [h("dt", {}, "wakes"), h("dd", {}, time(run.wakeAt))] : []),
      ...(run.parentRunId ? [h("dt", {}, "parent"), h("dd", {}, runLink(run.parentRunId))] : []),
      ...(run.idempotencyKey ? [h("dt", {}, "idempotency key"), h("dd", {}, run.idempotencyKey)] : []),
    ),
    h("h2", {}, "Input"),
    pretty(run.input),
    ...(run.output !== undefined ? [h("h2", {}, "Output"), pretty(run.output)] : []),
    ...(run.error ? [h("h2", {}, "Error"), h("p", { class: "error" }, `${run.error.code}: ${run.error.message}`)] : []),
    ...(run.cancelReason ? [h("p", {}, `cancelled: ${run.cancelReason}`)] : []),
  );
}
