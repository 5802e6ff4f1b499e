// How the CLI shows runs: live progress lines, `runs show`, tables, and errors. Humans get text; --json gets JSON.
// Everything printed goes through `say`/`warn` (or `jsonText`): stored text (step names, event keys, error messages,
// run ids) comes from whoever can call the API, and a control character in it must not reach the terminal, where it
// could retitle the window, move the cursor or spoof lines.
import { randomUUID } from "node:crypto";
import {
  type BookmarkView,
  type DuroError,
  type JournalEvent,
  type LeaseNotice,
  limitsKey,
  type RunDetails,
  type RunManifest,
  type RunRecord,
} from "../index.js";
import { describeWho, escapeControls, plain } from "../observe/index.js";
import type { InboxMessage } from "../store/index.js";
import { duroCommand } from "./hints.js";

export { plain } from "../observe/index.js";

// Colors are marked with a token made at random when the process starts, which stored text cannot contain; the
// marks become escape sequences in `printable`, after every other control character was made visible.
const COLOR_MARK = `\u0000${randomUUID()}:`;
const COLOR_MARKS = new RegExp(`${COLOR_MARK}(\\d+)m`);
const color = (code: number) => (text: string) => `${COLOR_MARK}${code}m${text}${COLOR_MARK}0m`;
const green = color(32);
const red = color(31);
const yellow = color(33);
const dim = color(2);

export function formatMs(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  return `${Math.floor(ms / 60_000)}m${Math.round((ms % 60_000) / 1000)}s`;
}

/**
 * Says what a command found about a run another process holds: that it took the run over from a dead process, or
 * what it waits for and until when, or that it leaves the run to its holder.
 */
export function formatLeaseNotice(notice: LeaseNotice): string {
  const { lease, action } = notice;
  const run = `run ${plain(lease.runId)}`;
  const worker = `worker ${plain(lease.workerId)}`;
  const until = `${new Date(lease.expiresAt).toISOString().slice(11, 19)} UTC`;
  if (action === "taken_over") {
    return `${run} was held by ${worker} (pid ${lease.holder?.pid} on this host), which is no longer running; took it over without waiting for its lease to expire`;
  }
  const holder = describeHolder(notice);
  if (action === "waiting") {
    return notice.state === "alive"
      ? `${run} is held by ${worker} (${holder}) until ${until}; waiting for it to finish the run or let it go…`
      : `${run} is held by ${worker} (${holder}); its lease expires at ${until} unless renewed; waiting…`;
  }
  return `${run} is held by ${worker} (${holder}) until ${until}; not waiting for it: that worker continues the run, and if it died any worker takes the run over after ${until} (${duroCommand("resume", lease.runId)})`;
}

function describeHolder({ lease, state, sameHost }: LeaseNotice): string {
  const holder = lease.holder;
  if (holder === undefined) return "a process that did not record who it is";
  if (!sameHost) return `pid ${holder.pid} on host ${plain(holder.host)}`;
  return `pid ${holder.pid} on this host, ${state === "alive" ? "alive" : "whether it is alive cannot be told"}`;
}

/** Text for a terminal: control characters (C0 but newline, DEL, C1) shown as `\x1b`, `\r`…; colors applied. */
export function printable(text: string): string {
  const colors = process.stdout.isTTY && !process.env.NO_COLOR;
  // With one capture group, split alternates text and color codes.
  return text
    .split(COLOR_MARKS)
    .map((part, i) => (i % 2 === 0 ? escapeControls(part) : colors ? `\x1b[${part}m` : ""))
    .join("");
}

/** Prints a line for a person on stdout. */
export function say(text: string): void {
  console.log(printable(text));
}

/** Prints a line for a person on stderr. */
export function warn(text: string): void {
  console.error(printable(text));
}

/** Prints a lease notice (a run taken over, left, waiting) on stderr, so that --json output stays one document. */
export function warnLease(notice: LeaseNotice): void {
  warn(`duro: ${formatLeaseNotice(notice)}`);
}

