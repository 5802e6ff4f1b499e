// The typed client of a duro server: start runs, read them, wait for their result over the live stream, follow their
// journal, decide approvals, answer questions, send events, cancel, list. fetch only, so it runs in Node 20+, Deno,
// Bun and browsers; a start given the workflow's definition checks its input and types its result at compile time.
import { type AnyWorkflowDefinition, DuroError, fromErrorInfo, type InputOf, type JournalEvent, type OutputOf } from "../core/portable.js";
import { call, path, type Transport } from "./http.js";
import { journalStream } from "./journal-stream.js";
import { retrying } from "./reconnect.js";
import type { Decided, Run, RunListEntry, RunListPage, RunStatus, Signalled } from "./records.js";

export interface ClientOptions {
  /** The server's URL, e.g. "http://localhost:8080" (a path prefix, if the server is mounted under one, is kept). */
  baseUrl: string;
  /** An API key (`duro keys create`), sent as a bearer token. default none (a `duro serve --dev` server) */
  apiKey?: string;
  /** The fetch to use (a proxy's, a test's). default globalThis.fetch */
  fetch?: typeof fetch;
  /** Headers sent with every request (besides Authorization and Content-Type, which the client sets). default none */
  headers?: Record<string, string>;
  /** Longest pause between attempts while waiting out a server that is away (result(), events()). default 2_000 */
  maxReconnectPauseMs?: number;
}

