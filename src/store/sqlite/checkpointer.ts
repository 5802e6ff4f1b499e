// Checkpoints the WAL from a worker thread with its own connection, so the thread that commits steps never
// stops inside a COMMIT to copy pages back into the database file (SQLite's automatic checkpoint does; it
// cost about a quarter of the time of a busy run). Passive checkpoints never block the writer; when the WAL
// has grown past a limit a TRUNCATE checkpoint (which waits for a gap between commits) empties the file, so
// it stays bounded under a constant load.
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";

export interface CheckpointerOptions {
  /** default 100 */
  intervalMs?: number;
  /** WAL size in pages past which the checkpointer truncates the WAL. default 4096 (16 MiB of 4 KiB pages) */
  restartPages?: number;
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
  private readonly worker: Worker;
  private readonly exited: Promise<void>;

  /** `onFailure` runs if the thread dies; the store then lets SQLite checkpoint inline again. */
  constructor(path: string, onFailure: (error: Error) => void, options: CheckpointerOptions = {}) {
    const driver = createRequire(import.meta.url).resolve("better-sqlite3");
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { driver, path, intervalMs: options.intervalMs ?? 100, restartPages: options.restartPages ?? 4096 },
    });
    this.worker.unref();
    this.worker.once("error", onFailure);
    this.exited = new Promise((resolve) => this.worker.once("exit", () => resolve()));
  }

  /** Runs a last checkpoint and closes the worker's connection. */
  async stop(): Promise<void> {
    // Unref'd so it never keeps a process alive by itself; while we wait for it, it must.
    this.worker.ref();
    this.worker.postMessage("stop");
    await this.exited;
  }
}
