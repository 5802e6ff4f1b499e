// `duro queues list`: every queue's limits and load, read from the database all workers share.
import type { QueueInfo } from "../../index.js";
import type { CliCommand } from "../command.js";
import { EXIT, engineFor, output, parse, usage } from "../common.js";
import { table } from "../output.js";

export const queuesCommand: CliCommand = {
  name: "queues",
  async run(args) {
    const { values, positionals } = parse(args, {});
    if (positionals[0] !== "list") throw usage(`unknown "queues ${positionals[0] ?? ""}"; use duro queues list`);
    const out = output(values.json);
    const engine = engineFor(values.db);
    try {
      const queues = await engine.store.listQueues();
      out.data(queues);
      out.print(formatQueues(queues));
    } finally {
      await engine.close();
    }
    return EXIT.ok;
  },
};

function formatQueues(queues: QueueInfo[]): string {
  if (queues.length === 0) return 'no queues: a workflow gets one with workflow(name, { queue: queue("name", { concurrency: 5 }) }, fn)';
  const rows = queues.map((q) => [
    q.name,
    q.concurrency === undefined ? "-" : String(q.concurrency),
    q.keyConcurrency === undefined ? "-" : String(q.keyConcurrency),
    q.rateLimit === undefined ? "-" : `${q.rateLimit.limit}/${formatPeriod(q.rateLimit.periodMs)} (${q.startedInWindow} used)`,
    String(q.pending),
    String(q.active),
  ]);
  return table(["QUEUE", "CONCURRENCY", "PER KEY", "RATE", "WAITING", "ACTIVE"], rows);
}

function formatPeriod(ms: number): string {
  for (const [unit, size] of [
    ["d", 86_400_000],
    ["h", 3_600_000],
    ["m", 60_000],
    ["s", 1_000],
  ] as const) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
