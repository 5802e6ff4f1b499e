// The one table of duro's commands: what `duro help` lists and what `duro <command> --help` prints. Asking for help
// never runs a command: main.ts answers --help / -h before it dispatches anything.
import { DEFAULT_DB_URL } from "../store/index.js";

export interface CommandHelp {
  /** The words after `duro` that name the command: "run", "runs prune". */
  path: string;
  /** What the command does, one line. */
  summary: string;
  /** The command line(s) after "duro <path>": positionals and flags. */
  usage: string[];
  /** Each flag the command takes (beyond --db, --json, --help) and what it does. */
  flags: [string, string][];
}

const PACK_TRUST: [string, string][] = [
  ["--signing strict|dev", "strict (default) refuses an unsigned or untrusted pack; dev accepts one with a warning"],
  ["--pubkey <public.pem>", "trust this public key for the pack's signature (repeatable)"],
  ["--trusted-keys <dir>", "a folder of trusted public keys (default .duro/trusted-keys)"],
];
const LEASE: [string, string] = ["--lease-ms <ms>", "how long this process holds a run between heartbeats (default 30000)"];
const ANY_VERSION: [string, string] = [
  "--any-version",
  "execute runs of any version of the workflows, not only the versions these files are",
];
const MOCK_LLM: [string, string] = ["--mock-llm <script.json>", "answer model calls from this script instead of a provider"];
const MOCKS: [string, string] = ["--mocks <mocks.yaml>", "answer components, tools and HTTP calls from this file (recorded with the run)"];
const BY: [string, string] = ["--by <name>", "who decides (default: the current user)"];
const WHO: [string, string][] = [
  ["--actor <id>", "who does it, journaled with the decision (default: the current user)"],
  ["--traceparent <tp>", "the caller's W3C trace context; the run's resume span joins that trace"],
];
const STARTED_BY: [string, string][] = [
  ["--tenant <t>", "the run's tenant (default: default)"],
  ["--session <s>", "the session (conversation, thread) the run belongs to"],
  ["--actor <id>", "who starts it (default: the current user)"],
];

