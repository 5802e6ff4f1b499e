// An engine inside an app's process: its worker runs beside the app, and at SIGTERM (or SIGINT) the app stops taking
// requests, the worker stops claiming and lets running steps finish (bounded by graceMs), the store closes, and the
// process exits. This is the drain `duro serve` and `duro worker` do, started from the app.
import type { Engine, Worker, WorkerOptions } from "../index.js";

/** The app's HTTP server, as Node's http.Server has it (Express's app.listen(), Fastify's app.server, @hono/node-server's serve()). */
export interface ClosableServer {
  close(callback?: (error?: Error) => void): unknown;
  /** Ends open connections (event streams would hold close() forever). */
  closeAllConnections?(): void;
}

export interface EmbedOptions {
  engine: Engine;
  /** The app's server: closed first at shutdown, so no new request arrives. default none (e.g. Next.js, which owns its server) */
  server?: ClosableServer;
  /** The worker's options (concurrency, graceMs: how long running steps may finish at shutdown, default 10_000). */
  worker?: WorkerOptions;
  /** The signals that shut down. default ["SIGTERM", "SIGINT"] */
  signals?: NodeJS.Signals[];
  /** Exit the process once shut down (with exitCode, default 0). default true; false leaves the exit to the app */
  exit?: boolean;
  /** Told each stage of a shutdown ("draining", "closed"), e.g. to log it. default none */
  onShutdown?: (stage: "draining" | "closed") => void;
}

export interface Embedded {
  worker: Worker;
  /** Shuts down as a signal does (without exiting): server, worker drain, store. Idempotent. */
  shutdown(): Promise<void>;
}

/** Starts the engine's worker in this process and shuts it down with the app; see EmbedOptions. */
export function embed(options: EmbedOptions): Embedded {
  const { engine, server } = options;
  const worker = engine.runWorker(options.worker ?? {});
  const signals = options.signals ?? ["SIGTERM", "SIGINT"];
  let closing: Promise<void> | undefined;
  const shutdown = () => {
    closing ??= (async () => {
      for (const signal of signals) process.off(signal, onSignal);
      options.onShutdown?.("draining");
      // Stop accepting first; the server's close() finishes only when its open connections end, after the drain.
      const closed = server === undefined ? Promise.resolve() : new Promise<void>((resolve) => server.close(() => resolve()));
      await engine.close();
      server?.closeAllConnections?.();
      await closed;
      options.onShutdown?.("closed");
    })();
    return closing;
  };
  const onSignal = () => {
    void shutdown().then(
      () => {
        if (options.exit !== false) process.exit();
      },
      (error: unknown) => {
        console.error("duro: shutdown failed:", error);
        process.exit(1);
      },
    );
  };
  for (const signal of signals) process.once(signal, onSignal);
  return { worker, shutdown };
}
