// Fixture: an agent with a tool the host runs (external: true); the run waits until `duro tools result`.
import { tool, workflow } from "duro";

const openFile = tool({
  name: "open_file",
  description: "Opens a file in the user's editor and returns its first line",
  parameters: { type: "object", properties: { path: { type: "string" } }, required: ["path"] },
  external: true,
});

export default workflow("agent-external", { version: "1" }, async (ctx) => {
  const result = await ctx.agent("ide", { model: "gpt-test", prompt: "what does the readme say?", tools: [openFile] });
  return { text: result.text, toolCalls: result.toolCalls };
});
