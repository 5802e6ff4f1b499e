// What `duro run` adds for the local dev loop: secrets through a vault and kept out of the journal, mocks
// (--mocks), the run folder (--artifacts-dir, default .duro/runs/<runId>/), a cassette (--record) and tracing.
import { appendFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Engine, EngineOptions, JournalEvent, RunRecord } from "../index.js";
import { exportRunOverOtlp, otlpConfigured } from "../observe/otlp.js";
import { MOCKS_FILE, readJournal, runFolderPath, writeRunFolder } from "../observe/run-folder.js";
import { secretsSetup } from "../observe/secrets.js";
import { HitLocator, hitsOf, type MockHit } from "../observe/transcript.js";
import { buildCassette, writeCassette } from "../testing/cassette.js";
import { MockClock, settleSkippingTimers } from "../testing/clock.js";
import { loadMocksFile, Mocks } from "../testing/mocks.js";
import { recordMocks } from "../testing/run-mocks.js";
import { formatLeaseNotice, warn } from "./output.js";

export interface DevRunValues {
  "artifacts-dir"?: string | undefined;
  mocks?: string | undefined;
  record?: string | undefined;
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

export function devSession(values: DevRunValues, onEvents?: (runId: string, events: JournalEvent[]) => void): DevSession {
  const spec = values.mocks === undefined ? {} : loadMocksFile(values.mocks);
  const clock = spec.clock ? new MockClock(spec.clock) : undefined;
  const now = clock ? () => clock.now() : Date.now;
  const hits: MockHit[] = [];
  const locator = new HitLocator();
  const mocks = new Mocks(spec, (hit) => hits.push(locator.locate(hit)), now, values.record !== undefined);
  const { redactor, secrets, journalGuard } = secretsSetup({}, { provider: (name) => mocks.secret(name) });
  const restore = mocks.install();
  return {
    startMeta: values.mocks === undefined ? {} : { mocks: recordMocks(values.mocks) },
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
        : engine.runUntilSettled(runId, { maxWaitMs: 30_000, onLease: (notice) => warn(`duro: ${formatLeaseNotice(notice)}`) }),
    async finish(engine, runId, source) {
      const dir = values["artifacts-dir"] ?? runFolderPath(runId);
      mkdirSync(dir, { recursive: true });
      const lines = hitsOf(runId, hits).map((hit) => `${JSON.stringify(redactor.redact(hit).value)}\n`);
      if (lines.length > 0) appendFileSync(join(dir, MOCKS_FILE), lines.join(""));
      await writeRunFolder(engine.store, runId, dir, { redactor });
      if (otlpConfigured()) {
        const problem = await exportRunOverOtlp(runId, await readJournal(engine.store, runId));
        if (problem) warn(`duro: ${problem}`);
      }
      if (values.record !== undefined) {
        const events = await readJournal(engine.store, runId);
        writeCassette(values.record, buildCassette(runId, events, mocks.recorded, { source, redactor, mocks: spec }));
      }
      return dir;
    },
    close: restore,
  };
}