export const COMMAND_HELP: CommandHelp[] = [
  {
    path: "run",
    summary: "starts a run of a workflow file, flow or pack and executes it here until it ends or waits",
    usage: [
      "<file> [--workflow <name> | --flow <id>] [--input <json>|@file.json] [--id <runId>] [--idempotency-key <k>] [--detach]",
      "    [--lease-ms <ms>] [--mock-llm <script.json>] [--mocks <mocks.yaml>] [--artifacts-dir <dir>] [--record <cassette.json>]",
      "    [--signing strict|dev] [--pubkey <pem>]... [--trusted-keys <dir>] [--tenant <t>] [--session <s>] [--actor <id>]",
    ],
    flags: [
      ["<file>", "a .ts/.js module, a flow (.yaml/.json), or a pack (directory or .duropack)"],
      ["--workflow <name>", "the workflow to start when the file exports several"],
      ["--flow <id>", "the flow to start, for a pack or flow (another name for --workflow)"],
      ["--input <json>|@file.json", "the run's input as JSON, or a file holding it (default {})"],
      ["--id <runId>", "the run's id (default: a new one); an existing id shows that run"],
      ["--idempotency-key <k>", "a start with a key that exists shows the existing run instead of starting another"],
      ["--detach", "only start the run; a worker executes it"],
      LEASE,
      MOCK_LLM,
      MOCKS,
      ["--artifacts-dir <dir>", "where the run folder goes (default .duro/runs/<runId>)"],
      ["--record <cassette.json>", "record the run's outside calls for duro replay"],
      ...PACK_TRUST,
      ...STARTED_BY,
    ],
  },
  {
    path: "worker",
    summary: "claims and executes runs of these workflow files until stopped",
    usage: [
      "<file...> [--concurrency <n>] [--until-idle] [--lease-ms <ms>] [--grace-ms <ms>] [--any-version]",
      "    [--signing strict|dev] [--pubkey <pem>]... [--trusted-keys <dir>]",
      "    [--retention completed=30d,failed=90d,cancelled=30d] [--retention-archive <dir>] [--retention-batch <n>] [--retention-every <duration>]",
    ],
    flags: [
      ["--concurrency <n>", "runs executed at once"],
      ["--until-idle", "stop when no run is left to execute"],
      LEASE,
      ["--grace-ms <ms>", "on SIGINT/SIGTERM, how long running steps may finish (default 10000)"],
      ANY_VERSION,
      ...PACK_TRUST,
      ["--retention <status=age,...>", "prune ended runs older than these ages while working"],
      ["--retention-archive <dir>", "archive pruned runs to gzipped JSONL files in <dir> first"],
      ["--retention-batch <n>", "runs pruned per transaction"],
      ["--retention-every <duration>", "how often retention runs"],
    ],
  },
  {
    path: "runs list",
    summary: "lists runs, newest first, or the inbox of events no run received yet",
    usage: [
      "[--status <s>] [--workflow <w>] [--version <v>] [--tenant <t>] [--session <s>] [--actor <id>] [--waiting-for <kind>]",
      "    [--parent <runId>] [--since <time>] [--until <time>] [--sort created|updated] [--limit <n>] [--cursor <c>] [--inbox]",
    ],
    flags: [
      ["--status <s>", "only runs in this status: queued, running, waiting, completed, failed, cancelled"],
      ["--workflow <w>", "only runs of this workflow"],
      ["--version <v>", "only runs of this workflow version"],
      ["--tenant <t>", "only runs of this tenant"],
      ["--session <s>", "only runs of this session"],
      ["--actor <id>", "only runs this actor started"],
      ["--waiting-for <kind>", "only runs waiting for: event, approval, question, timer, child, limit, tool"],
      ["--parent <runId>", "only the child runs of this run"],
      [
        "--since <time>",
        "only runs created at or after: ISO 8601 (2026-12-05, 2026-12-05T14:30:00Z; UTC unless zoned) or ago (30m, 2h, 7d)",
      ],
      ["--until <time>", "only runs created before (the same forms as --since)"],
      ["--sort created|updated", "newest created first (default), or most recently changed first"],
      ["--limit <n>", "at most this many (default 50)"],
      ["--cursor <c>", "the next page, as the previous page printed it"],
      ["--inbox", "list the events kept for runs that do not wait for them yet"],
    ],
  },
  { path: "runs show", summary: "a run's status, input, output, steps, waits and timeline", usage: ["<runId>"], flags: [] },
  { path: "runs events", summary: "a run's journal, one event a line", usage: ["<runId>"], flags: [] },
  {
    path: "runs bookmarks",
    summary: "a run's bookmarks (name, seq, time, the step before): journal positions a fork can start after, not copies of state",
    usage: ["<runId>"],
    flags: [],
  },
  {
    path: "runs export",
    summary: "writes a run's folder (transcript, run.json, report) from its journal",
    usage: ["<runId> [--artifacts-dir <dir>]"],
    flags: [["--artifacts-dir <dir>", "where the folder goes (default .duro/runs/<runId>)"]],
  },
  {
    path: "runs tail",
    summary: "prints a run's events as they are committed until it ends",
    usage: ["<runId> [--poll-ms <ms>]"],
    flags: [["--poll-ms <ms>", "how often to look for new events"]],
  },
  {
    path: "runs verify",
    summary:
      "checks runs' journal hash chains, and their recorded code hash or pack digest against the file now; exit 1 when either differs",
    usage: ["<runId...> | --all [--against <file>]"],
    flags: [
      ["--all", "check every run"],
      ["--against <file>", "the code file, flow or pack to compare with (default: the file the run recorded)"],
    ],
  },
  {
    path: "runs fork",
    summary: "a new run that reuses a run's journal up to a step or bookmark and executes from there (with files: onto that code)",
    usage: ["<runId> [<file...>] (--from-step <key> | --from-bookmark <name>) [--input <json>] [--id <newId>] [--actor <who>]"],
    flags: [
      ["--from-step <key>", "the first step to execute again (duro runs show lists the keys)"],
      [
        "--from-bookmark <name>",
        "start after this bookmark (name, or name#n for its n-th): a bookmark is a journal position, not a copy of state; what was journaled before it is replayed, the rest runs anew",
      ],
      ["--input <json>", "the new run's input (default: the original's)"],
      ["--id <newId>", "the new run's id"],
      ["--actor <who>", "who forks it, the new run's actor (default: the user running the command); the original's session is kept"],
    ],
  },
  {
    path: "runs prune",
    summary: "deletes ended runs older than an age, in short batches",
    usage: [
      "--status completed|failed|cancelled --older-than <duration> [--batch <n>] [--archive <dir>] [--artifacts] [--artifact-grace <duration>]",
    ],
    flags: [
      ["--status <s>", "which ended runs: completed, failed or cancelled"],
      ["--older-than <duration>", "last updated longer ago than this, e.g. 30d"],
      ["--batch <n>", "runs deleted per transaction (default 500)"],
      ["--archive <dir>", "write each batch to a gzipped JSONL file in <dir> first"],
      ["--artifacts", "then delete artifacts no remaining run references"],
      ["--artifact-grace <duration>", "keep artifacts younger than this (default 1h)"],
    ],
  },
  {
    path: "signal",
    summary: "sends an event to the runs waiting on its key (kept in the inbox until one does)",
    usage: ["<eventKey> [--payload <json>] [--tenant <t>]"],
    flags: [
      ["--payload <json>", "the event's payload (default null)"],
      ["--tenant <t>", "the tenant of the runs it is for (default: default); runs started through the API may have another"],
      ...WHO,
    ],
  },
  {
    path: "approve",
    summary: "approves (or rejects, or aborts) a run's approval gate",
    usage: ["<runId> [<gate>] [--reject | --abort] [--comment <text>] [--by <name>]"],
    flags: [
      ["--reject", "reject: the workflow decides what that means"],
      ["--abort", "abort the run at the gate"],
      ["--comment <text>", "recorded with the decision"],
      BY,
      ...WHO,
    ],
  },
  {
    path: "answer",
    summary: "answers a run's question",
    usage: ["<runId> <name> --value <json> [--by <name>]"],
    flags: [["--value <json>", "the answer"], BY, ...WHO],
  },
  {
    path: "tools result",
    summary: "posts the outcome of an external tool call a run waits on (a tool declared external: true)",
    usage: ["<runId> <callId> (--result <json> | --error <message>) [--by <name>]"],
    flags: [
      ["--result <json>", "what the tool returned (@file reads a file)"],
      ["--error <message>", "the tool failed with this message; the model sees it as a tool error"],
      ["--by <name>", "who ran the tool (default: the current user)"],
    ],
  },
  {
    path: "tools pending",
    summary: "lists the external tool calls waiting runs wait on",
    usage: ["[--run <runId>] [--tenant <t>]"],
    flags: [
      ["--run <runId>", "only this run's calls"],
      ["--tenant <t>", "the tenant of the runs (default: default)"],
    ],
  },
  {
    path: "cancel",
    summary: "cancels a run (a run executing elsewhere stops at its next commit)",
    usage: ["<runId> [--reason <text>] [--actor <id>] [--traceparent <tp>]"],
    flags: [["--reason <text>", "recorded with the cancellation"], ...WHO],
  },
  {
    path: "resume",
    summary: "continues a run here until it ends or waits",
    usage: [
      "<runId> [<file...>] [--lease-ms <ms>] [--any-version] [--mock-llm <script.json>] [--mocks <mocks.yaml>]",
      "    [--signing strict|dev] [--pubkey <pem>]... [--trusted-keys <dir>]",
    ],
    flags: [
      ["<file...>", "the workflow files (default: the file the run was started from)"],
      LEASE,
      ANY_VERSION,
      MOCK_LLM,
      MOCKS,
      ...PACK_TRUST,
    ],
  },
  { path: "db migrate", summary: "creates the database or brings its schema up to date", usage: [""], flags: [] },
  {
    path: "serve",
    summary: "the HTTP API, live streams and web UI, with a worker for the given files",
    usage: [
      "[<file...>] [--port 8080] [--host 127.0.0.1] [--allowed-host <name>]... [--allowed-origin <origin>]...",
      "    [--no-worker] [--concurrency <n>] [--dev]",
    ],
    flags: [
      ["--port <n>", "the TCP port, 1 to 65535, or 0 for any free one (default 8080)"],
      ["--host <address>", "the address to listen on (default 127.0.0.1)"],
      ["--allowed-host <name>", "a Host header the server answers besides its own address (repeatable)"],
      ["--allowed-origin <origin>", "a cross-site origin allowed to call the API (repeatable)"],
      ["--no-worker", "serve only; do not execute runs"],
      ["--concurrency <n>", "runs the worker executes at once"],
      ["--dev", "no API keys, 127.0.0.1 only: for a developer's own machine"],
    ],
  },
  {
    path: "mcp",
    summary: "duro's MCP server on stdin/stdout, for Claude Desktop, Claude Code or another MCP host (docs/mcp.md)",
    usage: ["[<file...>] [--tenant <t>] [--role admin|operator|viewer] [--actor <id>] [--no-worker] [--concurrency <n>]"],
    flags: [
      ["<file...>", "workflow files: start_run and check_deploy use them, and a worker executes their runs"],
      ["--tenant <t>", "the tenant whose runs the tools see and act on (default: default)"],
      [
        "--role <role>",
        "what the tools may do: viewer reads, operator also decides, signals and cancels, admin also starts and forks (default admin)",
      ],
      ["--actor <id>", "who the decisions are journaled as (default: the current user)"],
      ["--no-worker", "serve the tools only; do not execute runs"],
      ["--concurrency <n>", "runs the worker executes at once"],
    ],
  },
  { path: "queues list", summary: "the queues the workflows declared, with their limits and depth", usage: [""], flags: [] },
  { path: "schedules list", summary: "the cron schedules and when each fires next", usage: [""], flags: [] },
  { path: "schedules pause", summary: "stops a schedule firing", usage: ["<name>"], flags: [] },
  { path: "schedules resume", summary: "lets a paused schedule fire again", usage: ["<name>"], flags: [] },
  {
    path: "pack build",
    summary: "zips a pack directory into a .duropack",
    usage: ["<dir> [--out <file.duropack>]"],
    flags: [["--out <file>", "the pack file (default <dir>.duropack)"]],
  },
  {
    path: "pack sign",
    summary: "signs a pack with an Ed25519 private key",
    usage: ["<pack> --key <private.pem>"],
    flags: [["--key <private.pem>", "the signing key (duro keys generate)"]],
  },
  {
    path: "pack verify",
    summary: "checks a pack's digests and signature",
    usage: ["<pack> [--pubkey <public.pem>]... [--trusted-keys <dir>]"],
    flags: PACK_TRUST.slice(1),
  },
  {
    path: "pack inspect",
    summary: "what a pack holds: flows, components, capabilities, signature",
    usage: ["<pack> [--pubkey <public.pem>]... [--trusted-keys <dir>]"],
    flags: PACK_TRUST.slice(1),
  },
  {
    path: "keys generate",
    summary: "an Ed25519 key pair for signing packs",
    usage: ["[--out <dir>] [--name <name>]"],
    flags: [
      ["--out <dir>", "where the key files go (default .duro/keys)"],
      ["--name <name>", "the key files' name (default pack-signing)"],
    ],
  },
  {
    path: "keys create",
    summary: "an API key for duro serve",
    usage: ["--tenant <t> --role admin|operator|viewer [--name <text>]", "--all-tenants --role admin [--name <text>]"],
    flags: [
      ["--tenant <t>", "the tenant the key acts in"],
      ["--all-tenants", "an admin key that reads and acts on runs of every tenant and may filter by tenant (not with --tenant)"],
      ["--role <role>", "admin, operator or viewer"],
      ["--name <text>", "a label for the key"],
    ],
  },
  { path: "keys list", summary: "the API keys", usage: ["[--tenant <t>]"], flags: [["--tenant <t>", "only this tenant's keys"]] },
  { path: "keys revoke", summary: "revokes an API key", usage: ["<keyId>"], flags: [] },
  {
    path: "approvals pending",
    summary: "lists what waiting runs ask for: approvals, questions and external tool calls, with the command that answers each",
    usage: ["[--run <runId>] [--tenant <t>]"],
    flags: [
      ["--run <runId>", "only this run's"],
      ["--tenant <t>", "the tenant of the runs (default: default)"],
    ],
  },
  {
    path: "approvals link",
    summary: "a signed, expiring, single-use URL that approves or rejects one gate",
    usage: ["<runId> <gate> [--expires 7d] [--base-url http://host:8080]"],
    flags: [
      ["--expires <duration>", "how long the link works (default 7d)"],
      ["--base-url <url>", "the server's address the link points to (default $DURO_BASE_URL, else http://127.0.0.1:8080)"],
    ],
  },
  {
    path: "limits raise",
    summary: "raises the budget of a run suspended at a limit; resume it afterwards",
    usage: ["<runId> [--max-cost-usd <usd>] [--max-tokens <n>] [--max-iterations <n>] [--max-wall-time <duration>]"],
    flags: [
      ["--max-cost-usd <usd>", "the new cost limit"],
      ["--max-tokens <n>", "the new token limit"],
      ["--max-iterations <n>", "the new iteration limit"],
      ["--max-wall-time <duration>", "the new wall-time limit"],
      ...WHO,
    ],
  },
  {
    path: "limits show",
    summary: "each budget of a run: its limit, what is used and what is left, and whether the run is suspended",
    usage: ["<runId>"],
    flags: [],
  },
  {
    path: "replay",
    summary: "re-executes a recorded run offline; exit 1 on divergence",
    usage: ["<cassette.json> [<file>]"],
    flags: [],
  },
  {
    path: "check",
    summary: "replays in-flight runs against this code (nothing runs); exit 1 if any would break",
    usage: ["<file...>"],
    flags: [],
  },
  {
    path: "versions",
    summary: "unfinished runs per workflow version and the live workers holding each",
    usage: ["[--check]"],
    flags: [["--check", "exit 1 when runs wait for a version no live worker runs"]],
  },
  {
    path: "workers list",
    summary: "live workers: host, pid, started, last seen, workflow versions held, active runs",
    usage: [""],
    flags: [],
  },
  {
    path: "artifacts list",
    summary: "stored artifacts, newest first: hash, name, tags, size, runs, created",
    usage: ["[--run <runId>] [--tag <tag>] [--name <name>] [--limit <n>]"],
    flags: [
      ["--run <runId>", "only artifacts this run stored"],
      ["--tag <tag>", "only artifacts with this tag"],
      ["--name <name>", "only artifacts with this name"],
      ["--limit <n>", "at most this many (default 100)"],
    ],
  },
  {
    path: "artifacts get",
    summary: "an artifact's bytes, on stdout or into a file",
    usage: ["<sha256> [-o <file>]"],
    flags: [["-o, --out <file>", "write the bytes to this file instead of stdout"]],
  },
  {
    path: "archive inspect",
    summary: "the runs in a retention archive and their hash chains, or one run's journal",
    usage: ["<file.jsonl.gz> [<runId>]"],
    flags: [],
  },
];

