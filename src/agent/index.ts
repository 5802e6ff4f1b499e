// The agent toolkit: durable LLM calls and tool loops, budgets, schema-validated output, phase templates.

export type { AgentOptions, AgentResult } from "./agent.js";
export { type AnthropicOptions, anthropic } from "./anthropic.js";
export { type Budget, type LimitRaise, limitsKey } from "./budget.js";
export { agentToolkit } from "./context.js";
export { loadConversation } from "./conversation.js";
export { type BudgetView, type LimitName, type LimitView, type RunLimits, runLimits } from "./limits-view.js";
export type { CallRecord, LlmOptions, LlmResult } from "./llm.js";
export { costOf, type ModelPrice, registerProvider, setModelPrices } from "./models.js";
export { type OpenAiCompatibleOptions, openAiCompatible } from "./openai.js";
export {
  type ArtifactRef,
  type Persona,
  PHASE_REPORT_FILES,
  type Phase,
  type PhaseAttempt,
  type PhaseError,
  type PhaseReport,
  type PhaseRunOptions,
  type PhaseTemplate,
  reportMarkdown,
  runPhases,
} from "./phases.js";
export type { AssistantMessage, ChatMessage, ChatRequest, ChatResponse, LlmProvider, ToolCall, ToolSpec, Usage } from "./provider.js";
export type { AnySchema, JsonSchema, SchemaIssue } from "./schema.js";
export { type Tool, tool } from "./tools.js";
export { Workspace, type WorkspaceWrite } from "./workspace.js";
export { RunWorkspace, type WorkspaceOptions, workspaceOptions } from "./workspace-context.js";
