// A run's journal, live, over GET /v1/runs/{id}/stream: each event once and in order. A dropped connection (the
// server restarted, a proxy cut it) is reopened with Last-Event-ID set to the last seq received, so the server sends
// exactly what came after it: nothing missed, nothing twice.
import { DuroError, isDuroError, type JournalEvent } from "../core/portable.js";
import { path, send, type Transport } from "./http.js";
import { isTransient, pause, pauseBefore } from "./reconnect.js";
import { readSse } from "./sse.js";

export interface JournalStreamOptions {
  /** Start after this seq (the events up to it are not sent). default 0: from the first event */
  after?: number;
  /** Stops the stream; the iteration rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** Yields the run's events after `after` until its last one (the run ended), reconnecting while the server is away. */
export async function* journalStream(
  transport: Transport,
  runId: string,
  options: JournalStreamOptions & { maxPauseMs: number },
): AsyncGenerator<JournalEvent> {
  const { signal } = options;
  let last = options.after ?? 0;
  for (let failures = 0; ; failures++) {
    const connection = new AbortController();
    const stop = () => connection.abort(signal?.reason);
    signal?.addEventListener("abort", stop, { once: true });
    let failure: unknown;
    try {
      const response = await send(transport, {
        method: "GET",
        path: path`/v1/runs/${runId}/stream`,
        headers: { accept: "text/event-stream", ...(last > 0 ? { "last-event-id": String(last) } : {}) },
        signal: connection.signal,
      });
      if (!response.body) return;
      for await (const message of readSse(response.body)) {
        if (message.event === "end") return;
        if (message.event !== "journal") continue;
        const event = parseEvent(message.data, runId);
        // The server resumes after Last-Event-ID; this guards the promise of "never twice" against a proxy's replay.
        if (event.seq <= last) continue;
        last = event.seq;
        failures = 0;
        yield event;
      }
    } catch (error) {
      failure = error;
    } finally {
      signal?.removeEventListener("abort", stop);
      connection.abort();
    }
    if (signal?.aborted) throw signal.reason;
    // A body that ended without `end`, or broke off mid-way, is a dropped connection; an API error may be for good.
    if (isDuroError(failure) && !isTransient(failure)) throw failure;
    await pause(pauseBefore(failures, options.maxPauseMs, failure), signal);
  }
}

function parseEvent(data: string, runId: string): JournalEvent {
  try {
    return JSON.parse(data) as JournalEvent;
  } catch (error) {
    throw new DuroError("bad_response", `the stream of run ${runId} sent an event that is not JSON: ${data.slice(0, 200)}`, {
      cause: error,
    });
  }
}
