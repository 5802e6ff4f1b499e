// A run's folder: transcript.jsonl, run.json, logs/<step>.log and report.md, all views of the journal (plus the
// mock hits kept in mocks.jsonl). `buildRunFolder` is pure; `writeRunFolder` reads the store and writes files.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { type ErrorInfo, foldJournal, type JournalEvent, type OpState, type RunManifest, type RunState } from "../core/index.js";
import type { Store } from "../store/index.js";
import { describeResolution, describeWho } from "./attribution.js";
import { Redactor } from "./redact.js";
import { buildTranscript, type MockHit, type Transcript, type TranscriptLine } from "./transcript.js";

export type RunOutcome = "success" | "partial_failure" | "failure" | "in_progress";

export interface StepSummary {
  key: string;
  kind: OpState["kind"];
  status: OpState["status"];
  attempts: number;
  startedAt: string;
  endedAt?: string;
  durationMs?: number;
  log: string;
}

export interface FailureSummary {
  code: string;
  message: string;
  details?: Record<string, unknown>;
  /** Byte range [start, end) in transcript.jsonl of the line that failed it for good. */
  transcript: [number, number];
  /** Byte ranges of every error line of this step (each failed attempt). */
  lines: Array<[number, number]>;
  log: string;
}

export interface RunSummary {
  runId: string;
  workflow: string;
  version: string;
  /** Who the run is for and who started it (run_created); the manifest (pack id, version, digest) goes beside them. */
  tenant: string;
  session?: string;
  actor?: string;
  /** Decisions sent to the run from outside (approvals, answers, events, limit raises, its cancellation): who and when. */
  decisions?: DecisionSummary[];
  startedAt: string;
  endedAt?: string;
  /** success: completed with no failed step; partial_failure: completed although a step failed; failure: failed or cancelled. */
  status: RunOutcome;
  steps: StepSummary[];
  /** Keyed by step key; "$run" for a failure of the run itself. */
  failures: Record<string, FailureSummary>;
  usage: { inputTokens: number; outputTokens: number; costUsd: number };
  /** The pack the run was started from, from its manifest. */
  pack?: { id: string; version: string; digest: string };
  /** What started the run (code hash or pack, duro version, host), as run_created recorded it. */
  manifest?: RunManifest;
  files: { transcript: string; report: string; logs: string };
}

export interface DecisionSummary {
  /** The wait it resolved, or "$run" for the run's cancellation. */
  key: string;
  /** In words: "approved by alice via key k_1 at …". */
  text: string;
  actor?: string;
  keyId?: string;
  traceparent?: string;
  at: string;
  /** When it was decided, when that was before the run took it. */
  decidedAt?: string;
}

export interface RunFolder {
  summary: RunSummary;
  transcript: Transcript;
  /** Relative path → text, every file of the folder. */
  files: Map<string, string>;
}

export const RUN_LEVEL = "$run";

/** A file name for a step's log: keys may hold "/" (approval gates) and other characters a path cannot. */
export function logPath(key: string): string {
  return `logs/${key.replace(/[^A-Za-z0-9_.#-]/g, "_")}.log`;
}

