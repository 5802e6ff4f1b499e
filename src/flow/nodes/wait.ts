// `wait`: a durable timer (`duration` or `until`) or an event (`event: <key>`, sent with `duro signal <key>`).
// Nothing is held in memory while it waits.
import type { Duration } from "../../core/index.js";
import { type NodeKind, VALUE } from "./kind.js";

export const waitNode: NodeKind = {
  kind: "wait",
  waits: true,
  summary:
    "Waits for a `duration` (\"2h\"), `until` a time (ISO), or an `event` key (the output is the event's payload; the node's `timeout` bounds it).",
  spec: {
    type: "object",
    minProperties: 1,
    maxProperties: 1,
    additionalProperties: false,
    properties: { duration: { type: ["string", "number"] }, until: VALUE, event: VALUE },
  },
  async run(node, rt) {
    const spec = node.wait as { duration?: Duration; until?: unknown; event?: unknown };
    if (spec.duration !== undefined) {
      await rt.ctx.sleep(rt.name, (await rt.value(spec.duration, "wait.duration")) as Duration);
      return { output: null };
    }
    if (spec.until !== undefined) {
      await rt.ctx.sleepUntil(rt.name, (await rt.value(spec.until, "wait.until")) as string);
      return { output: null };
    }
    const key = String(await rt.value(spec.event, "wait.event"));
    const payload = await rt.ctx.waitForEvent(rt.name, { key, ...(rt.timeout === undefined ? {} : { timeout: rt.timeout }) });
    return { output: payload ?? null };
  },
};
