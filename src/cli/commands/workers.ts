// `duro workers list`: the live workers registry, read from the database all workers share: who runs, where, which
// workflow versions each holds, and how busy it is. A worker that died without stopping drops out once its ttl passes.
import type { WorkerRecord } from "../../store/index.js";
import type { CliCommand } from "../command.js";
import { EXIT, openDb, output, parse, usage } from "../common.js";
import { table } from "../output.js";

export const workersCommand: CliCommand = {
  name: "workers",
  async run(args) {
    const { values, positionals } = parse(args, {});
    if (positionals[0] !== "list") {
      throw usage(
        positionals.length === 0
          ? "missing what to do: duro workers list"
          : `unknown "workers ${positionals.join(" ")}"; use duro workers list`,
      );
    }
    const out = output(values.json);
    const store = openDb(values.db);
    try {
      const workers = await store.listWorkers();
      out.data({ workers });
      out.print(formatWorkers(workers));
      return EXIT.ok;
    } finally {
      await store.close();
    }
  },
};

function formatWorkers(workers: WorkerRecord[]): string {
  if (workers.length === 0) return "no live workers: start one with duro worker <file…>; it announces itself here while it runs";
  const rows = workers.map((w) => [
    w.id,
    w.host,
    String(w.pid),
    new Date(w.startedAt).toISOString(),
    new Date(w.seenAt).toISOString(),
    held(w),
    `${w.active}/${w.concurrency}`,
  ]);
  return table(["ID", "HOST", "PID", "STARTED", "LAST SEEN", "WORKFLOWS", "ACTIVE"], rows);
}

/** `order@v1,v2 mail@3f9a… (any version)`: a workflow the worker claims in any version (not pinned) says so. */
function held(worker: WorkerRecord): string {
  return Object.entries(worker.workflows)
    .map(([name, versions]) => {
      const any = !worker.pinned || worker.anyVersion.includes(name);
      return `${name}@${versions.join(",")}${any ? " (any version)" : ""}`;
    })
    .join(" ");
}
