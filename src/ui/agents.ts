// What a run's model calls cost: each call's tokens and cost, budget bars from the journal's limit warnings (used /
// limit, warned at 80 %), and the phases of a phase template (keys `<phase>/…`) with their gates.
import { h } from "./dom.js";
import type { Timeline } from "./timeline-model.js";

export function agentsPanel(timeline: Timeline): HTMLElement | undefined {
  const phases = phasesOf(timeline);
  if (timeline.calls.length === 0 && timeline.limits.size === 0 && phases.length === 0) return undefined;
  const total = timeline.calls.reduce((sum, c) => sum + c.costUsd, 0);
  const tokens = timeline.calls.reduce((sum, c) => sum + c.inputTokens + c.outputTokens, 0);
  return h(
    "section",
    { id: "agents" },
    h("h2", {}, "Model calls"),
    h("p", {}, `${timeline.calls.length} calls, ${tokens} tokens, $${total.toFixed(4)}`),
    ...[...timeline.limits.values()].map((use) => {
      const share = use.max > 0 ? use.current / use.max : 0;
      const level = share >= 1 ? "over" : share >= 0.8 ? "warning" : "ok";
      return h(
        "div",
        { class: `budget ${level}`, "data-limit": use.limit },
        h("span", { class: "budget-name" }, use.limit),
        h("span", { class: "budget-bar" }, h("span", { class: "budget-fill", style: `width: ${Math.min(100, share * 100).toFixed(1)}%` })),
        h("span", {}, `${use.current} / ${use.max}${level === "ok" ? "" : ` (${Math.round(share * 100)} %)`}`),
      );
    }),
    timeline.calls.length
      ? h(
          "table",
          { class: "calls" },
          h("tr", {}, ...["step", "model", "in", "out", "cost"].map((t) => h("th", {}, t))),
          ...timeline.calls.map((c) =>
            h(
              "tr",
              {},
              h("td", {}, c.key),
              h("td", {}, c.model),
              h("td", {}, String(c.inputTokens)),
              h("td", {}, String(c.outputTokens)),
              h("td", {}, `$${c.costUsd.toFixed(4)}`),
            ),
          ),
        )
      : undefined,
    ...(phases.length ? [h("h3", {}, "Phases"), h("ol", { class: "phases" }, ...phases)] : []),
  );
}

/** Lanes named `<phase>/<part>` grouped by phase, approvals among them shown as the phase's gates. */
function phasesOf(timeline: Timeline): HTMLElement[] {
  const phases = new Map<string, string[]>();
  for (const lane of timeline.lanes) {
    const slash = lane.key.indexOf("/");
    if (slash <= 0) continue;
    const phase = lane.key.slice(0, slash).replace(/^[a-z]+:/, "");
    const last = lane.bars.at(-1);
    const gate = lane.bars.some((b) => b.kind === "approval") ? " (gate)" : "";
    phases.set(phase, [...(phases.get(phase) ?? []), `${lane.key.slice(slash + 1)}${gate}: ${last?.outcome ?? "?"}`]);
  }
  return [...phases].map(([phase, parts]) => h("li", { "data-phase": phase }, h("b", {}, phase), ` ${parts.join(", ")}`));
}
