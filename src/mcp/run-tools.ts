// The tools duro offers an MCP host: read runs, their timelines, journals and failures; start, signal, decide, answer,
// cancel and fork them; check a deploy. Each names the least role it needs (the same as the HTTP API's route) and
// reaches runs only through the caller's Scope. Descriptions are written for the model that picks the tool.
import { z } from "zod";
import {
  buildRunFolder,
  checkDeploy,
  DuroError,
  forkRun,
  formatTimeline,
  type RunDetails,
  type RunFilter,
  type RunRecord,
  readJournal,
  WAITING_FOR,
} from "../index.js";
import type { ApiRole } from "../store/index.js";
import type { Scope } from "./scope.js";

export interface RunTool<S extends z.ZodObject = z.ZodObject> {
  name: string;
  title: string;
  description: string;
  /** The least role that may call it. */
  role: ApiRole;
  input: S;
  run(args: z.output<S>, scope: Scope): Promise<Record<string, unknown>>;
}

const define = <S extends z.ZodObject>(tool: RunTool<S>): RunTool => tool as unknown as RunTool;

const RUN_STATUSES = ["queued", "running", "waiting", "completed", "failed", "cancelled"] as const;
const runId = z.string().min(1).max(128).describe("the run's id, e.g. r_01J…; list_runs finds it");
// Any JSON value: the transport delivers JSON, and the engine checks what it journals (not_json).
const json = z.unknown();

/** A run as a list shows it: what a model needs to pick one, with ISO times. */
function runSummary(run: RunRecord) {
  return {
    id: run.id,
    workflow: run.workflow,
    status: run.status,
    ...(run.waitingFor === undefined ? {} : { waitingFor: run.waitingFor }),
    ...(run.session === undefined ? {} : { session: run.session }),
    ...(run.actor === undefined ? {} : { actor: run.actor }),
    ...(run.parentRunId === undefined ? {} : { parentRunId: run.parentRunId }),
    createdAt: new Date(run.createdAt).toISOString(),
    updatedAt: new Date(run.updatedAt).toISOString(),
  };
}

const listRuns = define({
  name: "list_runs",
  title: "List runs",
  description:
    "Lists workflow runs, newest first, optionally filtered. Use status 'waiting' with waitingFor 'approval' to find runs " +
    "that need a person's decision, status 'failed' to find failures. Returns up to `limit` runs and, when there are " +
    "more, a nextCursor to pass as `cursor` for the next page.",
  role: "viewer",
  input: z
    .object({
      status: z.enum(RUN_STATUSES).optional().describe("only runs in this state"),
      workflow: z.string().min(1).optional().describe("only runs of this workflow (by name)"),
      waitingFor: z
        .enum(WAITING_FOR as readonly [string, ...string[]])
        .optional()
        .describe("only runs with an open wait of this kind: approval, question, event, timer, child, limit, tool"),
      session: z.string().min(1).optional().describe("only runs of this session (conversation, thread)"),
      actor: z.string().min(1).optional().describe("only runs started by this actor"),
      parentRunId: z.string().min(1).optional().describe("only child runs of this run"),
      limit: z.number().int().min(1).max(200).optional().describe("how many runs at most (default 20)"),
      cursor: z.string().min(1).optional().describe("the nextCursor of a previous call, for the next page"),
    })
    .strict(),
  async run(args, scope) {
    const filter = Object.fromEntries(Object.entries(args).filter(([, v]) => v !== undefined)) as RunFilter;
    const page = await scope.engine.list({ limit: 20, ...filter, tenant: scope.caller.tenant });
    return { runs: page.runs.map(runSummary), ...(page.nextCursor === undefined ? {} : { nextCursor: page.nextCursor }) };
  },
});

const listPending = define({
  name: "list_pending",
  title: "List what waits for a person",
  description:
    "Lists the open approvals, questions and external tool calls of waiting runs: what someone has to decide or answer " +
    "before those runs go on. Each entry names the run, the gate or question and its prompt; decide with approve_run / " +
    "reject_run, answer with answer_question.",
  role: "viewer",
  input: z.object({}).strict(),
  async run(_args, scope) {
    return { pending: await scope.engine.pending({ tenant: scope.caller.tenant }) };
  },
});

const getRun = define({
  name: "get_run",
  title: "Show a run",
  description:
    "Shows one run: its status, input, output or error, its steps, open waits (approvals, questions, events) and " +
    "bookmarks, and a readable timeline of what happened when.",
  role: "viewer",
  input: z.object({ runId }).strict(),
  async run({ runId }, scope) {
    await scope.run(runId);
    const run: RunDetails = await scope.engine.get(runId);
    return { run, timeline: formatTimeline(runId, await scope.engine.events(runId)) };
  },
});

