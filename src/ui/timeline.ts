// The run page's Gantt chart: a lane per step key on one time axis, a bar per attempt, backoff, wait, child run or
// model call, coloured by outcome; bookmarks and domain events as markers. Only the lanes in view are in the DOM,
// so a run of 10,000 steps draws as fast as one of ten.
import { duration, h } from "./dom.js";
import type { Bar, Lane, Timeline } from "./timeline-model.js";

const ROW = 22;
const MAX_HEIGHT = 480;
/** Lanes drawn above and below the visible ones, so a scroll does not show empty rows before the next frame. */
const OVERSCAN = 10;

export interface TimelineView {
  element: HTMLElement;
  update(timeline: Timeline, now: number): void;
}

export function timelineView(runId: string, onSelect: (lane: Lane) => void): TimelineView {
  const axis = h("div", { class: "tl-axis" });
  const spacer = h("div", { class: "tl-spacer" });
  const scroller = h("div", { class: "tl-scroller", tabindex: "0" }, spacer);
  const tooltip = h("div", { class: "tl-tooltip", id: "tl-tooltip", role: "tooltip", hidden: "" });
  const legend = h(
    "p",
    { class: "tl-legend" },
    ...["completed", "failed", "running", "backoff", "waiting", "resolved", "orphaned"].map((o) => h("span", { class: `tl-key ${o}` }, o)),
  );
  const element = h("section", { id: "timeline" }, h("h2", {}, "Timeline"), legend, axis, scroller, tooltip);
  let current: Timeline | undefined;
  let range = { t0: 0, t1: 1 };
  let frame = 0;

  const x = (t: number) => `${(((t - range.t0) / (range.t1 - range.t0)) * 100).toFixed(3)}%`;
  const width = (bar: Bar) => `max(3px, ${((((bar.end ?? range.t1) - bar.start) / (range.t1 - range.t0)) * 100).toFixed(3)}%)`;

  const draw = () => {
    frame = 0;
    if (!current) return;
    const lanes = current.lanes;
    spacer.style.height = `${lanes.length * ROW}px`;
    scroller.style.height = `${Math.min(MAX_HEIGHT, Math.max(ROW, lanes.length * ROW))}px`;
    const first = Math.max(0, Math.floor(scroller.scrollTop / ROW) - OVERSCAN);
    const last = Math.min(lanes.length, Math.ceil((scroller.scrollTop + scroller.clientHeight) / ROW) + OVERSCAN);
    const rows: HTMLElement[] = [];
    for (let i = first; i < last; i++) rows.push(laneRow(lanes[i] as Lane, i));
    spacer.replaceChildren(
      ...rows,
      ...current.markers.map((m) =>
        h("div", {
          class: `tl-line ${m.kind}`,
          style: `left: calc(var(--label) + (100% - var(--label)) * ${x(m.at).replace("%", "")} / 100)`,
        }),
      ),
    );
    axis.replaceChildren(
      h("span", { class: "tl-time start" }, new Date(range.t0).toLocaleTimeString()),
      h("span", { class: "tl-time end" }, `${new Date(range.t1).toLocaleTimeString()} (${duration(range.t1 - range.t0)})`),
      h(
        "div",
        { class: "tl-markers" },
        ...current.markers.map((m) =>
          h(
            "span",
            { class: `tl-marker ${m.kind}`, "data-marker": m.kind, "data-name": m.name, style: `left: ${x(m.at)}`, title: markerTitle(m) },
            m.kind === "bookmark" ? "⚑" : "◆",
            h("span", { class: "tl-marker-name" }, m.name),
          ),
        ),
      ),
    );
  };

  const laneRow = (lane: Lane, i: number) =>
    h(
      "div",
      { class: "tl-lane", "data-key": lane.key, "data-index": String(i), style: `top: ${i * ROW}px` },
      h("span", { class: "tl-label", title: lane.key }, lane.key),
      h(
        "div",
        { class: "tl-track" },
        ...lane.bars.map((bar, b) =>
          h(
            "div",
            {
              class: `tl-bar ${bar.kind} ${bar.outcome}`,
              "data-kind": bar.kind,
              "data-outcome": bar.outcome,
              "data-bar": String(b),
              ...(bar.attempt === undefined ? {} : { "data-attempt": String(bar.attempt) }),
              style: `left: ${x(bar.start)}; width: ${width(bar)}`,
            },
            bar.kind === "llm" && bar.usage ? `${bar.usage.inputTokens + bar.usage.outputTokens} tok` : "",
          ),
        ),
      ),
    );

  const barAt = (target: EventTarget | null): { lane: Lane; bar: Bar; el: HTMLElement } | undefined => {
    const el = (target as HTMLElement | null)?.closest<HTMLElement>(".tl-bar");
    const row = el?.closest<HTMLElement>(".tl-lane");
    const lane = current?.lanes[Number(row?.dataset.index)];
    const bar = lane?.bars[Number(el?.dataset.bar)];
    return el && lane && bar ? { lane, bar, el } : undefined;
  };

  scroller.addEventListener("scroll", () => {
    if (!frame) frame = requestAnimationFrame(draw);
  });
  scroller.addEventListener("mouseover", (event) => {
    const hit = barAt(event.target);
    if (!hit) return;
    tooltip.replaceChildren(...describeBar(runId, hit.lane, hit.bar).map((line) => h("div", {}, line)));
    const box = hit.el.getBoundingClientRect();
    const host = element.getBoundingClientRect();
    tooltip.style.left = `${Math.max(0, box.left - host.left)}px`;
    tooltip.style.top = `${box.bottom - host.top + 4}px`;
    tooltip.hidden = false;
  });
  scroller.addEventListener("mouseleave", () => {
    tooltip.hidden = true;
  });
  scroller.addEventListener("click", (event) => {
    const row = (event.target as HTMLElement).closest<HTMLElement>(".tl-lane");
    const lane = current?.lanes[Number(row?.dataset.index)];
    if (!lane) return;
    for (const selected of spacer.querySelectorAll(".tl-lane.selected")) selected.classList.remove("selected");
    row?.classList.add("selected");
    onSelect(lane);
  });

  return {
    element,
    update(timeline, now) {
      current = timeline;
      const ends = timeline.lanes.flatMap((lane) => lane.bars.map((bar) => bar.end ?? 0));
      const t0 = Number.isNaN(timeline.start) ? now : timeline.start;
      const t1 = Math.max(timeline.end ?? now, timeline.last || t0, ...ends.slice(0, 50_000));
      range = { t0, t1: t1 > t0 ? t1 : t0 + 1 };
      if (!frame) frame = requestAnimationFrame(draw);
    },
  };
}

