// The `duro` command. Exit codes: 0 done, 1 the run failed or was cancelled (or a storage error),
// 2 bad usage or input (nothing was changed), 3 the run is waiting and resumes later.
import { existsSync } from "node:fs";
import { isDuroError } from "../core/index.js";
import { DEFAULT_WORKER_CONCURRENCY, DuroError, type Engine, type JournalEvent, type RunDetails, validateInput } from "../index.js";
import { formatTimeline } from "../observe/timeline.js";
import { useMockLlm } from "../testing/mock-llm.js";
import { runsFork } from "./commands/fork.js";
import { commands } from "./commands/index.js";
import { runsPrune } from "./commands/prune.js";
import { runsExport, runsTail } from "./commands/runs-dev.js";
import { runsVerify } from "./commands/verify.js";
import {
  checkDbFile,
  currentUser,
  EXIT,
  engineFor,
  type Out,
  output,
  parse,
  parseJson,
  positiveInt,
  requirePositional,
  usage,
} from "./common.js";
import { DEV_RUN_FLAGS } from "./devloop-flags.js";
import { asksForHelp, commandOf, helpText, usageText } from "./help.js";
import { duroCommand } from "./hints.js";
import { loadWorkflowFile, loadWorkflowFiles, pickWorkflow } from "./load.js";
import {
  formatError,
  formatEvents,
  formatInbox,
  formatLeaseNotice,
  formatRun,
  formatRunTable,
  howToContinue,
  plain,
  progressPrinter,
  say,
  warn,
} from "./output.js";
import { PACK_FLAGS, packFlagWords, packOptions } from "./pack-flags.js";
import { RETENTION_FLAGS, retentionOption } from "./retention-flags.js";
import { ANY_VERSION_FLAG, describeVersions, pinningOption } from "./version-flags.js";

export { EXIT } from "./common.js";

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command) {
    say(usageText());
    return EXIT.usage;
  }
  // Before anything is parsed or opened: `duro runs prune … --help` must describe the command, never run it.
  if (command === "help" || asksForHelp(argv)) {
    say(helpText(command === "help" ? rest : argv));
    return EXIT.ok;
  }
  try {
    switch (command) {
      case "run":
        return await runCommand(rest);
      case "worker":
        return await workerCommand(rest);
      case "runs":
        return await runsCommand(rest);
      case "signal":
        return await signalCommand(rest);
      case "approve":
        return await approveCommand(rest);
      case "answer":
        return await answerCommand(rest);
      case "cancel":
        return await cancelCommand(rest);
      case "resume":
        return await resumeCommand(rest);
      case "db":
        return await dbCommand(rest);
      default: {
        const extra = commands.find((c) => c.name === command);
        if (!extra) throw usage(`unknown command "${command}"`);
        return await extra.run(rest);
      }
    }
  } catch (error) {
    return reportError(error, argv);
  }
}

function reportError(error: unknown, argv: string[]): number {
  if (isDuroError(error)) {
    warn(formatError(error));
    return ["input", "definition", "auth"].includes(error.category) ? EXIT.usage : EXIT.failed;
  }
  const parseError = argumentError(error, argv);
  if (parseError) return reportError(parseError, argv);
  warn(`duro: internal error: ${(error as Error)?.stack ?? String(error)}`);
  return EXIT.failed;
}

/** node:util's parseArgs errors as coded errors that name the command's help. */
function argumentError(error: unknown, argv: string[]): DuroError | undefined {
  const code = (error as { code?: unknown })?.code;
  if (typeof code !== "string" || !code.startsWith("ERR_PARSE_ARGS")) return undefined;
  const command = `duro ${commandOf(argv)?.path ?? argv[0]}`;
  const message = (error as Error).message.replace(/\. To specify a positional argument starting with a '-'.*$/s, "");
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
    const flag = /'([^']+)'/.exec(message)?.[1] ?? "";
    return new DuroError("unknown_flag", `${command} takes no flag ${flag}; ${command} --help lists the flags it takes`, {
      category: "input",
      details: { flag },
    });
  }
  return new DuroError("usage", `${message}; ${command} --help describes the command`, { category: "input" });
}

// ---------- run ----------

