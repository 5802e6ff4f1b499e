// Checkpoints the WAL from a worker thread with its own connection, so the thread that commits steps never
// stops inside a COMMIT to copy pages back into the database file (SQLite's automatic checkpoint does; it
// cost about a quarter of the time of a busy run). Passive checkpoints never block the writer; when the WAL
// has grown past a limit a TRUNCATE checkpoint (which waits for a gap between commits) empties the file, so
// it stays bounded under a constant load. The thread starts only once the process has written a little or lived a
// little: a short command (`duro run` of a small workflow, `duro signal`) would pay a thread's start-up (tens of ms of
// CPU) for nothing, and its few commits are folded in when the last connection closes, or by a longer-lived process.
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";

export interface CheckpointerOptions {
  /** default 100 */
  intervalMs?: number;
  /** WAL size in pages past which the checkpointer truncates the WAL. default 4096 (16 MiB of 4 KiB pages) */
  restartPages?: number;
  /** Commits of this process after which the thread starts. default 200 (about 1 MiB of WAL) */
  startAfterCommits?: number;
  /** Time after opening at which the thread starts, however few the commits. default 2_000 */
  startAfterMs?: number;
}

// Plain CommonJS evaluated in the worker: it must not depend on how this module was loaded (tsx, vitest, dist).
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
const db = new Database(workerData.path);
db.pragma("busy_timeout = 5000");
const checkpoint = () => {
  try {
    const [state] = db.pragma("wal_checkpoint(PASSIVE)");
    if (state && state.log > workerData.restartPages) db.pragma("wal_checkpoint(TRUNCATE)");
  } catch {
    // Busy or closing: the next tick tries again; the main connection never depends on it.
  }
};
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.on("message", () => {
  clearInterval(timer);
  checkpoint();
  db.close();
  parentPort.close();
});
`;

export class Checkpointer {
  private worker: Worker | undefined;
  private exited: Promise<void> = Promise.resolve();
  private commits = 0;
  private stopped = false;
  private readonly startTimer: ReturnType<typeof setTimeout>;

  /** `onFailure` runs if the thread dies; the store then lets SQLite checkpoint inline again. */
  constructor(
    private readonly path: string,
    private readonly onFailure: (error: Error) => void,
    private readonly options: CheckpointerOptions = {},
  ) {
    // A process that keeps the file open (a worker, a server) checkpoints what short-lived ones leave in the WAL.
    this.startTimer = setTimeout(() => this.start(), options.startAfterMs ?? 2_000);
    this.startTimer.unref();
  }

  /** Counts a commit of this process's connection; enough of them start the thread. */
  committed(): void {
    if (this.worker === undefined && ++this.commits >= (this.options.startAfterCommits ?? 200)) this.start();
  }

  /** Whether the thread was started. */
  get started(): boolean {
    return this.worker !== undefined;
  }

  private start(): void {
    if (this.worker !== undefined || this.stopped) return;
    clearTimeout(this.startTimer);
    const driver = createRequire(import.meta.url).resolve("better-sqlite3");
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { driver, path: this.path, intervalMs: this.options.intervalMs ?? 100, restartPages: this.options.restartPages ?? 4096 },
    });
    worker.unref();
    worker.once("error", this.onFailure);
    this.exited = new Promise((resolve) => worker.once("exit", () => resolve()));
    this.worker = worker;
  }

  /** Runs a last checkpoint and closes the worker's connection (nothing to do if the thread never started). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.startTimer);
    if (!this.worker) return;
    // Unref'd so it never keeps a process alive by itself; while we wait for it, it must.
    this.worker.ref();
    this.worker.postMessage("stop");
    await this.exited;
  }
}
