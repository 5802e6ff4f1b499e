// A flow document drawn as a graph (SVG, layered by hand: a node sits one layer below the first node that leads to
// it), with the path a run took highlighted and the node it waits on marked.
import { h, svg } from "./dom.js";

export interface FlowGraphDoc {
  entry?: string;
  nodes: Record<string, Record<string, unknown>>;
}

export interface Edge {
  from: string;
  to: string;
  label: string;
}

/** Where a run stands in the graph: the nodes in the order it ran them, and the one it waits on. */
export interface FlowPath {
  visited: string[];
  waiting?: string;
}

const EDGE_FIELDS = ["next", "onError", "onReject", "onInvalid", "onTimeout"];
const NODE_W = 150;
const NODE_H = 40;
const GAP_X = 30;
const GAP_Y = 50;

export function edgesOf(graph: FlowGraphDoc): Edge[] {
  const edges: Edge[] = [];
  for (const [from, node] of Object.entries(graph.nodes)) {
    for (const field of EDGE_FIELDS) {
      const to = node[field];
      if (typeof to === "string") edges.push({ from, to, label: field === "next" ? "" : field });
    }
    const cases = node.switch;
    if (Array.isArray(cases)) {
      cases.forEach((c: unknown, i) => {
        const to = (c as { next?: unknown }).next;
        if (typeof to === "string") edges.push({ from, to, label: `case ${i + 1}` });
      });
    }
  }
  return edges.filter((e) => e.to in graph.nodes);
}

export function kindOf(node: Record<string, unknown>): string {
  const common = new Set([...EDGE_FIELDS, "retry", "timeout", "output", "maxIterations", "description", "with"]);
  return Object.keys(node).find((k) => !common.has(k)) ?? "node";
}

/** The node a journal key belongs to: `route#0` and `approval:route#0` are both `route`. */
export function nodeOfKey(key: string): string {
  return key.replace(/#\d+$/, "").replace(/^[a-z]+:/, "");
}

/** Layers by breadth-first distance from the entry; nodes it never reaches go in a last layer. */
function layout(graph: FlowGraphDoc, edges: Edge[]): Map<string, { x: number; y: number }> {
  const ids = Object.keys(graph.nodes);
  const entry = graph.entry ?? ids[0];
  const layer = new Map<string, number>();
  const queue = entry === undefined ? [] : [entry];
  if (entry !== undefined) layer.set(entry, 0);
  for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
    for (const edge of edges) {
      if (edge.from !== id || layer.has(edge.to)) continue;
      layer.set(edge.to, (layer.get(id) ?? 0) + 1);
      queue.push(edge.to);
    }
  }
  const deepest = Math.max(0, ...layer.values());
  for (const id of ids) if (!layer.has(id)) layer.set(id, deepest + 1);
  const rows = new Map<number, string[]>();
  for (const id of ids) rows.set(layer.get(id) ?? 0, [...(rows.get(layer.get(id) ?? 0) ?? []), id]);
  const widest = Math.max(1, ...[...rows.values()].map((r) => r.length));
  const positions = new Map<string, { x: number; y: number }>();
  for (const [row, members] of rows) {
    const offset = ((widest - members.length) * (NODE_W + GAP_X)) / 2;
    members.forEach((id, i) => {
      positions.set(id, { x: 10 + offset + i * (NODE_W + GAP_X), y: 10 + row * (NODE_H + GAP_Y) });
    });
  }
  return positions;
}

export function flowGraphView(graph: FlowGraphDoc, path: FlowPath = { visited: [] }): HTMLElement {
  const edges = edgesOf(graph);
  const at = layout(graph, edges);
  const visited = new Set(path.visited);
  const taken = new Set(path.visited.slice(1).map((to, i) => `${path.visited[i]}→${to}`));
  const width = Math.max(...[...at.values()].map((p) => p.x + NODE_W + 10), 200);
  const height = Math.max(...[...at.values()].map((p) => p.y + NODE_H + 10), 60);
  const root = svg(
    "svg",
    { class: "flow-graph", width, height, viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": "flow graph" },
    svg(
      "defs",
      {},
      svg(
        "marker",
        { id: "arrow", viewBox: "0 0 10 10", refX: 10, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" },
        svg("path", { d: "M 0 0 L 10 5 L 0 10 z" }),
      ),
    ),
  );
  for (const edge of edges) {
    const a = at.get(edge.from);
    const b = at.get(edge.to);
    if (!a || !b) continue;
    const x1 = a.x + NODE_W / 2;
    const y1 = a.y + NODE_H;
    const x2 = b.x + NODE_W / 2;
    const back = b.y <= a.y;
    const y2 = back ? b.y + NODE_H : b.y;
    const d = back
      ? `M ${x1} ${y1} C ${x1 + 80} ${y1 + 40}, ${x2 + 80} ${y2 + 40}, ${x2} ${y2}`
      : `M ${x1} ${y1} C ${x1} ${(y1 + y2) / 2}, ${x2} ${(y1 + y2) / 2}, ${x2} ${y2}`;
    const on = taken.has(`${edge.from}→${edge.to}`);
    root.append(
      svg(
        "g",
        { class: `edge${on ? " taken" : ""}`, "data-from": edge.from, "data-to": edge.to },
        svg("path", { d, "marker-end": "url(#arrow)" }),
        edge.label ? svg("text", { x: (x1 + x2) / 2 + 4, y: (y1 + y2) / 2 }, edge.label) : undefined,
      ),
    );
  }
  for (const [id, node] of Object.entries(graph.nodes)) {
    const p = at.get(id);
    if (!p) continue;
    const state = path.waiting === id ? "waiting" : visited.has(id) ? "visited" : "unvisited";
    root.append(
      svg(
        "g",
        { class: `node ${state}`, "data-node": id, "data-state": state, transform: `translate(${p.x} ${p.y})` },
        svg("title", {}, `${id} (${kindOf(node)})${typeof node.description === "string" ? `: ${node.description}` : ""}`),
        svg("rect", { width: NODE_W, height: NODE_H, rx: 6 }),
        svg("text", { x: 8, y: 17, class: "node-id" }, id.length > 20 ? `${id.slice(0, 19)}…` : id),
        svg("text", { x: 8, y: 32, class: "node-kind" }, kindOf(node) + (state === "waiting" ? " · waiting" : "")),
      ),
    );
  }
  return h("div", { class: "flow-graph-box" }, root);
}