async function runCommand(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {
    workflow: { type: "string" },
    /** For a pack or flow: the flow id (another name for --workflow). */
    flow: { type: "string" },
    input: { type: "string" },
    id: { type: "string" },
    "idempotency-key": { type: "string" },
    detach: { type: "boolean", default: false },
    "lease-ms": { type: "string" },
    "mock-llm": { type: "string" },
    ...PACK_FLAGS,
    ...DEV_RUN_FLAGS,
  });
  const out = output(values.json);
  const file = requirePositional(positionals, 0, "the workflow file: duro run <file>");
  // Mocks answer in this process only: a worker claiming the detached run would call the real components.
  if (values.detach && values.mocks !== undefined) {
    throw new DuroError(
      "mocks_detached",
      "--mocks apply only in the process that runs the run, and a worker does not load them; drop --detach (a run that waits is continued with the same mocks by duro resume <runId>)",
      { category: "input" },
    );
  }
  const input = values.input === undefined ? {} : parseJson(values.input, "the run's input", "--input");
  const module = await loadWorkflowFile(file, packOptions(values));
  if (values.flow !== undefined && values.workflow !== undefined) throw usage("--flow and --workflow name the same thing; give one");
  const def = pickWorkflow(module, values.flow ?? values.workflow);
  // Refuse bad input before the store is opened: a refused start must not even create the database file.
  await validateInput(def, input);
  const stopMock = values["mock-llm"] === undefined ? undefined : await useMockLlm(values["mock-llm"]);
  const { devSession } = await import("./devloop.js");
  const dev = devSession(values, out.json || values.detach ? undefined : progressPrinter(say));
  dev.checkInput(input, def.name);
  const engine = engineFor(
    values.db,
    module.workflows,
    {
      queues: module.queues,
      inlineWaitMs: 30_000,
      leaseMs: positiveInt(values["lease-ms"], "--lease-ms", 30_000),
      ...dev.engineOptions,
    },
    { create: true },
  );
  try {
    const handle = await engine.start(def, input, {
      source: module.file,
      ...(module.pack || Object.keys(dev.startMeta).length > 0
        ? { meta: { ...(module.pack ? { pack: module.pack } : {}), ...dev.startMeta } }
        : {}),
      ...(values.id === undefined ? {} : { id: values.id }),
      ...(values["idempotency-key"] === undefined ? {} : { idempotencyKey: values["idempotency-key"] }),
    });
    if (!handle.created) out.print(`run ${handle.id} already exists (same id or idempotency key); showing it`);
    if (values.detach) {
      out.print(`started ${handle.id} (${def.name}); a worker will execute it: ${duroCommand("worker", file, ...packFlagWords(values))}`);
      out.data({ id: handle.id, status: handle.run.status, created: handle.created });
      return EXIT.ok;
    }
    out.print(`run ${handle.id} (${def.name})`);
    await dev.settle(engine, handle.id);
    const dir = await dev.finish(engine, handle.id, module.file);
    out.print(`run folder: ${dir}`);
    return await finalReport(engine, handle.id, out, packFlagWords(values));
  } finally {
    dev.close();
    await engine.close();
    await stopMock?.();
  }
}

/** Prints how a run ended, or what it waits for; `resumeFlags` are the words a `duro resume` hint must repeat. */
async function finalReport(engine: Engine, runId: string, out: Out, resumeFlags: string[]): Promise<number> {
  checkDbFile(engine.store);
  const run = await engine.get(runId);
  out.data(run);
  out.print(`\nrun ${run.id} ${run.status}`);
  if (run.status === "completed") {
    out.print(`output: ${JSON.stringify(run.output, null, 2)}`);
    return EXIT.ok;
  }
  if (run.status === "failed" || run.status === "cancelled") {
    if (run.error) out.print(`error [${plain(run.error.code)}]: ${plain(run.error.message)}`);
    if (run.cancelReason) out.print(`reason: ${plain(run.cancelReason)}`);
    return EXIT.failed;
  }
  printWaits(run, out, duroCommand("resume", run.id, ...resumeFlags));
  return EXIT.waiting;
}

function printWaits(run: RunDetails, out: Out, resume: string): void {
  if (run.waits.length === 0) {
    out.print(`it is ${run.status}; a worker continues it: duro worker <file>, or ${resume}`);
    return;
  }
  out.print("it is saved and waiting for:");
  for (const wait of run.waits)
    out.print(`  ${plain(wait.key)}${wait.summary ? ` (${plain(wait.summary)})` : ""}: ${howToContinue(run, wait)}`);
  out.print(`then continue it with: ${resume}   (or keep a worker running: duro worker <file>)`);
}

// ---------- worker ----------

