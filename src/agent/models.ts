// Which provider serves a model, and what its tokens cost. A model is named `provider:model`
// (`openai:gpt-4o-mini`, `anthropic:claude-sonnet-4-5`, `ollama:llama3.2`); a bare name means `openai:`.
import { DuroError } from "../core/index.js";
import { anthropic } from "./anthropic.js";
import { openAiCompatible } from "./openai.js";
import type { LlmProvider, Usage } from "./provider.js";

const providers = new Map<string, LlmProvider>([
  ["openai", openAiCompatible()],
  ["anthropic", anthropic()],
]);

/** Adds or replaces a provider: `registerProvider("ollama", openAiCompatible({ baseUrl: "http://127.0.0.1:11434/v1", system: "ollama" }))`. */
export function registerProvider(name: string, provider: LlmProvider): void {
  providers.set(name, provider);
}

export interface ResolvedModel {
  provider: LlmProvider;
  providerName: string;
  /** The name sent to the provider. */
  model: string;
}

export function resolveModel(name: string): ResolvedModel {
  const colon = name.indexOf(":");
  const providerName = colon > 0 ? name.slice(0, colon) : "openai";
  const model = colon > 0 ? name.slice(colon + 1) : name;
  const provider = providers.get(providerName);
  if (!provider || model === "") {
    throw new DuroError(
      "unknown_model_provider",
      `model "${name}" names no known provider; use one of ${[...providers.keys()].map((p) => `"${p}:<model>"`).join(", ")} or registerProvider() first`,
      { category: "definition", details: { model: name } },
    );
  }
  return { provider, providerName, model };
}

/** US dollars per million tokens. */
export interface ModelPrice {
  input: number;
  output: number;
}

// List prices at the time of writing; override with setModelPrices() or the `prices` option.
const prices = new Map<string, ModelPrice>(
  Object.entries({
    "gpt-4o": { input: 2.5, output: 10 },
    "gpt-4o-mini": { input: 0.15, output: 0.6 },
    "gpt-4.1": { input: 2, output: 8 },
    "gpt-4.1-mini": { input: 0.4, output: 1.6 },
    "claude-sonnet-4-5": { input: 3, output: 15 },
    "claude-haiku-4-5": { input: 1, output: 5 },
    "claude-opus-4-1": { input: 15, output: 75 },
  }),
);

/** Sets or overrides prices per model (the name with or without its `provider:` prefix). */
export function setModelPrices(table: Record<string, ModelPrice>): void {
  for (const [model, price] of Object.entries(table)) prices.set(model, price);
}

/** The cost of one call in US dollars; 0 for a model without a price (local models). */
export function costOf(model: string, usage: Usage, overrides?: Record<string, ModelPrice>): number {
  const bare = model.includes(":") ? model.slice(model.indexOf(":") + 1) : model;
  const price = overrides?.[model] ?? overrides?.[bare] ?? prices.get(model) ?? prices.get(bare);
  if (!price) return 0;
  // Rounded to a nano-dollar so sums of journaled costs stay readable.
  return Math.round((usage.inputTokens * price.input + usage.outputTokens * price.output) * 1000) / 1e9;
}
