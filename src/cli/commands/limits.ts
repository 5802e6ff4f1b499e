// `duro limits raise <runId> --max-cost-usd 5`: gives a run suspended by its budget (onExceed: "suspend")
// new limits; the run goes on when a worker picks it up.
import { DuroError, type LimitRaise, limitsKey } from "../../index.js";
import type { CliCommand } from "../command.js";
import { EXIT, engineFor, output, parse, requirePositional, usage } from "../common.js";

const FLAGS = {
  "max-cost-usd": "maxCostUsd",
  "max-tokens": "maxTokens",
  "max-iterations": "maxIterations",
  "max-wall-time": "maxWallTime",
} as const;

export const limitsCommand: CliCommand = {
  name: "limits",
  async run(args) {
    const { values, positionals } = parse(args, {
      "max-cost-usd": { type: "string" },
      "max-tokens": { type: "string" },
      "max-iterations": { type: "string" },
      "max-wall-time": { type: "string" },
    });
    const [sub, runId] = positionals;
    if (sub !== "raise") throw usage(`unknown "limits ${sub ?? ""}"; use duro limits raise <runId> --max-cost-usd <usd>`);
    requirePositional(positionals, 1, "the run id: duro limits raise <runId> --max-cost-usd <usd>");
    const raise: LimitRaise = {};
    for (const [flag, key] of Object.entries(FLAGS)) {
      const value = values[flag as keyof typeof FLAGS];
      if (value === undefined) continue;
      if (key === "maxWallTime") {
        raise.maxWallTime = value;
        continue;
      }
      const n = Number(value);
      if (!Number.isFinite(n) || n <= 0) {
        throw new DuroError("usage", `--${flag} must be a positive number, not "${value}"`, { category: "input" });
      }
      raise[key] = n;
    }
    if (Object.keys(raise).length === 0) throw usage("say which limit to raise, e.g. --max-cost-usd 5");
    const out = output(values.json);
    const engine = engineFor(values.db);
    try {
      await engine.get(runId as string);
      const result = await engine.signal(limitsKey(runId as string), raise);
      out.data({ runId, raise, woke: result.wokeRunIds.includes(runId as string) });
      out.print(
        result.wokeRunIds.includes(runId as string)
          ? `limits of run ${runId} raised; it continues when a worker picks it up (duro resume ${runId})`
          : `run ${runId} is not waiting on its budget now; the new limits are kept and apply when it next reaches one`,
      );
    } finally {
      await engine.close();
    }
    return EXIT.ok;
  },
};
