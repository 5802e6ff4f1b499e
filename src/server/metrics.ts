// Prometheus metrics of this server: runs by status and queue depth (read from the store at scrape time),
// step durations and invocation outcomes of the runs this process executed (from the engine's hooks).
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import { versionCoverage } from "../engine/index.js";
import type { InvocationOutcome, JournalEvent } from "../index.js";
import type { RunStatus, Runs, Store } from "../store/index.js";
import { RUN_STATUSES } from "./schemas.js";

/** Counting stops here per status, so that a scrape costs at most this many rows per status. */
const COUNT_CAP = 10_000;

export class ServerMetrics {
  readonly registry = new Registry();
  private readonly stepStarts = new Map<string, number>();
  private readonly stepSeconds = new Histogram({
    name: "duro_step_duration_seconds",
    help: "Duration of step attempts executed by this process",
    labelNames: ["outcome"],
    buckets: [0.005, 0.025, 0.1, 0.5, 1, 5, 30, 120, 600],
    registers: [this.registry],
  });
  private readonly invocations = new Counter({
    name: "duro_invocations_total",
    help: "Run invocations (claims) executed by this process, by how they ended",
    labelNames: ["status"],
    registers: [this.registry],
  });
  private readonly events = new Counter({
    name: "duro_journal_events_total",
    help: "Journal events committed by this process",
    registers: [this.registry],
  });

  constructor(store: Pick<Store, "listRuns" | "listWorkers" | "countUnfinished">) {
    const runs = new Gauge({
      name: "duro_runs",
      help: `Runs by status (all tenants; each status counted up to ${COUNT_CAP})`,
      labelNames: ["status"],
      registers: [this.registry],
      collect: async () => {
        for (const status of RUN_STATUSES) runs.set({ status }, await countRuns(store, status));
      },
    });
    new Gauge({
      name: "duro_workers_live",
      help: "Workers whose announcement in the live workers registry has not expired",
      registers: [this.registry],
      async collect() {
        this.set((await store.listWorkers()).length);
      },
    });
    // Alert on this (e.g. > 0 for 10 minutes): runs of a version no live worker would ever claim, which would
    // otherwise just wait. See `duro versions`.
    const stranded = new Gauge({
      name: "duro_runs_stranded",
      help: "Unfinished runs that no live worker would claim, by workflow version; state stranded (live workers pin other versions) or unserved (no live worker runs the workflow)",
      labelNames: ["workflow", "version", "state"],
      registers: [this.registry],
      collect: async () => {
        const [unfinished, workers] = await Promise.all([store.countUnfinished(), store.listWorkers()]);
        const counts = unfinished.map((u) => ({ workflow: u.workflow, version: u.version, count: u.queued + u.running + u.waiting }));
        stranded.reset();
        for (const c of versionCoverage(counts, workers)) {
          if (c.state === "stranded" || c.state === "unserved")
            stranded.set({ workflow: c.workflow, version: c.version, state: c.state }, c.unfinished);
        }
      },
    });
    new Gauge({
      name: "duro_queue_depth",
      help: "Runs queued and not yet claimed",
      registers: [this.registry],
      async collect() {
        this.set(await countRuns(store, "queued"));
      },
    });
  }

  /** EngineOptions.onEvents */
  readonly onEvents = (runId: string, events: JournalEvent[]): void => {
    this.events.inc(events.length);
    for (const event of events) {
      if (event.type === "step_started") {
        // Attempts that never finish here (the process died, the lease moved) must not pile up.
        if (this.stepStarts.size > 10_000) this.stepStarts.clear();
        this.stepStarts.set(`${runId}\u0000${event.key}`, Date.parse(event.at));
      }
      if (event.type !== "step_completed" && event.type !== "step_failed") continue;
      const id = `${runId}\u0000${event.key}`;
      const started = this.stepStarts.get(id);
      this.stepStarts.delete(id);
      if (started !== undefined)
        this.stepSeconds.observe(
          { outcome: event.type === "step_completed" ? "completed" : "failed" },
          (Date.parse(event.at) - started) / 1_000,
        );
    }
  };

  /** WorkerOptions.onOutcome */
  readonly onOutcome = (outcome: InvocationOutcome): void => {
    this.invocations.inc({ status: outcome.status });
  };
}

async function countRuns(store: Pick<Runs, "listRuns">, status: RunStatus): Promise<number> {
  let count = 0;
  let cursor: string | undefined;
  do {
    const page = await store.listRuns({ status, limit: 500, ...(cursor ? { cursor } : {}) });
    count += page.runs.length;
    cursor = page.nextCursor;
  } while (cursor && count < COUNT_CAP);
  return count;
}
