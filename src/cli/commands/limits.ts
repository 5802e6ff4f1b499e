// `duro limits show <runId>`: each budget of a run with its limit, use and what is left, and whether it is suspended;
// `duro limits raise <runId> --max-cost-usd 5`: gives a run suspended by its budget (onExceed: "suspend") new limits.
import { DuroError, type LimitRaise, limitsKey, type RunLimits, runLimits } from "../../index.js";
import { SEND_FLAGS, sendAttribution } from "../attribution-flags.js";
import type { CliCommand } from "../command.js";
import { EXIT, engineFor, output, parse, requirePositional, usage } from "../common.js";
import { duroCommand } from "../hints.js";

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
      ...SEND_FLAGS,
    });
    const [sub, runId] = positionals;
    if (sub !== "raise" && sub !== "show")
      throw usage(`unknown "limits ${sub ?? ""}"; use duro limits show <runId> or duro limits raise <runId> --max-cost-usd <usd>`);
    requirePositional(positionals, 1, `the run id: duro limits ${sub} <runId>`);
    const out = output(values.json);
    const engine = engineFor(values.db);
    try {
      await engine.get(runId as string);
      if (sub === "show") {
        const limits = runLimits(runId as string, await engine.events(runId as string));
        out.data(limits);
        out.print(formatLimits(limits));
        return EXIT.ok;
      }
      const raise = raiseFrom(values);
      const result = await engine.signal(limitsKey(runId as string), raise, sendAttribution(values));
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

function raiseFrom(values: Partial<Record<keyof typeof FLAGS, string | undefined>>): LimitRaise {
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
  return raise;
}

const LABELS = { maxCostUsd: "cost (USD)", maxTokens: "tokens", maxIterations: "iterations", maxWallTimeMs: "wall time (ms)" };

function formatLimits(limits: RunLimits): string {
  const lines: string[] = [];
  if (limits.budgets.length === 0) lines.push(`run ${limits.runId} has no budget journaled (it set none, or made no model call yet)`);
  for (const budget of limits.budgets) {
    lines.push(`${budget.scope} (as of ${budget.asOf}):`);
    for (const l of budget.limits) lines.push(`  ${LABELS[l.limit].padEnd(15)} limit ${l.max}  used ${l.used}  left ${l.left}`);
  }
  lines.push(
    limits.suspended
      ? `suspended by its budget since ${limits.suspendedSince}; raise it: ${duroCommand("limits", "raise", limits.runId, "--max-cost-usd", "<usd>")}`
      : "not suspended",
  );
  return lines.join("\n");
}