/**
 * JSON text for stdout: JSON.stringify escapes C0 controls but not DEL and C1 (U+0080-U+009F, which some terminals
 * read as CSI and friends), so those are escaped too; it parses back to the same value.
 */
export function jsonText(value: unknown, indent = 2): string {
  return JSON.stringify(value, null, indent).replace(/[\u007f-\u009f]/g, (c) => `\\u00${c.charCodeAt(0).toString(16)}`);
}

/** Prints a line per finished step, failed attempt and wait, as the journal commits them. */
export function progressPrinter(write: (line: string) => void): (runId: string, events: JournalEvent[]) => void {
  const started = new Map<string, number>();
  return (runId, events) => {
    for (const event of events) {
      const at = Date.parse(event.at);
      const run = dim(plain(runId.slice(0, 14)));
      const key = "key" in event ? plain(event.key) : "";
      switch (event.type) {
        case "step_started":
          if (!started.has(`${runId}/${event.key}`)) started.set(`${runId}/${event.key}`, at);
          break;
        case "step_completed":
          write(`${run} ${green("✓")} ${key} ${dim(formatMs(at - (started.get(`${runId}/${event.key}`) ?? at)))}`);
          break;
        case "step_failed":
          write(
            `${run} ${red("✗")} ${key} attempt ${event.attempt}: ${plain(event.error.message)}${event.retryAt ? dim(` (retry at ${event.retryAt})`) : ""}`,
          );
          break;
        case "attempt_orphaned":
          write(`${run} ${yellow("!")} ${key} attempt ${event.attempt} never finished (its process died or lost its lease)`);
          break;
        case "bookmark":
          write(`${run} ${dim("⚑")} bookmark ${plain(event.name)} ${dim(`at seq ${event.seq}`)}`);
          break;
        case "domain_event":
          // The name only: the data may hold fields the transcript redacts, and this line is not redacted.
          write(`${run} ${dim("◆")} event ${plain(event.name)}`);
          break;
        case "wait_started":
          started.set(`${runId}/${event.key}`, at);
          write(`${run} ${yellow("…")} ${key} ${describeWait(event)}`);
          break;
        case "wait_resolved":
          write(`${run} ${green("✓")} ${key} ${dim(`${plain(event.by)}${waitedFor(started.get(`${runId}/${event.key}`), at)}`)}`);
          break;
        case "run_completed":
          write(`${run} ${green("completed")}`);
          break;
        case "run_failed":
          write(`${run} ${red(`failed: ${plain(event.error.message)}`)}`);
          break;
        case "run_cancelled":
          write(`${run} ${red(`cancelled: ${plain(event.reason)}`)}`);
          break;
        default:
          break;
      }
    }
  };
}

/** " after 3.2s" when this process saw the wait start; a resumed process did not, and says nothing rather than "0ms". */
function waitedFor(startedAt: number | undefined, resolvedAt: number): string {
  return startedAt === undefined ? "" : ` after ${formatMs(resolvedAt - startedAt)}`;
}

export function describeWait(wait: {
  kind: string;
  until?: string;
  eventKey?: string;
  gate?: string;
  prompt?: string;
  childRunId?: string;
  timeoutAt?: string;
  tool?: string;
  callId?: string;
}): string {
  const timeout = wait.timeoutAt ? ` (times out ${wait.timeoutAt})` : "";
  switch (wait.kind) {
    case "sleep":
      return `sleeping until ${wait.until}`;
    case "event":
      return `waiting for event "${plain(wait.eventKey ?? "")}"${timeout}`;
    case "approval":
      return `waiting for approval "${plain(wait.gate ?? "")}"${timeout}`;
    case "ask":
      return `waiting for an answer to "${plain(wait.gate ?? "")}": ${plain(wait.prompt ?? "")}${timeout}`;
    case "child":
      return `waiting for child run ${plain(wait.childRunId ?? "")}`;
    case "tool":
      return `waiting for the host to run tool "${plain(wait.tool ?? "")}" (call ${plain(wait.callId ?? "")})${timeout}`;
    default:
      return `waiting (${wait.kind})`;
  }
}

