// Listening: the API app on a port, with the engine's worker (unless turned off), closed gracefully on demand.
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import type { Engine, Worker } from "../index.js";
import { createApp, type ServerOptions } from "./app.js";

export interface ListenOptions extends ServerOptions {
  /** default 8080; 0 picks a free port */
  port?: number;
  /**
   * The address to listen on. default "127.0.0.1": only this machine reaches the server until it is given an
   * address others can reach ("0.0.0.0" for every interface), which --dev refuses.
   */
  host?: string;
  /** Run a worker for the engine's workflows in this process. default true */
  worker?: boolean | { concurrency?: number };
}

export interface RunningServer {
  url: string;
  /** The address it listens on, as the socket reports it. */
  address: string;
  port: number;
  engine: Engine;
  worker: Worker | undefined;
  /** Stops accepting requests, lets the worker finish its steps, closes the store. */
  close(): Promise<void>;
}

export async function listen(options: ListenOptions): Promise<RunningServer> {
  const host = options.host ?? "127.0.0.1";
  const app = createApp({ ...options, host });
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: options.port ?? 8080, hostname: host }, () => resolve(s));
    s.once("error", reject);
  });
  const { port, address } = server.address() as AddressInfo;
  const workerOptions = options.worker ?? true;
  const worker =
    workerOptions === false
      ? undefined
      : options.engine.runWorker({
          ...(typeof workerOptions === "object" && workerOptions.concurrency ? { concurrency: workerOptions.concurrency } : {}),
          ...(options.metrics ? { onOutcome: options.metrics.onOutcome } : {}),
        });
  return {
    url: `http://${urlHost(host)}:${port}`,
    address,
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

/** The host part of a URL that reaches an address: a wildcard is reached at loopback; IPv6 goes in brackets. */
function urlHost(host: string): string {
  if (host === "0.0.0.0") return "127.0.0.1";
  if (host === "::") return "[::1]";
  return host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
}