async function workerCommand(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {
    concurrency: { type: "string" },
    "until-idle": { type: "boolean", default: false },
    "lease-ms": { type: "string" },
    "grace-ms": { type: "string" },
    ...ANY_VERSION_FLAG,
    ...PACK_FLAGS,
    ...RETENTION_FLAGS,
  });
  if (positionals.length === 0) throw usage("missing the workflow files: duro worker <file...>");
  const concurrency = positiveInt(values.concurrency, "--concurrency", DEFAULT_WORKER_CONCURRENCY);
  const leaseMs = positiveInt(values["lease-ms"], "--lease-ms", 30_000);
  const graceMs = positiveInt(values["grace-ms"], "--grace-ms", 10_000);
  const modules = await loadWorkflowFiles(positionals, packOptions(values));
  const workflows = modules.flatMap((m) => m.workflows);
  const out = output(values.json);
  const engine = engineFor(
    values.db,
    workflows,
    {
      queues: modules.flatMap((m) => m.queues),
      leaseMs,
      schedules: modules.flatMap((m) => m.schedules),
      ...pinningOption(values),
      ...(out.json ? {} : { onEvents: progressPrinter(say) }),
      ...retentionOption(values, out),
    },
    { create: true },
  );
  // Registers the files' schedules now, so that a bad one (its input fails the workflow's schema) fails here.
  await engine.schedules.sync();
  const counts = { completed: 0, failed: 0, cancelled: 0, waiting: 0 };
  const worker = engine.runWorker({
    concurrency,
    graceMs,
    untilIdle: values["until-idle"],
    onOutcome: (o) => {
      if (o.status in counts) counts[o.status as keyof typeof counts]++;
    },
    // On stderr, so that --json output stays one document.
    onLease: (notice) => warn(`duro: ${formatLeaseNotice(notice)}`),
    onError: (error, runId) =>
      warn(
        `duro worker${runId ? ` (run ${runId})` : ""}: ${isDuroError(error) ? `error [${error.code}]: ${error.message}` : (error as Error).stack}`,
      ),
  });
  out.print(
    `worker ${engine.workerId} executing ${describeVersions(engine, values["any-version"])} (concurrency ${concurrency})${values["until-idle"] ? " until idle" : "; Ctrl-C stops"}`,
  );
  const stop = () => {
    out.print("stopping: letting running steps finish…");
    void worker.stop();
  };
  const schedules = engine.schedules.names();
  if (schedules.length > 0) out.print(`firing schedules: ${schedules.join(", ")} (duro schedules list)`);
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  await worker.done;
  process.off("SIGINT", stop);
  process.off("SIGTERM", stop);
  await engine.close();
  out.print(
    `worker stopped: ${counts.completed} completed, ${counts.failed} failed, ${counts.cancelled} cancelled, ${counts.waiting} suspended waiting`,
  );
  out.data({ workerId: engine.workerId, ...counts });
  return EXIT.ok;
}

// ---------- runs ----------

const STATUSES = ["queued", "running", "waiting", "completed", "failed", "cancelled"];

async function runsCommand(args: string[]): Promise<number> {
  if (args[0] === "export") return runsExport(args.slice(1));
  if (args[0] === "tail") return runsTail(args.slice(1));
  if (args[0] === "verify") return runsVerify(args.slice(1));
  if (args[0] === "fork") return runsFork(args.slice(1));
  if (args[0] === "prune") return runsPrune(args.slice(1));
  const { values, positionals: all } = parse(args, {
    status: { type: "string" },
    workflow: { type: "string" },
    limit: { type: "string" },
    cursor: { type: "string" },
    inbox: { type: "boolean", default: false },
  });
  const [sub, ...positionals] = all;
  const out = output(values.json);
  if (sub !== "list" && sub !== "show" && sub !== "events")
    throw usage(`unknown "runs ${sub ?? ""}"; use runs list, runs show <id> or runs events <id>`);
  if (values.status !== undefined && !STATUSES.includes(values.status)) {
    throw new DuroError("usage", `--status must be one of ${STATUSES.join(", ")}, not "${values.status}"`, { category: "input" });
  }
  const runId = sub === "list" ? undefined : requirePositional(positionals, 0, `the run id: duro runs ${sub} <runId>`);
  const limit = positiveInt(values.limit, "--limit", 50);
  const engine = engineFor(values.db);
  try {
    if (sub === "list" && values.inbox) {
      const messages = await engine.store.listInbox({ limit });
      out.data(messages);
      out.print(formatInbox(messages));
    } else if (sub === "list") {
      const page = await engine.list({
        limit,
        ...(values.status ? { status: values.status as never } : {}),
        ...(values.workflow ? { workflow: values.workflow } : {}),
        ...(values.cursor ? { cursor: values.cursor } : {}),
      });
      out.data(page);
      out.print(formatRunTable(page.runs));
      if (page.nextCursor) out.print(`more: ${duroCommand("runs", "list", ...listFilterWords(values), "--cursor", page.nextCursor)}`);
    } else if (sub === "show") {
      const run = await engine.get(runId as string);
      out.data(run);
      out.print(formatRun(run));
      out.print(`\ntimeline:\n${formatTimeline(run.id, await engine.events(run.id))}`);
    } else {
      const events = await engine.events(runId as string);
      out.data(events);
      out.print(formatEvents(events));
    }
  } finally {
    await engine.close();
  }
  return EXIT.ok;
}

