// External tools: the model's call to a tool the host runs is journaled as a `tool` wait; the run suspends until
// the host posts the outcome, then the loop goes on with it as the tool message. Unknown and answered calls get codes.
import { DuroError, type JournalEvent, tool, workflow } from "duro";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { harness, STORES } from "../support/engine.js";
import { callTool, mockLlm } from "../support/llm.js";

const openFile = tool({
  name: "open_file",
  description: "Opens a file in the user's editor",
  parameters: z.object({ path: z.string() }),
  external: true,
});
const lookup = tool({ name: "lookup", parameters: z.object({ q: z.string() }), run: ({ q }) => `found ${q}` });

const assistant = workflow("ide-assistant", async (ctx) => {
  const result = await ctx.agent("ide", { model: "gpt-test", prompt: "open the readme", tools: [openFile, lookup] });
  return { text: result.text, toolCalls: result.toolCalls };
});

const toolWaits = (events: JournalEvent[]) => events.filter((e) => e.type === "wait_started" && e.kind === "tool");
const sentToModel = (body: Record<string, unknown> | undefined) =>
  ((body?.messages ?? []) as Array<{ role: string; content: string }>).filter((m) => m.role === "tool");

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  return error instanceof DuroError ? error.code : undefined;
}

describe.each(STORES)("%s store", (kind) => {
  it("a run waits on each external call of a turn and goes on with the host's results once all are in", async () => {
    const server = await mockLlm({
      replies: [
        {
          toolCalls: [
            { name: "open_file", arguments: { path: "README.md" } },
            { name: "lookup", arguments: { q: "x" } },
            { name: "open_file", arguments: { path: "b.md" } },
          ],
        },
        { content: "opened both" },
      ],
    });
    const { engine, settle } = harness(kind, [assistant]);
    const { id } = await engine.start(assistant, {});
    const waiting = await settle(id);
    expect(waiting.status).toBe("waiting");
    const pending = await engine.pending({ runId: id });
    expect(pending.map((p) => [p.kind, p.tool, p.args])).toEqual([
      ["tool", "open_file", { path: "README.md" }],
      ["tool", "open_file", { path: "b.md" }],
    ]);
    const [first, second] = pending.map((p) => p.callId as string);

    await engine.toolResult(id, second as string, { error: "no such file" });
    expect((await settle(id)).status).toBe("waiting");
    expect(server.requests).toHaveLength(1);
    await engine.toolResult(id, first as string, { result: { opened: true } });
    expect(await settle(id)).toMatchObject({ status: "completed", output: { text: "opened both", toolCalls: 3 } });

    expect(sentToModel(server.requests[1]?.body).map((m) => m.content)).toEqual([
      '{"opened":true}',
      "found x",
      "error: open_file failed: no such file",
    ]);
    expect(toolWaits(await engine.events(id))).toEqual([
      expect.objectContaining({ key: "ide/tool:open_file#0", tool: "open_file", callId: first, args: { path: "README.md" } }),
      expect.objectContaining({ key: "ide/tool:open_file#1", tool: "open_file", callId: second, args: { path: "b.md" } }),
    ]);
  });

  it("a result for an unknown call or one already answered is refused with a code", async () => {
    await mockLlm({ replies: [callTool("open_file", { path: "a" }), { content: "done" }] });
    const { engine, settle } = harness(kind, [assistant]);
    const { id } = await engine.start(assistant, {});
    await settle(id);
    const [call] = await engine.pending({ runId: id });
    const callId = call?.callId as string;
    expect(await codeOf(engine.toolResult(id, "call_nope", { result: 1 }))).toBe("tool_call_unknown");
    expect(await codeOf(engine.toolResult(id, callId, {}))).toBe("invalid_tool_result");
    expect(await codeOf(engine.toolResult(id, callId, { result: 1, error: "x" }))).toBe("invalid_tool_result");
    await engine.toolResult(id, callId, { result: "ok" });
    expect(await codeOf(engine.toolResult(id, callId, { result: "again" }))).toBe("tool_call_answered");
    expect((await settle(id)).status).toBe("completed");
    expect(await codeOf(engine.toolResult(id, callId, { result: "late" }))).toBe("tool_call_answered");
  });
});

describe("external tools", () => {
  it("a tool with neither run nor external is refused when defined, and by the agent when given as a plain object", async () => {
    expect(() => tool({ name: "nothing", parameters: { type: "object" } })).toThrow(expect.objectContaining({ code: "tool_without_run" }));
    const wf = workflow("no-run", async (ctx) =>
      ctx.agent("a", { model: "gpt-test", prompt: "go", tools: [{ name: "nothing", parameters: { type: "object" } }] }),
    );
    const { engine, settle } = harness("memory", [wf]);
    const { id } = await engine.start(wf, {});
    expect((await settle(id)).error).toMatchObject({ code: "tool_without_run" });
  });

  it("an external call with no outcome by its timeout goes back to the model as a tool error", async () => {
    const server = await mockLlm({ replies: [callTool("slow", {}), { content: "gave up" }] });
    const slow = tool({ name: "slow", parameters: { type: "object" }, external: true, externalTimeout: "1m" });
    const wf = workflow("impatient", async (ctx) => (await ctx.agent("a", { model: "gpt-test", prompt: "go", tools: [slow] })).text);
    const { engine, settle, clock } = harness("sqlite", [wf]);
    const { id } = await engine.start(wf, {});
    expect((await settle(id)).status).toBe("waiting");
    clock.advance(61_000);
    expect(await settle(id)).toMatchObject({ status: "completed", output: "gave up" });
    expect(sentToModel(server.requests[1]?.body)[0]?.content).toBe("error: slow got no result from the host in time");
  });
});
