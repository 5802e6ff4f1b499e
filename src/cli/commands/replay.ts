// `duro replay <cassette.json>`: re-executes a recorded run offline and reports the first divergence.
import { isAbsolute, resolve } from "node:path";
import { loadWorkflowFile, pickWorkflow } from "../../load/index.js";
import type { CliCommand } from "../command.js";
import { EXIT, output, parse, requirePositional, usage } from "../common.js";
import { loadOptions } from "../files.js";

export const replayCommand: CliCommand = {
  name: "replay",
  async run(args) {
    const { values, positionals } = parse(args, {});
    const out = output(values.json);
    const path = requirePositional(positionals, 0, "the cassette: duro replay <cassette.json> [<file>]");
    // Loaded here: the mocks and cassette code is not needed by any other command.
    const { readCassette, replayCassette } = await import("../../testing/index.js");
    const cassette = readCassette(path);
    const file = positionals[1] ?? cassette.source;
    if (!file) throw usage(`${path} does not name its workflow file; pass it: duro replay ${path} <file>`);
    const module = await loadWorkflowFile(isAbsolute(file) ? file : resolve(file), loadOptions());
    const report = await replayCassette(cassette, pickWorkflow(module, cassette.workflow));
    out.data(report);
    if (report.ok) {
      out.print(`replay of ${cassette.workflow} matches the recording: ${report.compared} steps, run ${report.status}`);
      return EXIT.ok;
    }
    const d = report.divergence;
    out.print(`replay diverged at step "${d?.step}" after ${report.compared} matching steps`);
    out.print(`  expected: ${JSON.stringify(d?.expected)}`);
    out.print(`  got:      ${JSON.stringify(d?.got)}`);
    return EXIT.failed;
  },
};
