// The testing kit for users' own suites: an engine over an in-memory store with a fake clock, the agent toolkit, mocks,
// and helpers to run to completion (skipping timers) or to the next wait, to send events, approvals and
// answers, and to look at the journal. A run that sleeps for days finishes in a moment of real time.
import type { AnyWorkflowDefinition, ApprovalDecision, Duration, JournalEvent, WorkflowDefinition } from "../core/index.js";
import type { Engine, RunDetails, StartOptions } from "../engine/index.js";
import { createEngine } from "../index.js";
import type { RedactionPolicy } from "../observe/index.js";
import { buildRunFolder, HitLocator, hitsOf, type MockHit, type RunFolder, secretsSetup } from "../observe/index.js";
import { MemoryStore } from "../store/index.js";
import { MockClock, settleSkippingTimers } from "./clock.js";
import { Mocks, type MocksSpec } from "./mocks.js";

export interface TestEngineOptions {
  workflows: AnyWorkflowDefinition[];
  /** http, tools, kv and secrets mocks; fetch is intercepted until close() when http mocks are given. */
  mocks?: Omit<MocksSpec, "clock">;
  /** The fake clock's start. default 2025-01-01T00:00:00Z */
  start?: string | number | Date;
  /** Redaction lists for the journal guard and transcripts. */
  redaction?: RedactionPolicy;
}

export interface TestEngine {
  engine: Engine;
  store: MemoryStore;
  clock: MockClock;
  mocks: Mocks;
  /** Every mock hit so far, placed in its run's journal order. */
  hits: MockHit[];
  /** Starts a run and returns its id (nothing executes until a run… helper is called). */
  start<I>(workflow: WorkflowDefinition<I, unknown> | string, input: I, options?: StartOptions): Promise<string>;
  /** Moves the fake clock forward ("1h", "3d", or ms). */
  advance(duration: Duration): void;
  /** Executes until the run ends or waits for the outside world (an event, approval or answer); timers pass at once. */
  runToCompletion(runId: string): Promise<RunDetails>;
  /** Executes until the run ends or waits for anything, a timer included (the clock does not move). */
  runToNextWait(runId: string): Promise<RunDetails>;
  signal(eventKey: string, payload?: unknown): Promise<void>;
  approve(runId: string, gate?: string, decision?: Partial<Pick<ApprovalDecision, "action" | "by" | "comment">>): Promise<void>;
  answer(runId: string, name: string, value: unknown): Promise<void>;
  /** The run's journal. */
  journal(runId: string): Promise<JournalEvent[]>;
  /** Step keys in the order they completed or failed for good. */
  settledSteps(runId: string): Promise<string[]>;
  /** The run folder's files as they would be written (transcript, run.json, logs, report). */
  runFolder(runId: string): Promise<RunFolder>;
  close(): Promise<void>;
}

/** Creates an engine for tests: memory store, fake clock, mocks, secrets from the mocks only. */
export function createTestEngine(options: TestEngineOptions): TestEngine {
  const clock = new MockClock({ mode: "frozen", ...(options.start === undefined ? {} : { start: options.start }) });
  const now = () => clock.now();
  const hits: MockHit[] = [];
  const locator = new HitLocator();
  const mocks = new Mocks(options.mocks ?? {}, (hit) => hits.push(locator.locate(hit)), now);
  const { redactor, secrets, journalGuard } = secretsSetup(options.redaction, { provider: (name) => mocks.secret(name), env: {} });
  const store = new MemoryStore({ clock: now });
  const engine = createEngine({
    store,
    workflows: options.workflows,
    clock: now,
    inlineWaitMs: 0,
    secrets,
    journalGuard,
    onEvents: (runId, events) => locator.observe(runId, events),
    extensions: mocks.extensions(),
  });
  const restore = mocks.install();
  return {
    engine,
    store,
    clock,
    mocks,
    hits,
    start: async (workflow, input, startOptions) => (await engine.start(workflow, input, startOptions)).id,
    advance: (duration) => clock.advance(duration),
    runToCompletion: async (runId) => {
      await settleSkippingTimers(engine, clock, runId, (from, to) => mocks.clockJumped(from, to));
      return engine.get(runId);
    },
    runToNextWait: async (runId) => {
      await engine.runUntilSettled(runId, { maxWaitMs: 0 });
      return engine.get(runId);
    },
    signal: async (eventKey, payload) => void (await engine.signal(eventKey, payload)),
    approve: async (runId, gate, decision = {}) => void (await engine.approve(runId, gate, { action: "approve", ...decision })),
    answer: async (runId, name, value) => void (await engine.answer(runId, name, value)),
    journal: (runId) => engine.events(runId),
    settledSteps: async (runId) =>
      (await engine.events(runId)).flatMap((e) =>
        e.type === "step_completed" || (e.type === "step_failed" && e.retryAt === undefined) ? [e.key] : [],
      ),
    runFolder: async (runId) => buildRunFolder(runId, await engine.events(runId), { redactor, mocks: hitsOf(runId, hits) }),
    close: async () => {
      restore();
      await engine.close();
    },
  };
}
