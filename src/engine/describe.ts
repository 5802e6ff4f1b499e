// A run as a person reads it: status, input, output or error, each step with attempts and duration, open waits.
import type { Attribution, ErrorInfo, OpState, RunManifest, RunState, WaitSpec } from "../core/index.js";
import type { RunRecord, RunStatus, WaitingFor } from "../store/index.js";

export interface StepView {
  key: string;
  kind: OpState["kind"];
  status: OpState["status"];
  attempts: number;
  startedAt: string;
  endedAt?: string;
  durationMs?: number;
  error?: ErrorInfo;
  retryAt?: string;
  childRunId?: string;
  /** Waits: how it was resolved (`event`, `timeout`, a user) and who sent what resolved it. */
  resolvedBy?: string;
  attribution?: Attribution;
  /** Waits: when the decision that resolved it was made (it may have waited in the inbox). */
  decidedAt?: string;
}

export interface WaitView extends WaitSpec {
  key: string;
  since: string;
}

/** A bookmark: a named journal position (`seq`), not a copy of state; `duro runs fork --from-bookmark` starts there. */
export interface BookmarkView {
  name: string;
  /** `name#n`: the n-th bookmark of that name (from 0), as `--from-bookmark` takes it. */
  ref: string;
  seq: number;
  at: string;
  /** The step or wait whose result was journaled last before the bookmark, if any. */
  after?: string;
}

export interface RunDetails {
  id: string;
  workflow: string;
  version: string;
  tenant: string;
  session?: string;
  /** Who started the run. */
  actor?: string;
  status: RunStatus;
  /** What a waiting run waits for (see WaitingFor). */
  waitingFor?: WaitingFor;
  input: unknown;
  output?: unknown;
  error?: ErrorInfo;
  cancelReason?: string;
  /** Who cancelled the run. */
  cancelledBy?: Attribution;
  parentRunId?: string;
  idempotencyKey?: string;
  createdAt: string;
  updatedAt: string;
  endedAt?: string;
  /** When a waiting run's next timer or retry is due. */
  wakeAt?: string;
  steps: StepView[];
  /** Model usage and cost of the run, and per scope (agent or phase), when it made model calls. */
  usage?: RunState["usage"] & { byScope: RunState["usageByScope"] };
  waits: WaitView[];
  bookmarks: BookmarkView[];
  /** What started the run (code hash or pack, duro version, host), when it was recorded. */
  manifest?: RunManifest;
  lastSeq: number;
}

export function describeRun(record: RunRecord, state: RunState): RunDetails {
  const details: RunDetails = {
    id: record.id,
    workflow: state.workflow,
    version: state.version,
    tenant: state.tenant,
    status: record.status,
    input: state.input,
    createdAt: state.createdAt,
    updatedAt: new Date(record.updatedAt).toISOString(),
    steps: state.ops.filter((op) => op.kind !== "value").map(stepView),
    waits: state.ops
      .filter((op) => op.status === "waiting" && op.wait)
      .map((op) => ({ key: op.key, since: op.startedAt, ...(op.wait as WaitSpec) })),
    bookmarks: bookmarksOf(state),
    lastSeq: state.lastSeq,
  };
  if (state.manifest) details.manifest = state.manifest;
  if (state.output !== undefined) details.output = state.output;
  if (state.error) details.error = state.error;
  if (state.cancelReason !== undefined) details.cancelReason = state.cancelReason;
  if (state.cancelledBy) details.cancelledBy = state.cancelledBy;
  if (state.session !== undefined) details.session = state.session;
  if (state.actor !== undefined) details.actor = state.actor;
  if (record.waitingFor !== undefined) details.waitingFor = record.waitingFor;
  if (state.parentRunId) details.parentRunId = state.parentRunId;
  if (state.idempotencyKey) details.idempotencyKey = state.idempotencyKey;
  if (state.endedAt) details.endedAt = state.endedAt;
  if (Object.keys(state.usageByScope).length > 0) details.usage = { ...state.usage, byScope: state.usageByScope };
  if (record.status === "waiting" && record.readyAt !== undefined) details.wakeAt = new Date(record.readyAt).toISOString();
  return details;
}

/** The run's bookmarks in journal order, each with the step journaled last before it. */
export function bookmarksOf(state: RunState): BookmarkView[] {
  const settled = state.ops.filter((op) => op.kind !== "value" && op.settledSeq !== undefined);
  return state.bookmarks.map((b) => {
    let after: OpState | undefined;
    for (const op of settled) if ((op.settledSeq as number) < b.seq && (op.settledSeq as number) > (after?.settledSeq ?? 0)) after = op;
    const view: BookmarkView = { name: b.name, ref: b.key.slice("$bookmark:".length), seq: b.seq, at: b.at };
    if (after) view.after = after.key;
    return view;
  });
}

function stepView(op: OpState): StepView {
  const view: StepView = { key: op.key, kind: op.kind, status: op.status, attempts: op.attempts, startedAt: op.startedAt };
  if (op.endedAt) {
    view.endedAt = op.endedAt;
    view.durationMs = Date.parse(op.endedAt) - Date.parse(op.startedAt);
  }
  if (op.error) view.error = op.error;
  if (op.retryAt) view.retryAt = op.retryAt;
  if (op.childRunId) view.childRunId = op.childRunId;
  if (op.resolvedBy !== undefined) view.resolvedBy = op.resolvedBy;
  if (op.attribution) view.attribution = op.attribution;
  if (op.decidedAt) view.decidedAt = op.decidedAt;
  return view;
}
