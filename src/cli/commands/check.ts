// `duro check <file...> --db <url>`: the pre-deploy check (src/engine/deploy-check.ts). Replays every waiting, queued
// or running run of the files' workflows against the files' code, executing nothing and writing nothing, and lists
// the runs that code would break. Exit 1 when any would break (so it can gate a deploy), 0 otherwise.
import { checkDeploy } from "../../index.js";
import { EXIT, openDb, output, parse, usage } from "../common.js";
import { loadWorkflowFiles } from "../load.js";
import type { CliCommand } from "./index.js";

export const checkCommand: CliCommand = {
  name: "check",
  async run(args) {
    const { values, positionals } = parse(args, {});
    const out = output(values.json);
    if (positionals.length === 0) throw usage("missing the workflow files: duro check <file...> --db <url>");
    const workflows = (await loadWorkflowFiles(positionals)).flatMap((m) => m.workflows);
    const store = openDb(values.db);
    try {
      const report = await checkDeploy({ store, workflows });
      out.data(report);
      for (const run of report.broken) {
        const at = run.expected === undefined ? "" : `: the journal has "${run.expected}", the code asks for ${quoted(run.requested)}`;
        const where = run.location === undefined ? "" : ` at ${run.location}`;
        const against = run.codeVersion === run.version ? "" : ` against code version ${run.codeVersion}`;
        out.print(
          `BREAKS run ${run.runId} (${run.workflow}, version ${run.version}${against}, ${run.status})${at}${where} [${run.error?.code}]`,
        );
      }
      const skipped = report.skipped.length > 0 ? `; ${report.skipped.length} runs of other workflows not checked` : "";
      out.print(`${report.checked} runs checked, ${report.broken.length} would break${skipped}`);
      return report.ok ? EXIT.ok : EXIT.failed;
    } finally {
      await store.close();
    }
  },
};

function quoted(requested: string | undefined): string {
  return requested === undefined || requested.startsWith("(") ? String(requested) : `"${requested}"`;
}