/** Options every call takes. */
export interface CallOptions {
  /** Aborts the call; it rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** What POST /v1/runs takes besides the workflow and its input. */
export interface StartOptions extends CallOptions {
  /** Your own run id; starting again with the same id returns the first run. default: a new id */
  id?: string;
  /** A second start with the same key returns the first run (created: false). default none */
  idempotencyKey?: string;
  /** Overrides the workflow's queue for this run. default: the workflow's */
  queue?: string;
  /** Overrides the key the workflow's concurrencyKey would give. default: the workflow's */
  concurrencyKey?: string;
  /** Overrides the workflow's priority; lower runs first. default: the workflow's */
  priority?: number;
  /** The session (conversation, thread) the run belongs to. default: none */
  session?: string;
  /** Who started the run. default: the API key's name, else its id */
  actor?: string;
}

export interface ResultOptions extends CallOptions {
  /** Gives up after this long with `result_timeout` (the run goes on). default: wait as long as the run takes */
  timeoutMs?: number;
}

export interface EventsOptions extends CallOptions {
  /** Only events after this seq (e.g. the last one you handled). default 0: from the first event */
  after?: number;
}

export interface DecisionOptions extends CallOptions {
  /** Recorded with the decision. default none */
  comment?: string;
  /** Who decided (a person's name or e-mail). default: the server records the API key */
  by?: string;
}

export interface AnswerOptions extends CallOptions {
  /** Who answered. default: the server records the API key */
  by?: string;
}

export interface CancelOptions extends CallOptions {
  /** Why, recorded in the run. default: the server names the API key */
  reason?: string;
}

export interface ListFilter extends CallOptions {
  status?: RunStatus;
  workflow?: string;
  parentRunId?: string;
  session?: string;
  actor?: string;
  /** Runs with an open wait of this kind (question = ctx.ask, timer = sleep, limit = suspended by its budget). */
  waitingFor?: "event" | "approval" | "question" | "timer" | "child" | "limit" | "tool";
  /** Runs of this workflow version. */
  version?: string;
  /** Created at or after: an ISO 8601 time, or a duration ago ("2h"). */
  since?: string;
  /** Created before (the same forms as since). */
  until?: string;
  /** Newest created first, or most recently changed first. default "created" */
  sort?: "created" | "updated";
  /** Only this tenant's runs (an all-tenants admin key; any other key may name only its own). */
  tenant?: string;
  /** Runs per page (1-200). default: the server's (50) */
  limit?: number;
}

/** A run just started (or found by its id or idempotency key), with its result typed by the workflow's output. */
export interface StartedRun<O = unknown> {
  id: string;
  /** false when a run with this id or idempotency key existed and was returned. */
  created: boolean;
  run: Run<O>;
  /** Waits for the run to end: its output, or the DuroError it failed with (see DuroClient.result). */
  result(options?: ResultOptions): Promise<O>;
}

/** The output a type argument names: a workflow definition's output (`typeof order`), or the type itself. */
export type OutputFor<T> = T extends AnyWorkflowDefinition ? OutputOf<T> : T;

export interface DuroClient {
  /**
   * Starts a run of a workflow: its input is checked and its output typed from the definition, passed as a value
   * (`start(order, input)`) or, where importing it is not wanted (a browser), as a type (`start<typeof order>("order", input)`).
   */
  start<W extends AnyWorkflowDefinition>(workflow: W | string, input: InputOf<W>, options?: StartOptions): Promise<StartedRun<OutputOf<W>>>;
  /** Starts a run of the workflow the server has under this name (input and output unknown). */
  start(workflow: string, input?: unknown, options?: StartOptions): Promise<StartedRun<unknown>>;
  /** The run now: status, steps, waits, output or error; `get<typeof order>(id)` types its output. */
  get<T = unknown>(runId: string, options?: CallOptions): Promise<Run<OutputFor<T>>>;
  /**
   * Waits for the run to end, over the run's live stream (no polling), through dropped connections and server
   * restarts. Resolves with its output (`result<typeof order>(id)` types it); rejects with `run_failed` (the run's error as cause and details.error),
   * `cancelled`, or `result_timeout`.
   */
  result<T = unknown>(runId: string, options?: ResultOptions): Promise<OutputFor<T>>;
  /** The run's journal, live, until it ends: each event once and in order, resuming after dropped connections. */
  events(runId: string, options?: EventsOptions): AsyncIterable<JournalEvent>;
  /** Delivers an event to the runs waiting on `key` (ctx.waitForEvent); kept for runs that wait on it later. */
  signal(key: string, payload?: unknown, options?: CallOptions): Promise<Signalled>;
  /** Approves the run's approval gate. */
  approve(runId: string, gate: string, options?: DecisionOptions): Promise<Decided>;
  /** Rejects the run's approval gate. */
  reject(runId: string, gate: string, options?: DecisionOptions): Promise<Decided>;
  /** Answers the run's question (ctx.ask). */
  answer(runId: string, name: string, value: unknown, options?: AnswerOptions): Promise<Decided>;
  /** Cancels the run: at once when it waits or is queued, at its next commit when it executes elsewhere. */
  cancel(runId: string, options?: CancelOptions): Promise<Run>;
  /** Every run matching the filter, newest first, fetching page after page as the iteration goes. */
  list(filter?: ListFilter): AsyncIterable<RunListEntry>;
  /** One page of runs; pass the previous page's `nextCursor` as `cursor`. */
  listPage(filter?: ListFilter & { cursor?: string }): Promise<RunListPage>;
}

const TERMINAL: ReadonlySet<string> = new Set(["completed", "failed", "cancelled"]);

/** A client of the duro server at `baseUrl`. */
export function createClient(options: ClientOptions): DuroClient {
  const transport: Transport = {
    baseUrl: options.baseUrl,
    apiKey: options.apiKey,
    // Bound: a fetch called as a method of another object throws "Illegal invocation" in browsers.
    fetch: options.fetch ?? globalThis.fetch.bind(globalThis),
    headers: options.headers ?? {},
  };
  const maxPauseMs = options.maxReconnectPauseMs ?? 2_000;

  const get = <O>(runId: string, opts: CallOptions = {}) =>
    call<Run<O>>(transport, { method: "GET", path: path`/v1/runs/${runId}`, signal: opts.signal });

  async function result<O>(runId: string, opts: ResultOptions = {}): Promise<O> {
    const deadline = deadlineSignal(runId, opts);
    try {
      const read = () => retrying(() => get<O>(runId, { signal: deadline.signal }), maxPauseMs, deadline.signal);
      let run = await read();
      if (!TERMINAL.has(run.status)) {
        for await (const event of journalStream(transport, runId, { after: run.lastSeq, signal: deadline.signal, maxPauseMs })) {
          if (event.type === "run_completed" || event.type === "run_failed" || event.type === "run_cancelled") break;
        }
        run = await read();
      }
      return outcome(run);
    } finally {
      deadline.dispose();
    }
  }

  async function decide(runId: string, gate: string, action: "approve" | "reject", opts: DecisionOptions): Promise<Decided> {
    const { signal, ...body } = opts;
    return call<Decided>(transport, {
      method: "POST",
      path: path`/v1/runs/${runId}/approvals/${gate}`,
      body: { action, ...body },
      signal,
    });
  }

  const listPage = ({ signal, ...query }: ListFilter & { cursor?: string } = {}) =>
    call<RunListPage>(transport, { method: "GET", path: "/v1/runs", query, signal });

  return {
    async start(workflow: AnyWorkflowDefinition | string, input?: unknown, opts: StartOptions = {}) {
      const { signal, ...startOptions } = opts;
      const name = typeof workflow === "string" ? workflow : workflow.name;
      const { created, ...run } = await call<Run & { created: boolean }>(transport, {
        method: "POST",
        path: "/v1/runs",
        body: { workflow: name, input: input ?? {}, ...startOptions },
        signal,
      });
      return { id: run.id, created, run, result: (resultOptions?: ResultOptions) => result(run.id, resultOptions) } as StartedRun<never>;
    },
    get,
    result,
    events: (runId, opts = {}) => journalStream(transport, runId, { ...opts, maxPauseMs }),
    signal: (key, payload, opts = {}) =>
      call<Signalled>(transport, { method: "POST", path: "/v1/events", body: { key, payload: payload ?? null }, signal: opts.signal }),
    approve: (runId, gate, opts = {}) => decide(runId, gate, "approve", opts),
    reject: (runId, gate, opts = {}) => decide(runId, gate, "reject", opts),
    answer: async (runId, name, value, opts = {}) => {
      const answered = await call<{ runId: string; name: string }>(transport, {
        method: "POST",
        path: path`/v1/runs/${runId}/answers/${name}`,
        body: { value, ...(opts.by === undefined ? {} : { by: opts.by }) },
        signal: opts.signal,
      });
      return { runId: answered.runId, gate: answered.name, ...(opts.by === undefined ? {} : { by: opts.by }) };
    },
    cancel: (runId, opts = {}) =>
      call(transport, {
        method: "POST",
        path: path`/v1/runs/${runId}/cancel`,
        body: opts.reason === undefined ? {} : { reason: opts.reason },
        signal: opts.signal,
      }),
    list: (filter = {}) => pages(listPage, filter),
    listPage,
  };
}

/** Every entry of every page, fetching the next page only when the iteration reaches it. */
async function* pages(listPage: (filter: ListFilter & { cursor?: string }) => Promise<RunListPage>, filter: ListFilter) {
  let cursor: string | undefined;
  do {
    const page = await listPage({ ...filter, ...(cursor === undefined ? {} : { cursor }) });
    yield* page.runs;
    cursor = page.nextCursor;
  } while (cursor !== undefined);
}

/** The run's output, or the error it ended with. */
function outcome<O>(run: Run<O>): O {
  if (run.status === "completed") return run.output as O;
  if (run.status === "cancelled") {
    throw new DuroError("cancelled", `run ${run.id} was cancelled: ${run.cancelReason ?? "no reason given"}`, {
      details: { runId: run.id, ...(run.cancelReason === undefined ? {} : { reason: run.cancelReason }) },
    });
  }
  const error = run.error ?? { code: "run_failed", message: "the run failed without a recorded error" };
  throw new DuroError("run_failed", `run ${run.id} (${run.workflow}) failed: ${error.message}`, {
    details: { runId: run.id, error },
    cause: fromErrorInfo(error),
  });
}

/** The caller's signal, plus a timer that aborts with `result_timeout` when `timeoutMs` is given. */
function deadlineSignal(runId: string, opts: ResultOptions): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onAbort = () => controller.abort(opts.signal?.reason);
  if (opts.signal?.aborted) onAbort();
  opts.signal?.addEventListener("abort", onAbort, { once: true });
  const timer =
    opts.timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          controller.abort(
            new DuroError(
              "result_timeout",
              `run ${runId} did not end within ${opts.timeoutMs} ms; it goes on, call result() again to wait more`,
              {
                details: { runId, timeoutMs: opts.timeoutMs },
              },
            ),
          );
        }, opts.timeoutMs);
  return {
    signal: controller.signal,
    dispose: () => {
      clearTimeout(timer);
      opts.signal?.removeEventListener("abort", onAbort);
    },
  };
}
