// A run's child runs as a tree: each child with its status and a link, expandable in place to show its own children.
import { api } from "./api.js";
import { badge, h, runLink, showError } from "./dom.js";
import type { RunPage } from "./runs-list.js";

/** The children of `runId`, as a list whose items expand to their own children (asked when expanded). */
export async function childTree(runId: string): Promise<HTMLElement | undefined> {
  const { runs } = await api<RunPage>("GET", `/v1/runs?parentRunId=${encodeURIComponent(runId)}&limit=200`);
  if (runs.length === 0) return undefined;
  return h(
    "ul",
    { class: "child-tree" },
    ...runs
      .sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt))
      .map((child) => {
        const toggle = h("button", { type: "button", class: "expand", "aria-expanded": "false", title: "show its children" }, "▸");
        const item = h("li", { "data-run": child.id }, toggle, " ", runLink(child.id), ` ${child.workflow} `, badge(child.status));
        toggle.addEventListener("click", async () => {
          const shown = item.querySelector(":scope > ul, :scope > .muted, :scope > .error");
          if (shown) {
            shown.remove();
            toggle.textContent = "▸";
            toggle.setAttribute("aria-expanded", "false");
            return;
          }
          toggle.textContent = "▾";
          toggle.setAttribute("aria-expanded", "true");
          try {
            item.append((await childTree(child.id)) ?? h("span", { class: "muted" }, " no children"));
          } catch (error) {
            item.append(showError(error));
          }
        });
        return item;
      }),
  );
}