const FOOTER = `every command takes --db <url> (default: $DURO_DB, else ${DEFAULT_DB_URL}), --json and --help.
database URLs: sqlite:path/to/file.db[?synchronous=full], postgres://user:password@host:5432/db[?schema=duro]
exit codes: 0 completed, 1 failed or cancelled, 2 bad usage or input, 3 waiting.`;

const line = (help: CommandHelp, usage: string) => (usage.startsWith("    ") ? `  ${usage}` : `duro ${help.path} ${usage}`.trimEnd());

/** The whole usage text: every command's usage lines. */
export function usageText(): string {
  const lines = COMMAND_HELP.flatMap((help) => help.usage.map((usage) => line(help, usage)));
  return `duro: durable workflows and agent runs\n\nusage:\n${lines.map((l) => `  ${l}`).join("\n")}\n\nduro <command> --help describes one command.\n${FOOTER}`;
}

/** The command the leading words of a command line name (the longest match), if any. */
export function commandOf(argv: string[]): CommandHelp | undefined {
  const words: string[] = [];
  for (const arg of argv) {
    if (arg.startsWith("-")) break;
    words.push(arg);
  }
  let found: CommandHelp | undefined;
  for (const help of COMMAND_HELP) {
    const path = help.path.split(" ");
    if (path.every((word, i) => words[i] === word) && (found === undefined || path.length > found.path.split(" ").length)) found = help;
  }
  return found;
}

