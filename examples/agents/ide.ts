// An IDE assistant whose `open_file` tool runs on the user's side (external: true): when the model calls it, the run
// waits until the host posts the file's text, then the loop goes on. Offline:
//   npx duro run examples/agents/ide.ts --id ide1 --mock-llm examples/agents/ide.mock.json     (waits; prints the call)
//   npx duro tools result ide1 <callId> --result '"# duro\nA durable execution engine."'
//   npx duro resume ide1 --mock-llm examples/agents/ide.mock.json
import { tool, workflow } from "duro";
import { z } from "zod";

const openFile = tool({
  name: "open_file",
  description: "Opens a file in the user's editor and returns its text",
  parameters: z.object({ path: z.string() }),
  external: true,
});

export default workflow("ide-assistant", async (ctx, input: { question?: string }) => {
  const result = await ctx.agent("ide", {
    model: "openai:gpt-4o-mini",
    system: "You answer questions about the user's project; open files to read them.",
    prompt: input.question ?? "What is this project?",
    tools: [openFile],
  });
  return { answer: result.text, toolCalls: result.toolCalls };
});