/** Builds every file of a run's folder from its journal (step results already loaded from artifacts). */
export function buildRunFolder(
  runId: string,
  events: readonly JournalEvent[],
  options: { redactor?: Redactor; mocks?: MockHit[] } = {},
): RunFolder {
  const redactor = options.redactor ?? new Redactor();
  const state = foldJournal(runId, events);
  const transcript = buildTranscript(runId, events, { redactor, ...(options.mocks ? { mocks: options.mocks } : {}) });
  const steps: StepSummary[] = state.ops
    .filter((op) => op.kind !== "value")
    .map((op) => ({
      key: op.key,
      kind: op.kind,
      status: op.status,
      attempts: op.attempts,
      startedAt: op.startedAt,
      ...(op.endedAt ? { endedAt: op.endedAt, durationMs: Date.parse(op.endedAt) - Date.parse(op.startedAt) } : {}),
      log: logPath(op.key),
    }));
  const failures: Record<string, FailureSummary> = {};
  for (const op of state.ops) {
    if (op.status === "failed") failures[op.key] = failureOf(op.key, transcript);
  }
  if (state.phase === "failed" || state.phase === "cancelled") failures[RUN_LEVEL] = failureOf(RUN_LEVEL, transcript);
  const failedSteps = Object.keys(failures).some((k) => k !== RUN_LEVEL);
  const status: RunOutcome =
    state.phase === "active" ? "in_progress" : state.phase !== "completed" ? "failure" : failedSteps ? "partial_failure" : "success";
  const summary: RunSummary = {
    runId,
    workflow: state.workflow,
    version: state.version,
    tenant: state.tenant,
    ...(state.session === undefined ? {} : { session: state.session }),
    ...(state.actor === undefined ? {} : { actor: state.actor }),
    ...decisionsOf(state),
    startedAt: state.createdAt,
    ...(state.endedAt ? { endedAt: state.endedAt } : {}),
    status,
    steps,
    failures,
    usage: state.usage,
    ...manifestFields(state.manifest),
    files: { transcript: "transcript.jsonl", report: "report.md", logs: "logs/" },
  };
  const files = new Map<string, string>();
  files.set("transcript.jsonl", transcript.text);
  files.set("run.json", `${JSON.stringify(redactor.redact(summary).value, null, 2)}\n`);
  for (const [path, text] of stepLogs(transcript.lines)) files.set(path, text);
  files.set("report.md", reportMarkdown(summary, state.error ? redactor.redact(state.error).value : undefined));
  return { summary, transcript, files };
}

function decisionsOf(state: RunState): { decisions?: DecisionSummary[] } {
  const decisions: DecisionSummary[] = [];
  for (const op of state.ops) {
    const text = describeResolution(op);
    if (text === undefined || op.endedAt === undefined) continue;
    decisions.push({ key: op.key, text, ...op.attribution, at: op.endedAt, ...(op.decidedAt ? { decidedAt: op.decidedAt } : {}) });
  }
  if (state.phase === "cancelled" && state.endedAt)
    decisions.push({
      key: RUN_LEVEL,
      text: `cancelled${describeWho(state.cancelledBy)} at ${state.endedAt}`,
      ...state.cancelledBy,
      at: state.endedAt,
    });
  return decisions.length ? { decisions } : {};
}

function manifestFields(manifest: RunManifest | undefined): Pick<RunSummary, "pack" | "manifest"> {
  if (manifest === undefined) return {};
  const { packId, packVersion, packDigest } = manifest;
  const pack = packId !== undefined && packVersion !== undefined && packDigest !== undefined;
  return { manifest, ...(pack ? { pack: { id: packId, version: packVersion, digest: packDigest } } : {}) };
}

function failureOf(key: string, transcript: Transcript): FailureSummary {
  const stepOf = (line: TranscriptLine) => (key === RUN_LEVEL ? line.step === null : line.step === key);
  const indexes = transcript.lines.flatMap((line, i) => (line.phase === "error" && stepOf(line) ? [i] : []));
  const last = indexes[indexes.length - 1] as number;
  const line = transcript.lines[last] as TranscriptLine;
  const error = line.error as ErrorInfo;
  return {
    code: error.code,
    message: error.message,
    ...(error.details ? { details: error.details } : {}),
    transcript: transcript.offsets[last] as [number, number],
    lines: indexes.map((i) => transcript.offsets[i] as [number, number]),
    log: key === RUN_LEVEL ? "logs/run.log" : logPath(key),
  };
}

