// Plugs the toolkit into every workflow context: `ctx.llm`, `ctx.agent` and `ctx.budget`. Importing duro
// (or this folder) registers it; the executor applies it to each context it builds.
import { DuroError, extendWorkflowContext, type WorkflowContext } from "../core/index.js";
import { type AgentOptions, type AgentResult, runAgent } from "./agent.js";
import type { Budget } from "./budget.js";
import { ConversationStore } from "./conversation.js";
import { AgentRuntime, type LlmOptions, type LlmResult } from "./llm.js";

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

// Shared by every copy of duro in the process: a workflow file can import another copy (the repository's src/ next to
// the CLI's dist/) than the executor that built its context, and the toolkit must find that context's runtime.
const RUNTIMES = Symbol.for("duro.agent.runtimes");
const shared = globalThis as { [RUNTIMES]?: WeakMap<WorkflowContext, AgentRuntime> };
shared[RUNTIMES] ??= new WeakMap<WorkflowContext, AgentRuntime>();
const runtimes = shared[RUNTIMES];

/** The toolkit's state for a context (the run's ledger); used by phase templates and reports. */
export function runtimeOf(ctx: WorkflowContext): AgentRuntime {
  const runtime = runtimes.get(ctx);
  if (!runtime) {
    throw new DuroError("agent_toolkit_missing", "this context was not built by a duro executor with the agent toolkit loaded");
  }
  return runtime;
}

extendWorkflowContext((ctx, services) => {
  const runtime = new AgentRuntime(ctx, new ConversationStore(services), services);
  runtimes.set(ctx, runtime);
  ctx.llm = (name, options) => runtime.llm(name, options);
  ctx.agent = (name, options) => runAgent(runtime, name, options);
  ctx.budget = (budget) => {
    runtime.run.budget = { ...budget };
  };
});
