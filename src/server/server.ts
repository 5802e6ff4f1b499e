// Listening: the API app on a port, with the engine's worker (unless turned off), closed gracefully on demand.
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import type { Engine, Worker } from "../index.js";
import { createApp, type ServerOptions } from "./app.js";

export interface ListenOptions extends ServerOptions {
  /** default 8080; 0 picks a free port */
  port?: number;
  /** default "127.0.0.1" with dev, else "0.0.0.0" */
  host?: string;
  /** Run a worker for the engine's workflows in this process. default true */
  worker?: boolean | { concurrency?: number };
}

export interface RunningServer {
  url: string;
  port: number;
  engine: Engine;
  worker: Worker | undefined;
  /** Stops accepting requests, lets the worker finish its steps, closes the store. */
  close(): Promise<void>;
}

export async function listen(options: ListenOptions): Promise<RunningServer> {
  const app = createApp(options);
  const host = options.host ?? (options.dev ? "127.0.0.1" : "0.0.0.0");
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: options.port ?? 8080, hostname: host }, () => resolve(s));
    s.once("error", reject);
  });
  const port = (server.address() as AddressInfo).port;
  const workerOptions = options.worker ?? true;
  const worker =
    workerOptions === false
      ? undefined
      : options.engine.runWorker({
          ...(typeof workerOptions === "object" && workerOptions.concurrency ? { concurrency: workerOptions.concurrency } : {}),
          ...(options.metrics ? { onOutcome: options.metrics.onOutcome } : {}),
        });
  return {
    url: `http://${host === "0.0.0.0" ? "127.0.0.1" : host}:${port}`,
    port,
    engine: options.engine,
    worker,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Open event streams would hold close() forever.
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
      await options.engine.close();
    },
  };
}
