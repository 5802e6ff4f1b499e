// `map`: runs its body (a nested graph) once per item of a list, at most `concurrency` items at a time;
// the output is the list of the items' results, in order. Each item's calls are named `<map>[<index>].<node>`,
// so a resumed run finds the items that finished in the journal and does not redo them.
import { DuroError } from "../../core/index.js";
import type { FlowGraph } from "../document.js";
import { isRecord } from "../document.js";
import { EXPRESSION, NODE_ID, type NodeKind } from "./kind.js";
import { childScope } from "./scope.js";

interface MapSpec extends FlowGraph {
  items: string;
  /** default 1 */
  concurrency?: number;
  /** default "item" */
  as?: string;
}

export const mapNode: NodeKind = {
  kind: "map",
  summary:
    "Runs its `nodes` once per item of `items` (at most `concurrency` at a time); the item is `vars.item` (or `vars.<as>`), its position `vars.index`; the output is the list of results.",
  spec: {
    type: "object",
    required: ["items", "nodes"],
    additionalProperties: false,
    properties: {
      items: EXPRESSION,
      concurrency: { type: "integer", minimum: 1, maximum: 1000, default: 1 },
      as: { type: "string", pattern: "^[A-Za-z_][A-Za-z0-9_]*$", default: "item" },
      entry: NODE_ID,
      nodes: { type: "object", minProperties: 1, additionalProperties: { $ref: "#/$defs/node" } },
    },
  },
  graphs: (node) => (isRecord(node.map) ? [{ path: ["map"], graph: node.map }] : []),
  expressions: (node) => (isRecord(node.map) ? [{ path: ["map", "items"], text: node.map.items }] : []),
  async run(node, rt) {
    const spec = node.map as MapSpec;
    const value = await rt.expression(spec.items, "map.items");
    const items = value === undefined || value === null ? [] : Array.isArray(value) ? value : [value];
    if (items.length > 100_000) {
      throw new DuroError("map_too_large", `${rt.where}.map.items gave ${items.length} items; split the list (at most 100000)`, {
        category: "limit",
      });
    }
    const results: unknown[] = new Array(items.length).fill(null);
    let next = 0;
    let failure: { error: unknown } | undefined;
    // Each lane takes the next item when its current one finishes; replay hands results back in journal
    // order, so the lanes take the same items in the same order again.
    const lane = async () => {
      while (next < items.length && !failure) {
        const index = next++;
        const scope = childScope(rt.scope, { [spec.as ?? "item"]: items[index], index });
        try {
          results[index] = await rt.runGraph(spec, scope, `${rt.name}[${index}].`, [...rt.path, "map"]);
        } catch (error) {
          failure ??= { error };
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(spec.concurrency ?? 1, items.length) }, lane));
    if (failure) throw failure.error;
    return { output: results };
  },
};
