// A run's timeline as text, readable at a glance: each step and wait with its start offset, duration, attempts
// and retries, in the order the code asked for them. Pure: a function of the journal.
import { foldJournal, type JournalEvent, type PackVerification } from "../core/index.js";
import { describeResolution, describeWho } from "./attribution.js";
import { plain } from "./printable.js";

const isBookmarkKey = (key: string) => key.startsWith("$bookmark:");

const SYMBOL: Record<string, string> = {
  completed: "✓",
  resolved: "✓",
  failed: "✗",
  running: "▶",
  retrying: "↻",
  waiting: "…",
};

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)}m${Math.round((ms % 60_000) / 1000)}s`;
  if (ms < 86_400_000) return `${Math.floor(ms / 3_600_000)}h${Math.round((ms % 3_600_000) / 60_000)}m`;
  return `${Math.floor(ms / 86_400_000)}d${Math.round((ms % 86_400_000) / 3_600_000)}h`;
}

/** The timeline lines of a run: a header, then one line per step or wait (retries indented under their step). */
export function formatTimeline(runId: string, events: readonly JournalEvent[]): string {
  const state = foldJournal(runId, events);
  const start = Date.parse(state.createdAt);
  const end = state.endedAt ? Date.parse(state.endedAt) : undefined;
  const failures = new Map<string, Array<{ attempt: number; code: string; retryAt?: string }>>();
  for (const e of events) {
    if (e.type !== "step_failed" && e.type !== "attempt_orphaned") continue;
    const failure =
      e.type === "attempt_orphaned"
        ? { attempt: e.attempt, code: "attempt_orphaned: the process died during it" }
        : { attempt: e.attempt, code: e.error.code, ...(e.retryAt ? { retryAt: e.retryAt } : {}) };
    failures.set(e.key, [...(failures.get(e.key) ?? []), failure]);
  }
  const ops = state.ops.filter((op) => op.kind !== "value" || isBookmarkKey(op.key));
  const width = Math.max(8, ...ops.map((op) => plain(op.key).length));
  const lines = [
    `run ${plain(runId)} ${plain(state.workflow)} ${state.phase === "active" ? "in progress" : state.phase}${end === undefined ? "" : ` in ${formatDuration(end - start)}`}`,
  ];
  if (state.pack) lines.push(`  ${packSentence(state.pack)}`);
  const offsetOf = (at: string) => `+${formatDuration(Date.parse(at) - start)}`.padEnd(9);
  const bookmarks = new Map(state.bookmarks.map((b) => [b.key, b]));
  const opLines = ops.map((op) => {
    const bookmark = bookmarks.get(op.key);
    // A bookmark marks a journal position (its seq), which is what `duro runs fork --from-bookmark` starts from.
    if (bookmark) return [`  ${offsetOf(op.startedAt)} ⚑ bookmark ${plain(bookmark.name)} (seq ${bookmark.seq})`];
    const took = op.endedAt ? formatDuration(Date.parse(op.endedAt) - Date.parse(op.startedAt)) : "…";
    const decided = describeResolution(op);
    const what =
      op.kind === "step"
        ? ""
        : ` ${op.wait?.kind ?? op.kind}${decided ? `: ${decided}` : op.resolvedBy ? ` by ${plain(op.resolvedBy)}` : ""}`;
    const attempts = op.attempts > 1 ? ` ${op.attempts} attempts` : "";
    return [
      `  ${offsetOf(op.startedAt)} ${SYMBOL[op.status] ?? "·"} ${plain(op.key).padEnd(width)} ${took.padStart(7)}${what}${attempts}`,
      ...(failures.get(op.key) ?? []).map(
        (f) =>
          `  ${"".padEnd(9)}   ${"".padEnd(width)}         attempt ${f.attempt} failed [${plain(f.code)}]${f.retryAt ? `, retry at ${f.retryAt}` : ""}`,
      ),
    ];
  });
  // Domain events are no ops: they go between the ops by journal position (an op sits where its first event is).
  const firstSeq = new Map<string, number>();
  for (const e of events) if ("key" in e && !firstSeq.has(e.key)) firstSeq.set(e.key, e.seq);
  const placed = ops.map((op, i) => ({ seq: firstSeq.get(op.key) ?? 0, lines: opLines[i] as string[] }));
  for (const e of events) {
    if (e.type === "domain_event") placed.push({ seq: e.seq, lines: [`  ${offsetOf(e.at)} ◆ event ${plain(e.name)}`] });
  }
  placed.sort((a, b) => a.seq - b.seq);
  for (const entry of placed) lines.push(...entry.lines);
  if (state.error) lines.push(`  error [${plain(state.error.code)}]: ${plain(state.error.message)}`);
  if (state.phase === "cancelled")
    lines.push(`  cancelled${describeWho(state.cancelledBy)} at ${state.endedAt}: ${plain(state.cancelReason ?? "")}`);
  return lines.join("\n");
}

/** One line saying which pack a run started from and which key verified it, or why it ran unsigned. */
export function packSentence(pack: PackVerification): string {
  const what = `pack ${plain(pack.packId)}@${plain(pack.version)} (${plain(pack.digest)})`;
  if (pack.unsigned !== undefined) return `${what} ran unverified: ${plain(pack.unsigned)}`;
  return `${what} verified by key ${plain(pack.keyId ?? "?")}`;
}
