// `duro runs list|show|events`: the runs in the database, one run, or its journal. The other `runs` subcommands
// (export, tail, verify, fork, prune) live in their own files and are handed their arguments from here.
import {
  DuroError,
  formatTimeline,
  parseInstant,
  RUN_SORTS,
  type RunFilter,
  type RunSort,
  WAITING_FOR,
  type WaitingFor,
} from "../../index.js";
import type { CliCommand, Subcommand } from "../command.js";
import { EXIT, engineFor, output, parse, positiveInt, requirePositional, usage } from "../common.js";
import { duroCommand } from "../hints.js";
import { formatBookmarks, formatEvents, formatInbox, formatRun, formatRunTable } from "../output.js";
import { runsFork } from "./fork.js";
import { runsPrune } from "./prune.js";
import { runsExport, runsTail } from "./runs-dev.js";
import { runsVerify } from "./verify.js";

const SUBCOMMANDS = new Map<string, Subcommand>([
  ["export", runsExport],
  ["tail", runsTail],
  ["verify", runsVerify],
  ["fork", runsFork],
  ["prune", runsPrune],
]);

const STATUSES = ["queued", "running", "waiting", "completed", "failed", "cancelled"];

export const runsCommand: CliCommand = {
  name: "runs",
  run: (args) => {
    const sub = args[0] === undefined ? undefined : SUBCOMMANDS.get(args[0]);
    return sub ? sub(args.slice(1)) : listShowEvents(args);
  },
};

// Flags may come before the subcommand (`duro runs --status failed list`), so it is found after parsing.
async function listShowEvents(args: string[]): Promise<number> {
  const { values, positionals: all } = parse(args, {
    status: { type: "string" },
    workflow: { type: "string" },
    limit: { type: "string" },
    cursor: { type: "string" },
    inbox: { type: "boolean", default: false },
    tenant: { type: "string" },
    session: { type: "string" },
    actor: { type: "string" },
    "waiting-for": { type: "string" },
    parent: { type: "string" },
    version: { type: "string" },
    since: { type: "string" },
    until: { type: "string" },
    sort: { type: "string" },
  });
  const [sub, ...positionals] = all;
  const out = output(values.json);
  if (sub !== "list" && sub !== "show" && sub !== "events" && sub !== "bookmarks")
    throw usage(`unknown "runs ${sub ?? ""}"; use runs list, runs show <id>, runs events <id> or runs bookmarks <id>`);
  if (values.status !== undefined && !STATUSES.includes(values.status)) {
    throw new DuroError("usage", `--status must be one of ${STATUSES.join(", ")}, not "${values.status}"`, { category: "input" });
  }
  const waitingFor = values["waiting-for"];
  if (waitingFor !== undefined && !WAITING_FOR.includes(waitingFor as WaitingFor)) {
    throw new DuroError("usage", `--waiting-for must be one of ${WAITING_FOR.join(", ")}, not "${waitingFor}"`, { category: "input" });
  }
  if (values.sort !== undefined && !(RUN_SORTS as readonly string[]).includes(values.sort)) {
    throw new DuroError("usage", `--sort must be created or updated, not "${values.sort}"`, { category: "input" });
  }
  // Relative times are resolved once, so that the next page's command lists the same range.
  const now = Date.now();
  const since = values.since === undefined ? undefined : parseInstant(values.since, now, "--since");
  const until = values.until === undefined ? undefined : parseInstant(values.until, now, "--until");
  const runId = sub === "list" ? undefined : requirePositional(positionals, 0, `the run id: duro runs ${sub} <runId>`);
  const limit = positiveInt(values.limit, "--limit", 50);
  const engine = engineFor(values.db);
  try {
    if (sub === "list" && values.inbox) {
      const messages = await engine.store.listInbox({ limit });
      out.data(messages);
      out.print(formatInbox(messages));
    } else if (sub === "list") {
      const filter: RunFilter = { limit };
      if (values.status) filter.status = values.status as never;
      if (values.workflow) filter.workflow = values.workflow;
      if (values.cursor) filter.cursor = values.cursor;
      if (values.tenant) filter.tenant = values.tenant;
      if (values.session) filter.session = values.session;
      if (values.actor) filter.actor = values.actor;
      if (waitingFor) filter.waitingFor = waitingFor as WaitingFor;
      if (values.parent) filter.parentRunId = values.parent;
      if (values.version) filter.version = values.version;
      if (since !== undefined) filter.since = since;
      if (until !== undefined) filter.until = until;
      if (values.sort) filter.sort = values.sort as RunSort;
      const page = await engine.list(filter);
      out.data(page);
      out.print(formatRunTable(page.runs));
      const times = { since: since === undefined ? undefined : iso(since), until: until === undefined ? undefined : iso(until) };
      if (page.nextCursor)
        out.print(`more: ${duroCommand("runs", "list", ...listFilterWords({ ...values, ...times }), "--cursor", page.nextCursor)}`);
    } else if (sub === "show") {
      const run = await engine.get(runId as string);
      out.data(run);
      out.print(formatRun(run));
      out.print(`\ntimeline:\n${formatTimeline(run.id, await engine.events(run.id))}`);
    } else if (sub === "bookmarks") {
      const run = await engine.get(runId as string);
      out.data(run.bookmarks);
      out.print(formatBookmarks(run.id, run.bookmarks));
      if (run.bookmarks[0]) out.print(`fork from one: ${duroCommand("runs", "fork", run.id, "--from-bookmark", run.bookmarks[0].ref)}`);
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

const LIST_FILTERS = [
  "status",
  "workflow",
  "version",
  "tenant",
  "session",
  "actor",
  "waiting-for",
  "parent",
  "since",
  "until",
  "sort",
  "limit",
] as const;

const iso = (ms: number) => new Date(ms).toISOString();

/** The filters of a `runs list`, for the hint that asks for its next page. */
function listFilterWords(values: Partial<Record<(typeof LIST_FILTERS)[number], string | undefined>>): string[] {
  return LIST_FILTERS.flatMap((flag) => (values[flag] === undefined ? [] : [`--${flag}`, values[flag] as string]));
}
