// The local dev loop around one run (what `duro run` adds): secrets through a vault and kept out of the journal,
// mocks, the run folder (default .duro/runs/<runId>/), a cassette and tracing. The mocks answer in this process only.
import { appendFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Engine, EngineOptions, JournalEvent, LeaseNotice, RunRecord } from "../index.js";
import {
  exportRunOverOtlp,
  HitLocator,
  hitsOf,
  MOCKS_FILE,
  type MockHit,
  otlpConfigured,
  readJournal,
  runFolderPath,
  secretsSetup,
  writeRunFolder,
} from "../observe/index.js";
import { buildCassette, loadMocksFile, MockClock, Mocks, settleSkippingTimers, writeCassette } from "../testing/index.js";
import { recordMocks } from "./run-mocks.js";

export interface DevSessionOptions {
  /** A mocks file (YAML) answering components, tools, HTTP calls, secrets and the clock; recorded with the run. */
  mocks?: string | undefined;
  /** Where to write a cassette of the run's outside calls, for replayCassette. default: none */
  record?: string | undefined;
  /** Where the run folder goes. default .duro/runs/<runId> */
  artifactsDir?: string | undefined;
  /** Told the events each commit adds, as they are committed (progress output). */
  onEvents?: ((runId: string, events: JournalEvent[]) => void) | undefined;
  /** Told when this process takes over or gives up a run's lease while settling. default: nothing */
  onLease?: ((notice: LeaseNotice) => void) | undefined;
  /** Told a problem that does not stop the run (tracing export failed). default: a `duro: …` line on stderr */
  onWarning?: ((warning: string) => void) | undefined;
}

export interface DevSession {
  /** Options for the engine of this run. */
  engineOptions: Partial<EngineOptions>;
  /** What the run records of this session (`meta` of its start): the mocks file and its digest. */
  startMeta: Record<string, unknown>;
  /** Throws `secret_in_journal` if the input holds a secret (before the store is opened). */
  checkInput(input: unknown, workflow: string): void;
  /** Executes the run until it ends or waits (with a mock clock, over every timer). */
  settle(engine: Engine, runId: string): Promise<RunRecord>;
  /** Writes the run folder (and the cassette). */
  finish(engine: Engine, runId: string, source: string): Promise<string>;
  /** Removes the mocks that stand in process-wide (fetch); tool mocks are the engine's extensions. */
  close(): void;
}

/** Sets up the dev loop (installs the mocks at once); close() removes them. */
export function devSession(options: DevSessionOptions): DevSession {
  const { onEvents, onLease } = options;
  const onWarning = options.onWarning ?? ((warning: string) => console.warn(`duro: ${warning}`));
  const spec = options.mocks === undefined ? {} : loadMocksFile(options.mocks);
  const clock = spec.clock ? new MockClock(spec.clock) : undefined;
  const now = clock ? () => clock.now() : Date.now;
  const hits: MockHit[] = [];
  const locator = new HitLocator();
  const mocks = new Mocks(spec, (hit) => hits.push(locator.locate(hit)), now, options.record !== undefined);
  const { redactor, secrets, journalGuard } = secretsSetup({}, { provider: (name) => mocks.secret(name) });
  const restore = mocks.install();
  return {
    startMeta: options.mocks === undefined ? {} : { mocks: recordMocks(options.mocks) },
    // With a mock clock no timer is awaited in real time: settle() jumps the clock to each one instead.
    engineOptions: {
      secrets,
      journalGuard,
      onEvents: (runId, events) => {
        locator.observe(runId, events);
        onEvents?.(runId, events);
      },
      ...(clock ? { clock: now, inlineWaitMs: 0 } : {}),
      extensions: mocks.extensions(),
    },
    checkInput: (input, workflow) => journalGuard.check(input, `input of workflow "${workflow}"`),
    settle: (engine, runId) =>
      clock
        ? settleSkippingTimers(engine, clock, runId, (from, to) => mocks.clockJumped(from, to))
        : engine.runUntilSettled(runId, { maxWaitMs: 30_000, ...(onLease ? { onLease } : {}) }),
    async finish(engine, runId, source) {
      const dir = options.artifactsDir ?? runFolderPath(runId);
      mkdirSync(dir, { recursive: true });
      const lines = hitsOf(runId, hits).map((hit) => `${JSON.stringify(redactor.redact(hit).value)}\n`);
      if (lines.length > 0) appendFileSync(join(dir, MOCKS_FILE), lines.join(""));
      await writeRunFolder(engine.store, runId, dir, { redactor });
      if (otlpConfigured()) {
        const problem = await exportRunOverOtlp(runId, await readJournal(engine.store, runId));
        if (problem) onWarning(problem);
      }
      if (options.record !== undefined) {
        const events = await readJournal(engine.store, runId);
        writeCassette(options.record, buildCassette(runId, events, mocks.recorded, { source, redactor, mocks: spec }));
      }
      return dir;
    },
    close: restore,
  };
}