const readEvents = define({
  name: "read_events",
  title: "Read a run's journal",
  description:
    "Reads a run's journal: its events in order (run_created, step_started, step_completed, wait_started, …), each " +
    "with its seq. Page with fromSeq (the nextSeq of the previous call).",
  role: "viewer",
  input: z
    .object({
      runId,
      fromSeq: z.number().int().min(1).optional().describe("the first seq to read (default 1)"),
      limit: z.number().int().min(1).max(500).optional().describe("how many events at most (default 100)"),
    })
    .strict(),
  async run({ runId, fromSeq, limit }, scope) {
    await scope.run(runId);
    const events = await scope.engine.events(runId, fromSeq ?? 1);
    const page = events.slice(0, limit ?? 100);
    const last = page.at(-1);
    return { events: page, ...(events.length > page.length && last ? { nextSeq: last.seq + 1 } : {}) };
  },
});

const startRun = define({
  name: "start_run",
  title: "Start a run",
  description:
    "Starts a run of a workflow with the given input and returns it (queued; a worker executes it). The workflows and " +
    "their input schemas are the duro://workflows/{name} resources. With an idempotencyKey a repeated start returns the " +
    "run that key started instead of starting another.",
  role: "admin",
  input: z
    .object({
      workflow: z.string().min(1).describe("the workflow's name"),
      input: json.optional().describe("the run's input (JSON), as the workflow's input schema wants it; default {}"),
      idempotencyKey: z.string().min(1).max(500).optional().describe("starts at most one run per key"),
      session: z.string().min(1).max(500).optional().describe("the session (conversation, thread) the run belongs to"),
    })
    .strict(),
  async run({ workflow, input, idempotencyKey, session }, scope) {
    const manifest = scope.options.manifestOf?.(workflow);
    const handle = await scope.engine.start(workflow, (input ?? {}) as never, {
      tenant: scope.caller.tenant,
      actor: scope.caller.actor,
      ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
      ...(session === undefined ? {} : { session }),
      ...(manifest === undefined ? {} : { manifest }),
    });
    return { created: handle.created, run: runSummary(handle.run) };
  },
});

const sendEvent = define({
  name: "send_event",
  title: "Send an event",
  description:
    "Sends an event to the runs waiting on its key (ctx.waitForEvent). A run that waits on the key wakes with the " +
    "payload; if none waits yet, the event is kept until one does.",
  role: "operator",
  input: z
    .object({
      key: z.string().min(1).max(500).describe("the event key runs wait on, e.g. payment:order-42"),
      payload: json.optional().describe("the event's data (JSON); default null"),
    })
    .strict(),
  async run({ key, payload }, scope) {
    scope.options.checkEvent?.(payload ?? null);
    const result = await scope.engine.signal(key, payload ?? null, { tenant: scope.caller.tenant, ...scope.attribution() });
    return { key, messageId: result.id, wokeRunIds: result.wokeRunIds };
  },
});

const decision = z
  .object({
    runId,
    gate: z.string().min(1).max(500).optional().describe("the approval's name; may be left out when the run waits for one only"),
    comment: z.string().max(4000).optional().describe("why, journaled with the decision"),
  })
  .strict();

function decide(action: "approve" | "reject") {
  return async ({ runId, gate, comment }: z.output<typeof decision>, scope: Scope) => {
    await scope.run(runId);
    const wait = await scope.engine.approve(
      runId,
      gate,
      { action, by: scope.caller.actor, ...(comment === undefined ? {} : { comment }) },
      scope.attribution(),
    );
    return { runId, gate: wait.gate ?? null, action, by: scope.caller.actor };
  };
}

const approveRun = define({
  name: "approve_run",
  title: "Approve",
  description:
    "Approves the approval a run waits for (ctx.approval), with an optional comment; the run continues. list_pending " +
    "shows what waits for a decision.",
  role: "operator",
  input: decision,
  run: decide("approve"),
});

const rejectRun = define({
  name: "reject_run",
  title: "Reject",
  description:
    "Rejects the approval a run waits for (ctx.approval), with an optional comment saying why; the run continues with " +
    "the rejection (what it does then is up to the workflow).",
  role: "operator",
  input: decision,
  run: decide("reject"),
});

const answerQuestion = define({
  name: "answer_question",
  title: "Answer a question",
  description:
    "Answers a question a run asked (ctx.ask); the run continues with the answer. The question's name, prompt and " +
    "choices are in list_pending and get_run.",
  role: "operator",
  input: z
    .object({
      runId,
      name: z.string().min(1).max(500).describe("the question's name"),
      value: json
        .refine((value) => value !== undefined, "the answer is required")
        .describe("the answer (JSON): one of the choices when the question has choices"),
    })
    .strict(),
  async run({ runId, name, value }, scope) {
    await scope.run(runId);
    const wait = await scope.engine.answer(runId, name, value, { by: scope.caller.actor, ...scope.attribution() });
    return { runId, name: wait.gate ?? name, value };
  },
});

