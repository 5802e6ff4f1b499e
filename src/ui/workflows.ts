// The workflows page: the workflows this server runs, and a flow document's graph.
import { api } from "./api.js";
import { h, showError } from "./dom.js";
import { type FlowGraphDoc, flowGraphView } from "./flow-graph.js";

interface WorkflowInfo {
  name: string;
  versions: string[];
  flow?: boolean | FlowGraphDoc;
}

export function workflowsView(app: HTMLElement, name: string | undefined): void {
  const body = h("div", { id: "workflows" });
  app.replaceChildren(h("h1", {}, name ? `Workflow ${name}` : "Workflows"), body);
  const load = async () => {
    if (name) {
      const info = await api<WorkflowInfo & { flow?: FlowGraphDoc }>("GET", `/v1/workflows/${encodeURIComponent(name)}`);
      body.replaceChildren(
        h("p", {}, `versions: ${info.versions.join(", ")} · `, h("a", { href: `#/runs?workflow=${encodeURIComponent(name)}` }, "its runs")),
        info.flow ? flowGraphView(info.flow) : h("p", {}, "a code workflow: no graph to draw"),
      );
      return;
    }
    const { workflows } = await api<{ workflows: WorkflowInfo[] }>("GET", "/v1/workflows");
    body.replaceChildren(
      h(
        "table",
        {},
        h("tr", {}, h("th", {}, "workflow"), h("th", {}, "kind"), h("th", {}, "versions")),
        ...workflows.map((w) =>
          h(
            "tr",
            { "data-workflow": w.name },
            h("td", {}, h("a", { href: `#/workflows/${encodeURIComponent(w.name)}` }, w.name)),
            h("td", {}, w.flow ? "flow" : "code"),
            h("td", {}, w.versions.join(", ")),
          ),
        ),
      ),
    );
  };
  load().catch((error: unknown) => body.replaceChildren(showError(error)));
}