/** The filters of a `runs list`, for the hint that asks for its next page. */
function listFilterWords(values: { status?: string | undefined; workflow?: string | undefined; limit?: string | undefined }): string[] {
  return (["status", "workflow", "limit"] as const).flatMap((flag) =>
    values[flag] === undefined ? [] : [`--${flag}`, values[flag] as string],
  );
}

// ---------- signal, approve, answer, cancel, resume ----------

async function signalCommand(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { payload: { type: "string" }, tenant: { type: "string" } });
  const out = output(values.json);
  const key = requirePositional(positionals, 0, "the event key: duro signal <eventKey>");
  const payload = values.payload === undefined ? null : parseJson(values.payload, "the event's payload", "--payload");
  const engine = engineFor(values.db);
  try {
    const result = await engine.signal(key, payload, values.tenant === undefined ? {} : { tenant: values.tenant });
    out.data({ eventKey: key, ...result });
    out.print(
      result.wokeRunIds.length > 0
        ? `delivered to ${result.wokeRunIds.join(", ")}; it continues when a worker picks it up (${duroCommand("resume", result.wokeRunIds[0] as string)})`
        : `no run is waiting on "${plain(key)}" yet; the event is kept in the inbox (${duroCommand("runs", "list", "--inbox")}) until one does`,
    );
  } finally {
    await engine.close();
  }
  return EXIT.ok;
}

async function approveCommand(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {
    reject: { type: "boolean", default: false },
    abort: { type: "boolean", default: false },
    comment: { type: "string" },
    by: { type: "string" },
  });
  const out = output(values.json);
  const runId = requirePositional(positionals, 0, "the run id: duro approve <runId> [<gate>]");
  if (values.reject && values.abort) throw usage("choose one of --reject and --abort");
  const action = values.reject ? "reject" : values.abort ? "abort" : "approve";
  const engine = engineFor(values.db);
  try {
    const wait = await engine.approve(runId, positionals[1], {
      action,
      by: values.by ?? currentUser(),
      ...(values.comment === undefined ? {} : { comment: values.comment }),
    });
    out.data({ runId, gate: wait.gate, action });
    out.print(
      `${action} recorded for "${plain(wait.gate ?? "")}" of run ${runId}; it continues when a worker picks it up (${duroCommand("resume", runId)})`,
    );
  } finally {
    await engine.close();
  }
  return EXIT.ok;
}

async function answerCommand(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { value: { type: "string" }, by: { type: "string" } });
  const out = output(values.json);
  const runId = requirePositional(positionals, 0, "the run id: duro answer <runId> <name> --value <json>");
  const name = requirePositional(positionals, 1, "the question's name: duro answer <runId> <name> --value <json>");
  if (values.value === undefined) throw usage("missing --value <json>");
  const value = parseJson(values.value, "the answer", "--value");
  const engine = engineFor(values.db);
  try {
    const wait = await engine.answer(runId, name, value, { by: values.by ?? currentUser() });
    out.data({ runId, name: wait.gate, value });
    out.print(
      `answer to "${plain(wait.gate ?? "")}" recorded for run ${runId}; it continues when a worker picks it up (${duroCommand("resume", runId)})`,
    );
  } finally {
    await engine.close();
  }
  return EXIT.ok;
}

async function cancelCommand(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { reason: { type: "string" } });
  const out = output(values.json);
  const runId = requirePositional(positionals, 0, "the run id: duro cancel <runId>");
  const engine = engineFor(values.db);
  try {
    const record = await engine.cancel(runId, values.reason ?? `cancelled by ${currentUser()}`);
    out.data(record);
    out.print(
      record.status === "cancelled"
        ? `run ${runId} cancelled`
        : `cancel requested; run ${runId} is executing on ${record.leaseOwner ?? "another worker"} and stops at its next commit`,
    );
  } finally {
    await engine.close();
  }
  return EXIT.ok;
}

