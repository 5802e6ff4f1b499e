// A mock LLM server per test, with the environment pointing duro's OpenAI and Anthropic providers at it.
import { afterEach } from "vitest";
import { type MockLlmServer, type MockScript, startMockLlm } from "../../src/testing/mock-llm.js";

export const TEST_API_KEY = "sk-duro-test-secret-0123456789";

const servers: MockLlmServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

/** Starts the mock with `script` and points OPENAI_* and ANTHROPIC_* at it (closed after the test). */
export async function mockLlm(script: MockScript): Promise<MockLlmServer> {
  const server = await startMockLlm(script);
  servers.push(server);
  Object.assign(process.env, mockLlmEnv(server.url));
  return server;
}

/** The environment that sends both providers to a mock at `url`. */
export function mockLlmEnv(url: string): Record<string, string> {
  return {
    OPENAI_BASE_URL: `${url}/v1`,
    OPENAI_API_KEY: TEST_API_KEY,
    ANTHROPIC_BASE_URL: url,
    ANTHROPIC_API_KEY: TEST_API_KEY,
  };
}

/** A reply that calls one tool. */
export const callTool = (name: string, args: unknown, usage?: { inputTokens: number; outputTokens: number }) => ({
  toolCalls: [{ name, arguments: args }],
  ...(usage ? { usage } : {}),
});
