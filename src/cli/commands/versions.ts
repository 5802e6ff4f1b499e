// `duro versions`: what is in flight per workflow version (waiting, queued and running runs), so you can see when no
// run of an old version remains (then its patches can be deprecated and its code dropped).
import type { RunStatus, Store } from "../../store/index.js";
import { EXIT, openDb, output, parse } from "../common.js";
import type { CliCommand } from "./index.js";

const IN_FLIGHT: RunStatus[] = ["queued", "running", "waiting"];

export interface VersionCount {
  workflow: string;
  version: string;
  queued: number;
  running: number;
  waiting: number;
}

/** Unfinished runs counted per workflow and version, sorted by workflow then version. */
export async function versionsInFlight(store: Store): Promise<VersionCount[]> {
  const counts = new Map<string, VersionCount>();
  for (const status of IN_FLIGHT) {
    let cursor: string | undefined;
    do {
      const page = await store.listRuns({ status, limit: 500, ...(cursor === undefined ? {} : { cursor }) });
      for (const run of page.runs) {
        const id = `${run.workflow}\0${run.version}`;
        const count = counts.get(id) ?? { workflow: run.workflow, version: run.version, queued: 0, running: 0, waiting: 0 };
        count[status as "queued" | "running" | "waiting"]++;
        counts.set(id, count);
      }
      cursor = page.nextCursor;
    } while (cursor !== undefined);
  }
  return [...counts.values()].sort((a, b) => a.workflow.localeCompare(b.workflow) || a.version.localeCompare(b.version));
}

export const versionsCommand: CliCommand = {
  name: "versions",
  usage: ["duro versions   unfinished runs per workflow version"],
  async run(args) {
    const { values } = parse(args, {});
    const out = output(values.json);
    const store = openDb(values.db);
    try {
      const versions = await versionsInFlight(store);
      out.data({ versions });
      if (versions.length === 0) out.print("no unfinished runs");
      for (const v of versions) out.print(`${v.workflow}  ${v.version}  queued ${v.queued}  running ${v.running}  waiting ${v.waiting}`);
      return EXIT.ok;
    } finally {
      await store.close();
    }
  },
};