async function resumeCommand(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {
    "lease-ms": { type: "string" },
    "mock-llm": { type: "string" },
    mocks: { type: "string" },
    ...ANY_VERSION_FLAG,
    ...PACK_FLAGS,
  });
  const out = output(values.json);
  const runId = requirePositional(positionals, 0, "the run id: duro resume <runId> [<file...>]");
  let mocksFile: string | undefined;
  const leaseMs = positiveInt(values["lease-ms"], "--lease-ms", 30_000);
  const probe = engineFor(values.db);
  let files = positionals.slice(1);
  try {
    const run = await probe.get(runId);
    const source = (await probe.events(runId, 1))[0];
    const recorded = await recordedSource(probe, runId);
    if (files.length === 0 && recorded) files = [recorded];
    const { mocksForResume, recordedMocksOf } = await import("../testing/run-mocks.js");
    mocksFile = mocksForResume(runId, recordedMocksOf(source?.type === "run_created" ? source.options : undefined), values.mocks);
    if (files.length === 0) {
      throw new DuroError(
        "file_required",
        `run ${runId} (workflow "${run.workflow}") was not started from a file; pass it: ${duroCommand("resume", runId)} <file>`,
        {
          category: "input",
        },
      );
    }
  } finally {
    await probe.close();
  }
  const modules = await loadWorkflowFiles(files, packOptions(values));
  const stopMock = values["mock-llm"] === undefined ? undefined : await useMockLlm(values["mock-llm"]);
  const progress = out.json ? undefined : progressPrinter(say);
  // The mocks the run was started with answer again (recorded with the run, checked by digest above).
  const dev = mocksFile === undefined ? undefined : (await import("./devloop.js")).devSession({ mocks: mocksFile }, progress);
  const engine = engineFor(
    values.db,
    modules.flatMap((m) => m.workflows),
    {
      queues: modules.flatMap((m) => m.queues),
      inlineWaitMs: 30_000,
      leaseMs,
      ...pinningOption(values),
      ...(progress ? { onEvents: progress } : {}),
      ...dev?.engineOptions,
    },
  );
  try {
    if (dev) await dev.settle(engine, runId);
    else
      await engine.runUntilSettled(runId, {
        maxWaitMs: 30_000,
        onLease: (notice) => warn(`duro: ${formatLeaseNotice(notice)}`),
      });
    // The folder `duro run` wrote for this run (transcript, summary, report) would otherwise describe it as it was.
    const { runFolderPath, writeRunFolder } = await import("../observe/run-folder.js");
    const folder = runFolderPath(runId);
    if (existsSync(folder)) {
      const { Redactor } = await import("../observe/redact.js");
      await writeRunFolder(engine.store, runId, folder, { redactor: new Redactor() });
      out.print(`run folder: ${folder}`);
    }
    return await finalReport(engine, runId, out, [...positionals.slice(1), ...packFlagWords(values)]);
  } finally {
    dev?.close();
    await engine.close();
    await stopMock?.();
  }
}

/**
 * The file a run was started from. A child run was started by its parent's code, so it is the file of the nearest
 * ancestor that records one (the root's, for a run started by `duro run`).
 */
async function recordedSource(engine: Engine, runId: string): Promise<string | undefined> {
  for (let id: string | undefined = runId; id !== undefined; ) {
    const created: JournalEvent | undefined = (await engine.events(id, 1))[0];
    if (created?.type !== "run_created") return undefined;
    const source = created.options.source as string | undefined;
    if (source !== undefined) return source;
    id = created.parentRunId;
  }
  return undefined;
}

// ---------- db ----------

async function dbCommand(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {});
  if (positionals[0] !== "migrate") throw usage(`unknown "db ${positionals[0] ?? ""}"; use duro db migrate`);
  const out = output(values.json);
  const engine = engineFor(values.db, [], {}, { create: true });
  try {
    // Opening a store brings its schema up to date; the first query makes a lazy (PostgreSQL) store connect.
    await engine.store.listRuns({ limit: 1 });
    out.data({ migrated: true });
    out.print("the database schema is up to date");
  } finally {
    await engine.close();
  }
  return EXIT.ok;
}
