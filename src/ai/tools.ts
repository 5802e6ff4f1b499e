// `durableTools(ctx, tools)`: an AI SDK tool set whose every `execute` is a journaled step, so a replayed run gets a
// tool's journaled output instead of running it again. A tool that needs approval (the SDK's `needsApproval`, or this
// helper's `approval` option) waits for `duro approve` as a durable approval; a rejection goes back to the model as the
// tool's output, and the run goes on.
import type { ToolExecutionOptions, ToolSet } from "ai";
import { withSpan } from "../agent/kit.js";
import type { ApprovalDecision, Duration, RetryPolicy, WorkflowContext } from "../core/index.js";

export interface DurableToolsOptions<T extends ToolSet> {
  /** Tools that wait for a person's approval before they run, besides those whose `needsApproval` says so. default: none */
  approval?: Partial<Record<keyof T & string, boolean>>;
  /** Without a decision by then, the approval times out and the call is refused. default: no timeout */
  approvalTimeout?: Duration;
  /** What the model receives for a call a person rejected (or aborted). default: a sentence naming the tool, who and why */
  refusal?: (decision: ApprovalDecision, call: { toolName: string; toolCallId: string; input: unknown }) => unknown;
  /** Retry policy of each tool's step. default: the workflow's step retry policy */
  retry?: RetryPolicy;
  /** One attempt of a tool may take this long. default: no limit */
  timeout?: Duration;
}

/**
 * Wraps a tool set for generateText / streamText inside a workflow: each call of a tool with `execute` runs as the step
 * `ai/tool:<name>:<toolCallId>`, and a tool needing approval first waits on the gate `tool:<name>`. Tools without
 * `execute` (the client runs them) are left as they are.
 */
export function durableTools<T extends ToolSet>(ctx: WorkflowContext, tools: T, options: DurableToolsOptions<T> = {}): T {
  const wrapped: ToolSet = {};
  for (const [name, definition] of Object.entries(tools)) {
    const { execute, needsApproval, ...rest } = definition;
    if (!execute) {
      wrapped[name] = definition;
      continue;
    }
    wrapped[name] = {
      ...rest,
      execute: async (input: unknown, call: ToolExecutionOptions) => {
        const needed = options.approval?.[name as keyof T & string] === true || (await approvalNeeded(needsApproval, input, call));
        if (needed) {
          const decision = await approve(ctx, name, input, options.approvalTimeout);
          if (decision.action !== "approve") {
            const refusal = options.refusal ?? defaultRefusal;
            return refusal(decision, { toolName: name, toolCallId: call.toolCallId, input });
          }
        }
        return ctx.step(
          `ai/tool:${name}:${call.toolCallId}`,
          (step) => {
            const attributes = {
              "gen_ai.operation.name": "execute_tool",
              "gen_ai.tool.name": name,
              "gen_ai.tool.call.id": call.toolCallId,
              "duro.run_id": ctx.runId,
            };
            return withSpan(`execute_tool ${name}`, attributes, async () => {
              const signal = call.abortSignal ? AbortSignal.any([call.abortSignal, step.signal]) : step.signal;
              return (await lastOutput(execute(input as never, { ...call, abortSignal: signal }))) ?? null;
            });
          },
          { ...(options.retry ? { retry: options.retry } : {}), ...(options.timeout === undefined ? {} : { timeout: options.timeout }) },
        );
      },
    } as ToolSet[string];
  }
  return wrapped as T;
}

type NeedsApproval = ToolSet[string]["needsApproval"];

/** The SDK's own flag or function; the function must answer from the input alone, the same way on every replay. */
async function approvalNeeded(needsApproval: NeedsApproval, input: unknown, call: ToolExecutionOptions): Promise<boolean> {
  if (typeof needsApproval !== "function") return needsApproval === true;
  return (await needsApproval(input as never, {
    toolCallId: call.toolCallId,
    messages: call.messages,
    ...(call.experimental_context === undefined ? {} : { experimental_context: call.experimental_context }),
  })) as boolean;
}

/** An approval that times out refuses the call like a rejection, rather than failing the run: the model can answer without the tool. */
async function approve(ctx: WorkflowContext, name: string, input: unknown, timeout: Duration | undefined): Promise<ApprovalDecision> {
  const summary = `the model wants to call the tool "${name}" with ${JSON.stringify(input)}`;
  try {
    return await ctx.approval(`tool:${name}`, { summary, ...(timeout === undefined ? {} : { timeout }) });
  } catch (error) {
    if ((error as { code?: unknown }).code !== "wait_timeout") throw error;
    return { action: "reject", comment: `no decision within ${String(timeout)}` };
  }
}

function defaultRefusal(decision: ApprovalDecision, call: { toolName: string }): string {
  const who = decision.by ? ` by ${decision.by}` : "";
  const why = decision.comment ? `: ${decision.comment}` : "";
  return `The call of the tool "${call.toolName}" was ${decision.action === "abort" ? "aborted" : "rejected"}${who}${why}. It did not run; do not call it again with the same input.`;
}

/** A tool may stream preliminary outputs (an async iterable); its output is the last one. */
async function lastOutput(result: unknown): Promise<unknown> {
  const value = await result;
  if (value === null || typeof value !== "object" || !(Symbol.asyncIterator in value)) return value;
  let last: unknown;
  for await (const output of value as AsyncIterable<unknown>) last = output;
  return last;
}