/** The help for the command a command line names: its usage and flags, or the list of its subcommands. */
export function helpText(argv: string[]): string {
  const help = commandOf(argv);
  if (help === undefined) {
    const family = COMMAND_HELP.filter((h) => argv[0] !== undefined && h.path.startsWith(`${argv[0]} `));
    if (family.length === 0) return usageText();
    return `duro ${argv[0]}: one of\n${family.map((h) => `  duro ${h.path}   ${h.summary}`).join("\n")}\n\n${FOOTER}`;
  }
  const width = Math.max(0, ...help.flags.map(([flag]) => flag.length));
  const flags = help.flags.map(([flag, text]) => `  ${flag.padEnd(width)}  ${text}`);
  return [
    `duro ${help.path}: ${help.summary}`,
    "",
    "usage:",
    ...help.usage.map((usage) => `  ${line(help, usage)}`),
    ...(flags.length > 0 ? ["", "flags:", ...flags] : []),
    "",
    FOOTER,
  ].join("\n");
}

/** Whether a command line asks for help: --help or -h before a `--` that ends the flags. */
export function asksForHelp(argv: string[]): boolean {
  const end = argv.indexOf("--");
  return (end === -1 ? argv : argv.slice(0, end)).some((arg) => arg === "--help" || arg === "-h");
}