/** One human-readable log per step, and logs/run.log for the run's own lines. */
function stepLogs(lines: TranscriptLine[]): Map<string, string> {
  const logs = new Map<string, string>();
  for (const line of lines) {
    const path = line.step === null ? "logs/run.log" : logPath(line.step);
    const attempt = line.attempt === undefined ? "" : ` attempt ${line.attempt}`;
    const duration = line.metrics.durationMs === undefined ? "" : ` (${line.metrics.durationMs} ms)`;
    const error = line.error ? `: [${line.error.code}] ${line.error.message}` : "";
    const mock = line.phase === "mock" ? ` ${line.component} ${JSON.stringify(line.inputs)}` : "";
    logs.set(path, `${logs.get(path) ?? ""}${line.ts} ${line.phase} ${line.status}${attempt}${duration}${mock}${error}\n`);
  }
  return logs;
}

function reportMarkdown(summary: RunSummary, error: ErrorInfo | undefined): string {
  const rows = summary.steps.map(
    (s) => `| ${s.key} | ${s.kind} | ${s.status} | ${s.attempts || ""} | ${s.durationMs === undefined ? "" : `${s.durationMs} ms`} |`,
  );
  const failures = Object.entries(summary.failures).map(
    ([key, f]) => `- **${key}** \`${f.code}\`: ${f.message} (transcript bytes ${f.transcript[0]}–${f.transcript[1]}, ${f.log})`,
  );
  const { inputTokens, outputTokens, costUsd } = summary.usage;
  return [
    `# Run ${summary.runId}`,
    "",
    `- workflow: ${summary.workflow} (${summary.version})`,
    `- tenant: ${summary.tenant}${summary.session ? `, session: ${summary.session}` : ""}${summary.actor ? `, started by: ${summary.actor}` : ""}`,
    `- status: **${summary.status}**`,
    `- started: ${summary.startedAt}${summary.endedAt ? `, ended: ${summary.endedAt}` : ""}`,
    ...(inputTokens + outputTokens > 0
      ? [`- usage: ${inputTokens} input tokens, ${outputTokens} output tokens, $${costUsd.toFixed(4)}`]
      : []),
    ...(error ? [`- error: \`${error.code}\` ${error.message}`] : []),
    "",
    "## Steps",
    "",
    "| step | kind | status | attempts | duration |",
    "| --- | --- | --- | --- | --- |",
    ...rows,
    "",
    ...(failures.length > 0 ? ["## Failures", "", ...failures, ""] : []),
    ...(summary.decisions ? ["## Decisions", "", ...summary.decisions.map((d) => `- **${d.key}** ${d.text}`), ""] : []),
  ].join("\n");
}

/** What a run folder is made from: a run's journal and the artifacts its results were stored in. */
export type JournalSource = Pick<Store, "read" | "getArtifact">;

/** The journal of a run with artifact-stored results loaded back in, as the transcript shows them. */
export async function readJournal(store: JournalSource, runId: string): Promise<JournalEvent[]> {
  const events = await store.read(runId);
  return Promise.all(
    events.map(async (event) => {
      if (event.type !== "step_completed" || event.resultRef === undefined) return event;
      const bytes = await store.getArtifact(event.resultRef);
      return bytes ? { ...event, result: JSON.parse(Buffer.from(bytes).toString("utf8")) } : event;
    }),
  );
}

export const MOCKS_FILE = "mocks.jsonl";

/** Mock hits kept in a run folder, if any. */
export function readMockHits(dir: string): MockHit[] {
  const file = join(dir, MOCKS_FILE);
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as MockHit);
}

/** (Re)writes a run's folder from the store: the same journal always gives the same bytes. */
export async function writeRunFolder(
  store: JournalSource,
  runId: string,
  dir: string,
  options: { redactor?: Redactor } = {},
): Promise<RunFolder> {
  const events = await readJournal(store, runId);
  const mocks = readMockHits(dir);
  const folder = buildRunFolder(runId, events, { ...options, mocks });
  rmSync(join(dir, "logs"), { recursive: true, force: true });
  for (const [path, text] of folder.files) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return folder;
}

/** The default folder of a run: `.duro/runs/<runId>/` under `base`. */
export function runFolderPath(runId: string, base = join(".duro", "runs")): string {
  return join(base, runId);
}
