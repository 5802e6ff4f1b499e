// Who did what, in words: "approved by alice via key k_12 at 2025-01-01T10:00:00Z (decided 09:58…)", for `runs show`,
// the timeline and reports. Pure: a function of what the journal holds.
import type { Attribution, OpState } from "../core/index.js";
import { plain } from "./printable.js";

const VERBS: Record<string, string> = { approve: "approved", reject: "rejected", abort: "aborted" };

/** How a resolved wait was decided and by whom, or undefined for one nobody outside resolved (a timer, a timeout). */
export function describeResolution(op: OpState): string | undefined {
  if (op.status !== "resolved" || op.resolvedBy === "timer" || op.resolvedBy === "timeout") return undefined;
  const action = (op.result as { action?: unknown } | null)?.action;
  const verb =
    op.wait?.kind === "approval"
      ? (VERBS[String(action)] ?? "decided")
      : op.wait?.kind === "ask"
        ? "answered"
        : op.wait?.eventKey?.startsWith("limits:")
          ? "limits raised"
          : op.wait?.kind === "child"
            ? "child ended"
            : "received";
  if (op.wait?.kind === "child") return undefined;
  const who = op.attribution?.actor ?? (op.resolvedBy === "event" ? undefined : op.resolvedBy);
  return `${verb}${describeWho(op.attribution, who)}${op.endedAt ? ` at ${op.endedAt}` : ""}${
    op.decidedAt && op.decidedAt !== op.endedAt ? ` (decided ${op.decidedAt})` : ""
  }`;
}

/** " by alice via key k_12 (trace 4bf9…)", or the parts of it that are known. */
export function describeWho(attribution: Attribution | undefined, actor = attribution?.actor): string {
  const traceId = attribution?.traceparent?.split("-")[1];
  return `${actor ? ` by ${plain(actor)}` : ""}${attribution?.keyId ? ` via key ${plain(attribution.keyId)}` : ""}${traceId ? ` (trace ${traceId})` : ""}`;
}
