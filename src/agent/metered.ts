// The metered model step every model client shares (ctx.llm, ctx.agent, duro/ai's middleware): the budget check
// before the call, one journaled step with a GenAI span, `usage_recorded` and limit warnings journaled with its
// result, and the ledgers updated from the journaled result, so a replay counts exactly what the first run counted.
import type { Span } from "@opentelemetry/api";
import type { RetryPolicy, StepContext, StepOptions, WorkflowContext } from "../core/index.js";
import { enforce, type Ledger } from "./budget.js";
import type { Usage } from "./provider.js";
import { withSpan } from "./telemetry.js";

/** What a metered step journals at least: the call's usage and cost, which the ledgers are rebuilt from. */
export interface MeteredRecord {
  usage: Usage;
  costUsd: number;
}

/** What the call reports besides its record, for the span. */
export interface MeteredReply<R extends MeteredRecord> {
  record: R;
  /** The model that answered, as the provider reported it. */
  responseModel: string;
  finishReason: string;
}

export interface MeteredCall {
  /** The step's name (its key adds the occurrence counter). */
  name: string;
  /** `provider:model`, as `usage_recorded` names it. */
  model: string;
  /** The `gen_ai.system` / `gen_ai.provider.name` of the span. */
  system: string;
  providerName: string;
  /** The model's name at the provider. */
  requestModel: string;
  /** The ledgers the call counts against; the run's comes first. */
  ledgers: Ledger[];
  /** Extra span attributes (agent name, request settings). */
  attributes?: Record<string, string | number>;
  retry: RetryPolicy;
  timeout?: StepOptions["timeout"];
}

/**
 * Runs `send` as one durable model call. A limit already reached fails (`limit_exceeded`) or suspends before anything
 * is sent; a journaled call is returned without calling `send`, and either way its usage is added to every ledger.
 */
export async function meteredStep<R extends MeteredRecord>(
  ctx: WorkflowContext,
  call: MeteredCall,
  send: (step: StepContext, span: Span) => Promise<MeteredReply<R>>,
): Promise<R> {
  const clockWarnings = await enforce(ctx, call.ledgers);
  const record = (await ctx.step(
    call.name,
    (step) =>
      withSpan(
        `chat ${call.requestModel}`,
        {
          "gen_ai.operation.name": "chat",
          "gen_ai.system": call.system,
          "gen_ai.provider.name": call.providerName,
          "gen_ai.request.model": call.requestModel,
          "duro.run_id": ctx.runId,
          ...call.attributes,
        },
        async (span) => {
          const key = step.idempotencyKey.slice(ctx.runId.length + 1);
          span.setAttribute("duro.step_key", key);
          const reply = await send(step, span);
          const { usage, costUsd } = reply.record;
          span.setAttributes({
            "gen_ai.response.model": reply.responseModel,
            "gen_ai.response.finish_reasons": [reply.finishReason],
            "gen_ai.usage.input_tokens": usage.inputTokens,
            "gen_ai.usage.output_tokens": usage.outputTokens,
            "duro.cost_usd": costUsd,
          });
          const budgets = call.ledgers.flatMap((l) => l.snapshotAfter(usage, costUsd) ?? []);
          step.emit({ type: "usage_recorded", key, model: call.model, ...usage, costUsd, ...(budgets.length ? { budgets } : {}) });
          for (const warning of [...clockWarnings, ...call.ledgers.flatMap((l) => l.warningsFor(usage, costUsd))]) step.emit(warning);
          return reply.record;
        },
      ),
    { retry: call.retry, ...(call.timeout === undefined ? {} : { timeout: call.timeout }) },
  )) as R;
  for (const ledger of call.ledgers) ledger.add(record.usage, record.costUsd);
  return record;
}
