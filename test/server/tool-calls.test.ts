// External tool calls over the API, on SQLite and PostgreSQL: the inbox lists a pending call with kind "tool", the
// client posts its result to /v1/runs/{id}/tool-calls/{callId}, and unknown or answered calls are 404 / 409.
import { describe, expect, it } from "vitest";
import { mockLlm } from "../support/llm.js";
import { testServer } from "./support.js";

const json = async (response: Response) => (await response.json()) as Record<string, any>;

it("the OpenAPI document names the tool-calls route and its body", async () => {
  const s = await testServer();
  const doc = await json(await s.call("GET", "/openapi.json"));
  expect(doc.paths["/v1/runs/{id}/tool-calls/{callId}"].post["x-duro-role"]).toBe("operator");
  expect(Object.keys(doc.components.schemas.ToolResult.properties).sort()).toEqual(["by", "error", "result"]);
});

describe.each(["sqlite", "postgres"] as const)("%s", (backend) => {
  it("a pending tool call is in the inbox; posting its result lets the agent finish; a second post is 409", async () => {
    const server = await mockLlm({ replies: [{ toolCalls: [{ name: "open_file", arguments: { path: "a.ts" } }] }, { content: "done" }] });
    const s = await testServer({}, undefined, backend);
    const id = await s.startSettled("ide-agent", {});
    const inbox = await json(await s.call("GET", "/v1/approvals", { token: s.keys.acmeViewer }));
    expect(inbox.pending).toEqual([
      expect.objectContaining({ runId: id, kind: "tool", tool: "open_file", args: { path: "a.ts" }, decided: false }),
    ]);
    const callId = inbox.pending[0].callId as string;
    const path = `/v1/runs/${id}/tool-calls/${callId}`;

    expect((await s.call("POST", path, { token: s.keys.acmeViewer, body: { result: 1 } })).status).toBe(403);
    const unknown = await s.call("POST", `/v1/runs/${id}/tool-calls/call_nope`, { token: s.keys.acmeOperator, body: { result: 1 } });
    expect([unknown.status, (await json(unknown)).error.code]).toEqual([404, "tool_call_unknown"]);
    const neither = await s.call("POST", path, { token: s.keys.acmeOperator, body: {} });
    expect([neither.status, (await json(neither)).error.code]).toEqual([400, "invalid_tool_result"]);

    const posted = await s.call("POST", path, { token: s.keys.acmeOperator, body: { result: { text: "export {}" } } });
    expect(posted.status).toBe(202);
    expect(await json(posted)).toMatchObject({ runId: id, callId, tool: "open_file" });
    const again = await s.call("POST", path, { token: s.keys.acmeOperator, body: { error: "late" } });
    expect([again.status, (await json(again)).error.code]).toEqual([409, "tool_call_answered"]);

    await s.settle(id);
    expect(await json(await s.call("GET", `/v1/runs/${id}`, { token: s.keys.acmeViewer }))).toMatchObject({
      status: "completed",
      output: "done",
    });
    const sent = server.requests[1]?.body.messages as Array<{ role: string; content: string }>;
    expect(sent.at(-1)).toMatchObject({ role: "tool", content: '{"text":"export {}"}' });
    const other = await s.call("POST", path, { token: s.keys.globexAdmin, body: { result: 1 } });
    expect(other.status).toBe(404);
  });
});
