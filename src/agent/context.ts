// The toolkit as a context extension: `ctx.llm`, `ctx.agent` and `ctx.budget` on each context of an engine that has
// it in its extensions (createEngine puts it there by default), with the run's ledger kept on the context.
import { type ContextExtension, contextSlot, DuroError, type WorkflowContext } from "../core/index.js";
import { type AgentOptions, type AgentResult, runAgent } from "./agent.js";
import type { Budget } from "./budget.js";
import { ConversationStore } from "./conversation.js";
import { AgentRuntime, type LlmOptions, type LlmResult } from "./llm.js";
import { installWorkspace } from "./workspace-context.js";

declare module "../core/context.js" {
  interface WorkflowContext {
    /** One durable model call: journaled once, never paid twice; `usage_recorded` with tokens and cost. */
    llm(name: string, options: LlmOptions): Promise<LlmResult>;
    /** A tool-calling loop whose every model turn and tool call is a journaled step. */
    agent(name: string, options: AgentOptions): Promise<AgentResult>;
    /** Sets the run's budget (all model calls of the run count against it); call it first, the same way on every replay. */
    budget(budget: Budget): void;
  }
}

const runtimes = contextSlot<AgentRuntime>("agent.runtime");

/** The toolkit's state for a context (the run's ledger); used by phase templates and reports. */
export function runtimeOf(ctx: WorkflowContext): AgentRuntime {
  const runtime = runtimes.get(ctx);
  if (!runtime) {
    throw new DuroError(
      "agent_toolkit_missing",
      "this context's engine does not have the agent toolkit; create the engine with createEngine (it adds agentToolkit), or add agentToolkit to its extensions",
    );
  }
  return runtime;
}

/**
 * The agent toolkit: adds `ctx.llm`, `ctx.agent`, `ctx.budget` and `ctx.workspace` to each context. createEngine
 * includes it by default.
 */
export const agentToolkit: ContextExtension = (ctx, services) => {
  installWorkspace(ctx, services);
  const runtime = new AgentRuntime(ctx, new ConversationStore(services), services);
  runtimes.set(ctx, runtime);
  ctx.llm = (name, options) => runtime.llm(name, options);
  ctx.agent = (name, options) => runAgent(runtime, name, options);
  ctx.budget = (budget) => {
    runtime.run.budget = { ...budget };
  };
};
