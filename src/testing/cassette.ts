// Record and replay: a cassette keeps what a live run saw (each step's result or error, each HTTP response);
// replaying it re-executes the workflow offline, serves the recorded HTTP responses, and reports the first step
// whose result differs from the recording, so a code or prompt change can be regression-tested.
import { readFileSync, writeFileSync } from "node:fs";
import {
  type AnyWorkflowDefinition,
  type ErrorInfo,
  foldJournal,
  inputError,
  type JournalEvent,
  type WorkflowDefinition,
} from "../core/index.js";
import { createEngine } from "../index.js";
import { Redactor, secretsSetup } from "../observe/index.js";
import { MemoryStore } from "../store/index.js";
import { MockClock, settleSkippingTimers } from "./clock.js";
import { type HttpMock, Mocks, type MocksSpec, type RecordedHttp } from "./mocks.js";

export interface CassetteStep {
  key: string;
  result?: unknown;
  error?: ErrorInfo;
}

export interface Cassette {
  cassette: 1;
  workflow: string;
  version: string;
  /** The workflow file, so `duro replay` can load it. */
  source?: string;
  input: unknown;
  /** Settled steps in the order their results reached the code. */
  steps: CassetteStep[];
  http: RecordedHttp[];
  /** The mocks the run was recorded with, but http (every exchange is in `http`); applied again on replay. */
  mocks?: Omit<MocksSpec, "http">;
  status: string;
  output?: unknown;
}

export interface Divergence {
  /** The step key where the replay first differed (the recorded key when the code asked for another one). */
  step: string;
  expected: unknown;
  got: unknown;
}

export interface ReplayReport {
  ok: boolean;
  divergence?: Divergence;
  /** Steps compared before the first divergence (or all). */
  compared: number;
  status: string;
}

/** The cassette of a finished run from its journal and the HTTP exchanges it made; redacted like a transcript. */
export function buildCassette(
  runId: string,
  events: readonly JournalEvent[],
  http: RecordedHttp[],
  options: { source?: string; redactor?: Redactor; mocks?: MocksSpec } = {},
): Cassette {
  const { http: _http, ...mocks } = options.mocks ?? {};
  const state = foldJournal(runId, events);
  const steps = stepsOf(events);
  const cassette: Cassette = {
    cassette: 1,
    workflow: state.workflow,
    version: state.version,
    ...(options.source ? { source: options.source } : {}),
    input: state.input,
    steps,
    http,
    ...(Object.keys(mocks).length > 0 ? { mocks } : {}),
    status: state.phase,
    ...(state.output === undefined ? {} : { output: state.output }),
  };
  return (options.redactor ?? new Redactor()).redact(cassette).value;
}

/** Settled steps, in journal order: a completion, or a failure with no retry left. */
function stepsOf(events: readonly JournalEvent[]): CassetteStep[] {
  const steps: CassetteStep[] = [];
  for (const event of events) {
    if (event.type === "step_completed") steps.push({ key: event.key, result: event.result ?? null });
    else if (event.type === "step_failed" && event.retryAt === undefined) steps.push({ key: event.key, error: event.error });
  }
  return steps;
}

export function writeCassette(path: string, cassette: Cassette): void {
  writeFileSync(path, `${JSON.stringify(cassette, null, 2)}\n`);
}

export function readCassette(path: string): Cassette {
  let cassette: Cassette;
  try {
    cassette = JSON.parse(readFileSync(path, "utf8")) as Cassette;
  } catch (error) {
    throw inputError("cassette_invalid", `cannot read the cassette ${path}: ${(error as Error).message}`, { file: path });
  }
  if (cassette?.cassette !== 1 || !Array.isArray(cassette.steps) || !Array.isArray(cassette.http))
    throw inputError("cassette_invalid", `${path} is not a duro cassette (write one with duro run … --record ${path})`, { file: path });
  return cassette;
}

/** Each recorded exchange becomes a mock answering its method and URL, in the recorded order. */
function httpMocksOf(http: RecordedHttp[]): HttpMock[] {
  const byRequest = new Map<string, HttpMock>();
  for (const exchange of http) {
    const id = `${exchange.method} ${exchange.url}`;
    const rule = byRequest.get(id) ?? { method: exchange.method, url: exchange.url, sequence: [] };
    rule.sequence?.push({ status: exchange.status, headers: exchange.headers, body: exchange.body });
    byRequest.set(id, rule);
  }
  // Exact URLs: escape the wildcard so a recorded "*" matches only itself.
  return [...byRequest.values()].map((rule) => ({ ...rule, url: `/^${rule.url.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}$/` }));
}

/**
 * Re-executes a cassette's workflow offline (memory store, recorded HTTP, timers skipped) and compares each
 * settled step with the recording; the first difference is the divergence.
 */
export async function replayCassette(cassette: Cassette, def: AnyWorkflowDefinition): Promise<ReplayReport> {
  // The recording's clock, tools and kv mocks answer again; its mocked secrets were redacted, so secrets are fixed values.
  const { secrets: _secrets, ...recorded } = cassette.mocks ?? {};
  const clock = new MockClock(recorded.clock);
  const mocks = new Mocks(
    { ...recorded, http: httpMocksOf(cassette.http) },
    () => undefined,
    () => clock.now(),
  );
  const { secrets, journalGuard } = secretsSetup({}, { provider: (name) => `replay-secret-${name}` });
  let compared = 0;
  let divergence: Divergence | undefined;
  const compare = (runId: string, events: JournalEvent[]) => {
    for (const step of stepsOf(events)) {
      if (divergence || runId !== replayId) return;
      const expected = cassette.steps[compared];
      const got = step.error ? { error: step.error.code } : { result: step.result };
      if (!expected) divergence = { step: step.key, expected: "(no more steps)", got };
      else if (expected.key !== step.key) divergence = { step: expected.key, expected: { step: expected.key }, got: { step: step.key } };
      else {
        const want = expected.error ? { error: expected.error.code } : { result: expected.result };
        if (JSON.stringify(want) !== JSON.stringify(got)) divergence = { step: step.key, expected: want, got };
        else compared++;
      }
    }
  };
  let replayId = "";
  const engine = createEngine({
    store: new MemoryStore({ clock: () => clock.now() }),
    workflows: [def],
    clock: () => clock.now(),
    inlineWaitMs: 0,
    secrets,
    journalGuard,
    onEvents: (runId, events) => compare(runId, events),
    extensions: mocks.extensions(),
  });
  const restore = mocks.install();
  try {
    const handle = await engine.start(def as WorkflowDefinition, cassette.input);
    replayId = handle.id;
    const record = await settleSkippingTimers(engine, clock, handle.id);
    const missing = cassette.steps[compared];
    if (!divergence && missing)
      divergence = {
        step: missing.key,
        expected: missing.error ? { error: missing.error.code } : { result: missing.result },
        got: "(the step was not run)",
      };
    return { ok: divergence === undefined, compared, status: record.status, ...(divergence ? { divergence } : {}) };
  } finally {
    restore();
    await engine.close();
  }
}