/** The hover text of a bar: what it was, its attempt, idempotency key, duration and error. */
export function describeBar(runId: string, lane: Lane, bar: Bar): string[] {
  const lines = [`${lane.key} · ${bar.kind} · ${bar.outcome}`];
  if (bar.attempt !== undefined) lines.push(`attempt ${bar.attempt}`);
  if (bar.kind === "step" || bar.kind === "llm") lines.push(`idempotency key ${runId}:${lane.key}`);
  lines.push(bar.end === undefined ? `since ${new Date(bar.start).toLocaleTimeString()}` : `duration ${duration(bar.end - bar.start)}`);
  if (bar.kind === "backoff" && bar.end !== undefined) lines.push(`retry at ${new Date(bar.end).toLocaleTimeString()}`);
  if (bar.error) lines.push(`error ${bar.error.code}: ${bar.error.message}`);
  if (bar.by) lines.push(`resolved by ${bar.by}`);
  if (bar.childRunId) lines.push(`child run ${bar.childRunId}`);
  if (bar.usage)
    lines.push(`${bar.usage.model}: ${bar.usage.inputTokens} in, ${bar.usage.outputTokens} out, $${bar.usage.costUsd.toFixed(4)}`);
  return lines;
}

function markerTitle(marker: Timeline["markers"][number]): string {
  const what = marker.kind === "bookmark" ? "bookmark" : "event";
  return `${what} ${marker.name} (seq ${marker.seq})${marker.data === undefined ? "" : `: ${JSON.stringify(marker.data).slice(0, 200)}`}`;
}