const cancelRun = define({
  name: "cancel_run",
  title: "Cancel a run",
  description: "Cancels a run and its child runs for good. A cancelled run cannot be resumed (fork_run starts a copy).",
  role: "operator",
  input: z.object({ runId, reason: z.string().min(1).max(2000).optional().describe("why, journaled with it") }).strict(),
  async run({ runId, reason }, scope) {
    await scope.run(runId);
    const record = await scope.engine.cancel(runId, reason ?? `cancelled over MCP by ${scope.caller.actor}`, scope.attribution());
    return { run: runSummary(record) };
  },
});

const forkRunTool = define({
  name: "fork_run",
  title: "Fork a run",
  description:
    "Starts a new run that copies a run's journal up to a step (or bookmark) and executes again from there: to retry a " +
    "failed run from its failing step after a fix, or to try another path. The original run does not change.",
  role: "admin",
  input: z
    .object({
      runId,
      fromStep: z.string().min(1).max(500).optional().describe("the first step to execute again: its key (charge#0) or name"),
      fromBookmark: z.string().min(1).max(500).optional().describe("start after this bookmark (name or name#n)"),
    })
    .strict(),
  async run({ runId, fromStep, fromBookmark }, scope) {
    await scope.run(runId);
    const fork = await forkRun(scope.engine.store, runId, {
      clock: scope.clock,
      actor: scope.caller.actor,
      ...(fromStep === undefined ? {} : { fromStep }),
      ...(fromBookmark === undefined ? {} : { fromBookmark }),
    });
    scope.options.onRunWritten?.(fork.id);
    return { run: runSummary(fork) };
  },
});

const checkDeployTool = define({
  name: "check_deploy",
  title: "Check a deploy",
  description:
    "Replays every unfinished run (waiting, queued, running) against the workflow code this server has loaded, " +
    "executing and writing nothing, and lists the runs that code would break (non-determinism: the code asks for " +
    "another step than the run's journal holds). ok is true when none would break.",
  role: "viewer",
  input: z.object({ workflow: z.string().min(1).optional().describe("only runs of this workflow") }).strict(),
  async run({ workflow }, scope) {
    const names = scope.engine.workflowNames().filter((name) => workflow === undefined || name === workflow);
    const workflows = names.flatMap((name) => scope.engine.workflowDefinition(name) ?? []);
    if (workflows.length === 0) {
      throw new DuroError(
        "workflow_not_found",
        workflow === undefined
          ? "this server has no workflow code loaded to check against; start it with the workflow files (duro mcp <file...>)"
          : `no workflow "${workflow}" is loaded on this server; the duro://workflows resources list them`,
        { category: "input", details: { ...(workflow === undefined ? {} : { workflow }) } },
      );
    }
    const store = scope.engine.store;
    const tenant = scope.caller.tenant;
    const report = await checkDeploy({
      store: {
        listRuns: (filter) => store.listRuns({ ...filter, tenant }),
        read: (id, from) => store.read(id, from),
        getArtifact: (h) => store.getArtifact(h),
      },
      workflows,
    });
    return { ...report };
  },
});

const explainFailure = define({
  name: "explain_failure",
  title: "Explain a failure",
  description:
    "Explains why a run failed: the step that failed, its error (code, message, details), how many attempts it made " +
    "and that step's transcript lines (redacted), plus the run's own error. Use it on a failed run before deciding to " +
    "fork it from the failing step.",
  role: "viewer",
  input: z.object({ runId }).strict(),
  async run({ runId }, scope) {
    const record = await scope.run(runId);
    const folder = buildRunFolder(runId, await readJournal(scope.engine.store, runId));
    const { summary, transcript } = folder;
    const failures = Object.entries(summary.failures).map(([key, failure]) => {
      const step = key === "$run" ? undefined : summary.steps.find((s) => s.key === key);
      return {
        step: step ? key : null,
        error: { code: failure.code, message: failure.message, ...(failure.details ? { details: failure.details } : {}) },
        ...(step ? { attempts: step.attempts } : {}),
        transcript: transcript.lines.filter((line) => (step ? line.step === key : line.step === null && line.phase === "error")),
      };
    });
    const failingStep = failures.find((f) => f.step !== null)?.step ?? null;
    return {
      runId,
      status: record.status,
      failingStep,
      failures,
      ...(failures.length === 0 ? { note: `run ${runId} has no failed step (it is ${record.status})` } : {}),
    };
  },
});

/** Every tool, in the order a host lists them. */
export const RUN_TOOLS: readonly RunTool[] = [
  listRuns,
  listPending,
  getRun,
  readEvents,
  startRun,
  sendEvent,
  approveRun,
  rejectRun,
  answerQuestion,
  cancelRun,
  forkRunTool,
  checkDeployTool,
  explainFailure,
];