/** The tenant of runs the CLI starts; a run of another tenant (started through the API) needs --tenant. */
const DEFAULT_TENANT = "default";

/** What a person can do to move a waiting run on. */
export function howToContinue(run: { id: string; tenant: string }, wait: Omit<RunDetails["waits"][number], "since">): string {
  switch (wait.kind) {
    case "approval":
      return `${duroCommand("approve", run.id, wait.gate ?? "")}   (or --reject / --abort)`;
    case "ask":
      return duroCommand("answer", run.id, wait.gate ?? "", "--value", JSON.stringify(wait.choices?.[0] ?? "…"));
    case "event": {
      // A budget that suspended the run waits on this key; `limits raise` says what the new limits are.
      if (wait.eventKey === limitsKey(run.id)) return `${duroCommand("limits", "raise", run.id)} --max-cost-usd <usd>`;
      const tenant = run.tenant === DEFAULT_TENANT ? [] : ["--tenant", run.tenant];
      return `${duroCommand("signal", wait.eventKey ?? "", ...tenant)} --payload '{…}'`;
    }
    case "sleep":
      return `resumes by itself at ${wait.until} (duro worker, or ${duroCommand("resume", run.id)})`;
    case "child":
      return duroCommand("resume", wait.childRunId ?? "");
    case "tool":
      return `${duroCommand("tools", "result", run.id, wait.callId ?? "")} --result '<json>'   (or --error '<message>')`;
  }
}

export function formatRun(run: RunDetails): string {
  const lines = [
    `run       ${plain(run.id)}`,
    `workflow  ${plain(run.workflow)} ${dim(`(version ${plain(run.version)})`)}`,
    `status    ${statusColor(run.status)}${run.wakeAt ? dim(` (next timer ${run.wakeAt})`) : ""}`,
    `created   ${run.createdAt}${run.endedAt ? `   ended ${run.endedAt}` : ""}`,
  ];
  if (run.parentRunId) lines.push(`parent    ${plain(run.parentRunId)}`);
  lines.push(
    `tenant    ${plain(run.tenant)}${run.session ? `   session ${plain(run.session)}` : ""}${run.actor ? `   started by ${plain(run.actor)}` : ""}`,
  );
  if (run.manifest) lines.push(...formatManifest(run.manifest));
  lines.push(`input     ${jsonText(run.input, 0)}`);
  if (run.output !== undefined) lines.push(`output    ${jsonText(run.output, 0)}`);
  if (run.error) lines.push(`error     ${red(`[${plain(run.error.code)}] ${plain(run.error.message)}`)}`);
  if (run.cancelReason)
    lines.push(`reason    ${plain(run.cancelReason)}${run.cancelledBy ? dim(` (cancelled${describeWho(run.cancelledBy)})`) : ""}`);
  if (run.usage) {
    const usage = (u: { inputTokens: number; outputTokens: number; costUsd: number }) =>
      `${u.inputTokens} in / ${u.outputTokens} out tokens, $${u.costUsd.toFixed(6)}`;
    lines.push(`usage     ${usage(run.usage)}`);
    for (const [scope, u] of Object.entries(run.usage.byScope)) lines.push(`  ${plain(scope)}: ${usage(u)} ${dim(`(${u.calls} calls)`)}`);
  }
  if (run.steps.length) {
    lines.push("steps");
    const width = Math.max(...run.steps.map((s) => plain(s.key).length));
    for (const step of run.steps) {
      const attempts = step.kind === "step" ? `${step.attempts} attempt${step.attempts === 1 ? "" : "s"}` : "";
      const duration = step.durationMs === undefined ? "" : formatMs(step.durationMs);
      const extra =
        step.error && step.status !== "completed"
          ? red(` [${plain(step.error.code)}] ${plain(step.error.message)}`)
          : step.childRunId
            ? dim(` child ${plain(step.childRunId)}`)
            : "";
      lines.push(
        `  ${plain(step.key).padEnd(width)}  ${step.kind.padEnd(5)}  ${statusColor(step.status)}${" ".repeat(Math.max(0, 9 - step.status.length))}  ${attempts.padEnd(10)}  ${duration.padStart(7)}${extra}`,
      );
    }
  }
  if (run.waits.length) {
    lines.push("waiting for");
    for (const wait of run.waits) {
      lines.push(`  ${plain(wait.key)}: ${describeWait(wait)}${wait.summary ? ` — ${plain(wait.summary)}` : ""}`);
      lines.push(`    ${dim(howToContinue(run, wait))}`);
    }
  }
  return lines.join("\n");
}

