// `duro runs fork <runId> [<file...>] (--from-step <key> | --from-bookmark <name>) [--input <json>] [--id <newId>]`: a
// new run that reuses the journal up to that step, or up to and including that bookmark (src/engine/fork.ts); a
// worker, or `duro resume <newId> <file>`, executes it from there.
// With files, the fork records the version of their code (the newest of the run's workflow), so that pinned workers
// with that code take it: the way to move a run that the old code cannot finish onto the new code.

import type { WorkflowDefinition } from "../../index.js";
import { DuroError, forkRun } from "../../index.js";
import { loadWorkflowFiles } from "../../load/index.js";
import type { Store } from "../../store/index.js";
import { currentUser, EXIT, openDb, output, parse, parseJson, requirePositional, usage } from "../common.js";
import { loadOptions } from "../files.js";

export async function runsFork(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {
    "from-step": { type: "string" },
    "from-bookmark": { type: "string" },
    input: { type: "string" },
    id: { type: "string" },
    actor: { type: "string" },
  });
  const out = output(values.json);
  const originId = requirePositional(positionals, 0, "the run id: duro runs fork <runId> --from-step <key>");
  const fromStep = values["from-step"];
  const fromBookmark = values["from-bookmark"];
  if (fromStep !== undefined && fromBookmark !== undefined) throw usage("give --from-step or --from-bookmark, not both");
  if (!fromStep && !fromBookmark) {
    throw usage(
      `missing --from-step <key> (the step to execute again; duro runs show ${originId} lists the steps) or --from-bookmark <name> (duro runs bookmarks ${originId} lists the bookmarks)`,
    );
  }
  const files = positionals.slice(1);
  const loaded = files.length === 0 ? [] : (await loadWorkflowFiles(files, loadOptions())).flatMap((m) => m.workflows);
  const store = openDb(values.db);
  try {
    const workflow = files.length === 0 ? undefined : await codeFor(store, originId, loaded, files);
    const run = await forkRun(store, originId, {
      ...(fromStep ? { fromStep } : { fromBookmark: fromBookmark as string }),
      ...(workflow === undefined ? {} : { workflow }),
      ...(values.input === undefined ? {} : { input: parseJson(values.input, "the input", "--input") }),
      actor: values.actor ?? currentUser(),
      ...(values.id === undefined ? {} : { id: values.id }),
    });
    out.data(run);
    out.print(
      `forked run ${originId} ${fromStep ? `from step ${fromStep}` : `after bookmark ${fromBookmark} (its journal up to there is replayed, the rest runs anew)`} as ${run.id}, version ${run.version} (queued; a worker or duro resume ${run.id} <file> runs it)`,
    );
    return EXIT.ok;
  } finally {
    await store.close();
  }
}

/** The newest definition of the origin run's workflow among the files' workflows. */
async function codeFor(store: Store, originId: string, loaded: WorkflowDefinition[], files: string[]): Promise<WorkflowDefinition> {
  const origin = await store.getRun(originId);
  if (!origin) throw new DuroError("run_not_found", `run ${originId} does not exist; check the id (duro runs list)`, { category: "input" });
  const def = loaded.filter((w) => w.name === origin.workflow).at(-1);
  if (def) return def;
  throw new DuroError(
    "workflow_not_found",
    `${files.join(", ")} define no workflow "${origin.workflow}" (run ${originId}'s workflow); pass the file that defines it`,
    { category: "input", details: { workflow: origin.workflow } },
  );
}
