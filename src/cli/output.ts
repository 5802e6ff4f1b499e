// How the CLI shows runs: live progress lines, `runs show`, tables, and errors. Humans get text; --json gets JSON.
import type { DuroError, JournalEvent, LeaseNotice, RunDetails, RunRecord } from "../index.js";
import type { InboxMessage } from "../store/index.js";

const color = (code: number) => (text: string) => (process.stdout.isTTY && !process.env.NO_COLOR ? `\x1b[${code}m${text}\x1b[0m` : text);
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
  return `${run} is held by ${worker} (${holder}) until ${until}; not waiting for it: that worker continues the run, and if it died any worker takes the run over after ${until} (duro resume ${plain(lease.runId)})`;
}

function describeHolder({ lease, state, sameHost }: LeaseNotice): string {
  const holder = lease.holder;
  if (holder === undefined) return "a process that did not record who it is";
  if (!sameHost) return `pid ${holder.pid} on host ${plain(holder.host)}`;
  return `pid ${holder.pid} on this host, ${state === "alive" ? "alive" : "whether it is alive cannot be told"}`;
}

/** Strips control characters from stored text printed to a terminal. */
function plain(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, "?");
}

/** Prints a line per finished step, failed attempt and wait, as the journal commits them. */
export function progressPrinter(write: (line: string) => void): (runId: string, events: JournalEvent[]) => void {
  const started = new Map<string, number>();
  return (runId, events) => {
    for (const event of events) {
      const at = Date.parse(event.at);
      const run = dim(runId.slice(0, 14));
      switch (event.type) {
        case "step_started":
          if (!started.has(`${runId}/${event.key}`)) started.set(`${runId}/${event.key}`, at);
          break;
        case "step_completed":
          write(`${run} ${green("✓")} ${event.key} ${dim(formatMs(at - (started.get(`${runId}/${event.key}`) ?? at)))}`);
          break;
        case "step_failed":
          write(
            `${run} ${red("✗")} ${event.key} attempt ${event.attempt}: ${event.error.message}${event.retryAt ? dim(` (retry at ${event.retryAt})`) : ""}`,
          );
          break;
        case "attempt_orphaned":
          write(`${run} ${yellow("!")} ${event.key} attempt ${event.attempt} never finished (its process died or lost its lease)`);
          break;
        case "wait_started":
          started.set(`${runId}/${event.key}`, at);
          write(`${run} ${yellow("…")} ${event.key} ${describeWait(event)}`);
          break;
        case "wait_resolved":
          write(
            `${run} ${green("✓")} ${event.key} ${dim(`${event.by} after ${formatMs(at - (started.get(`${runId}/${event.key}`) ?? at))}`)}`,
          );
          break;
        case "run_completed":
          write(`${run} ${green("completed")}`);
          break;
        case "run_failed":
          write(`${run} ${red(`failed: ${event.error.message}`)}`);
          break;
        case "run_cancelled":
          write(`${run} ${red(`cancelled: ${event.reason}`)}`);
          break;
        default:
          break;
      }
    }
  };
}

export function describeWait(wait: {
  kind: string;
  until?: string;
  eventKey?: string;
  gate?: string;
  prompt?: string;
  childRunId?: string;
  timeoutAt?: string;
}): string {
  const timeout = wait.timeoutAt ? ` (times out ${wait.timeoutAt})` : "";
  switch (wait.kind) {
    case "sleep":
      return `sleeping until ${wait.until}`;
    case "event":
      return `waiting for event "${wait.eventKey}"${timeout}`;
    case "approval":
      return `waiting for approval "${wait.gate}"${timeout}`;
    case "ask":
      return `waiting for an answer to "${wait.gate}": ${wait.prompt}${timeout}`;
    case "child":
      return `waiting for child run ${wait.childRunId}`;
    default:
      return `waiting (${wait.kind})`;
  }
}

/** What a person can do to move a waiting run on. */
export function howToContinue(runId: string, wait: RunDetails["waits"][number]): string {
  switch (wait.kind) {
    case "approval":
      return `duro approve ${runId} ${wait.gate}   (or --reject / --abort)`;
    case "ask":
      return `duro answer ${runId} ${wait.gate} --value '${JSON.stringify(wait.choices?.[0] ?? "…")}'`;
    case "event":
      return `duro signal ${wait.eventKey} --payload '{…}'`;
    case "sleep":
      return `resumes by itself at ${wait.until} (duro worker, or duro resume ${runId})`;
    case "child":
      return `duro resume ${wait.childRunId}`;
  }
}

export function formatRun(run: RunDetails): string {
  const lines = [
    `run       ${run.id}`,
    `workflow  ${run.workflow} ${dim(`(version ${run.version})`)}`,
    `status    ${statusColor(run.status)}${run.wakeAt ? dim(` (next timer ${run.wakeAt})`) : ""}`,
    `created   ${run.createdAt}${run.endedAt ? `   ended ${run.endedAt}` : ""}`,
  ];
  if (run.parentRunId) lines.push(`parent    ${run.parentRunId}`);
  lines.push(`input     ${JSON.stringify(run.input)}`);
  if (run.output !== undefined) lines.push(`output    ${JSON.stringify(run.output)}`);
  if (run.error) lines.push(`error     ${red(`[${run.error.code}] ${run.error.message}`)}`);
  if (run.cancelReason) lines.push(`reason    ${run.cancelReason}`);
  if (run.usage) {
    const usage = (u: { inputTokens: number; outputTokens: number; costUsd: number }) =>
      `${u.inputTokens} in / ${u.outputTokens} out tokens, $${u.costUsd.toFixed(6)}`;
    lines.push(`usage     ${usage(run.usage)}`);
    for (const [scope, u] of Object.entries(run.usage.byScope)) lines.push(`  ${scope}: ${usage(u)} ${dim(`(${u.calls} calls)`)}`);
  }
  if (run.steps.length) {
    lines.push("steps");
    const width = Math.max(...run.steps.map((s) => s.key.length));
    for (const step of run.steps) {
      const attempts = step.kind === "step" ? `${step.attempts} attempt${step.attempts === 1 ? "" : "s"}` : "";
      const duration = step.durationMs === undefined ? "" : formatMs(step.durationMs);
      const extra =
        step.error && step.status !== "completed"
          ? red(` [${step.error.code}] ${step.error.message}`)
          : step.childRunId
            ? dim(` child ${step.childRunId}`)
            : "";
      lines.push(
        `  ${step.key.padEnd(width)}  ${step.kind.padEnd(5)}  ${statusColor(step.status).padEnd(9)}  ${attempts.padEnd(10)}  ${duration.padStart(7)}${extra}`,
      );
    }
  }
  if (run.waits.length) {
    lines.push("waiting for");
    for (const wait of run.waits) {
      lines.push(`  ${wait.key}: ${describeWait(wait)}${wait.summary ? ` — ${wait.summary}` : ""}`);
      lines.push(`    ${dim(howToContinue(run.id, wait))}`);
    }
  }
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
  const rows = messages.map((m) => [String(m.id), m.eventKey, new Date(m.createdAt).toISOString(), JSON.stringify(m.payload)]);
  return table(["ID", "EVENT KEY", "SENT", "PAYLOAD"], rows);
}

export function formatEvents(events: JournalEvent[]): string {
  return events
    .map((e) => {
      const { seq, at, type, ...rest } = e;
      return `${String(seq).padStart(5)}  ${at}  ${type.padEnd(15)} ${JSON.stringify(rest)}`;
    })
    .join("\n");
}

export function table(header: string[], rows: string[][]): string {
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
  return `duro: error [${error.code}]: ${error.message}`;
}