/** What started the run, as `runs show` prints it: the file and its hash (or the pack), duro's version and the host. */
function formatManifest(m: RunManifest): string[] {
  const lines: string[] = [];
  if (m.packId !== undefined) lines.push(`pack      ${plain(m.packId)}@${plain(m.packVersion ?? "?")} ${dim(plain(m.packDigest ?? ""))}`);
  if (m.source !== undefined) lines.push(`source    ${plain(m.source)}${m.codeHash ? ` ${dim(plain(m.codeHash))}` : ""}`);
  lines.push(`ran on    ${plain(m.host)} with duro ${plain(m.duroVersion)}`);
  return lines;
}

/** A run's bookmarks: journal positions a fork can start after (`duro runs fork <runId> --from-bookmark <name>`). */
export function formatBookmarks(runId: string, bookmarks: BookmarkView[]): string {
  if (bookmarks.length === 0) return `run ${plain(runId)} has no bookmarks (ctx.bookmark(name) in code, bookmark: on a flow node)`;
  const width = Math.max(8, ...bookmarks.map((b) => plain(b.ref).length));
  const lines = [`${"BOOKMARK".padEnd(width)}  SEQ    AT                        AFTER`];
  for (const b of bookmarks)
    lines.push(`${plain(b.ref).padEnd(width)}  ${String(b.seq).padEnd(5)}  ${b.at.padEnd(24)}  ${plain(b.after ?? "(start of the run)")}`);
  lines.push(dim("a bookmark is a journal position, not a copy of state: a fork replays the journal up to it and runs the rest anew"));
  return lines.join("\n");
}

export function formatRunTable(runs: RunRecord[]): string {
  if (runs.length === 0) return "no runs";
  const rows = runs.map((r) => [
    r.id,
    r.workflow,
    r.version,
    r.status,
    new Date(r.createdAt).toISOString(),
    new Date(r.updatedAt).toISOString(),
  ]);
  return table(["ID", "WORKFLOW", "VERSION", "STATUS", "CREATED", "UPDATED"], rows);
}

export function formatInbox(messages: InboxMessage[]): string {
  if (messages.length === 0) return "the inbox is empty: every event was received";
  const rows = messages.map((m) => [String(m.id), m.eventKey, new Date(m.createdAt).toISOString(), jsonText(m.payload, 0)]);
  return table(["ID", "EVENT KEY", "SENT", "PAYLOAD"], rows);
}

export function formatEvents(events: JournalEvent[]): string {
  return events
    .map((e) => {
      const { seq, at, type, ...rest } = e;
      return `${String(seq).padStart(5)}  ${at}  ${type.padEnd(15)} ${jsonText(rest, 0)}`;
    })
    .join("\n");
}

export function table(header: string[], stored: string[][]): string {
  const rows = stored.map((row) => row.map(plain));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] as number))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)].join("\n");
}

function statusColor(status: string): string {
  if (status === "completed" || status === "resolved") return green(status);
  if (status === "failed" || status === "cancelled") return red(status);
  if (status === "waiting" || status === "retrying") return yellow(status);
  return status;
}

export function formatError(error: DuroError): string {
  return `duro: error [${plain(error.code)}]: ${error.message}`;
}
