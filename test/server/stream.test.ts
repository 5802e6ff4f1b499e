// The journal stream (SSE) over real HTTP: live events, resumption with Last-Event-ID after a dropped connection
// without a missed or repeated event, and the cap on open streams.
import { describe, expect, it } from "vitest";
import { json, testServer } from "./support.js";

interface SseMessage {
  id?: string;
  event: string;
  data: string;
}

/** Opens the stream and reads messages; `stopAfter` decides when to drop the connection (true = drop now). */
async function readStream(
  url: string,
  token: string,
  stopAfter: (messages: SseMessage[]) => boolean,
  lastEventId?: string,
): Promise<{ status: number; messages: SseMessage[] }> {
  const abort = new AbortController();
  const response = await fetch(url, {
    headers: { authorization: `Bearer ${token}`, ...(lastEventId === undefined ? {} : { "last-event-id": lastEventId }) },
    signal: abort.signal,
  });
  const messages: SseMessage[] = [];
  if (!response.ok || !response.body) return { status: response.status, messages };
  const decoder = new TextDecoder();
  let buffer = "";
  try {
    for await (const chunk of response.body) {
      buffer += decoder.decode(chunk as Uint8Array, { stream: true });
      let end = buffer.indexOf("\n\n");
      while (end !== -1) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        end = buffer.indexOf("\n\n");
        const message: SseMessage = { event: "message", data: "" };
        for (const line of block.split("\n")) {
          const [field, ...rest] = line.split(":");
          const value = rest.join(":").replace(/^ /, "");
          if (field === "id") message.id = value;
          if (field === "event") message.event = value;
          if (field === "data") message.data += value;
        }
        if (block.startsWith(":")) continue;
        messages.push(message);
        if (stopAfter(messages)) {
          abort.abort();
          return { status: response.status, messages };
        }
      }
    }
  } catch (error) {
    if (!abort.signal.aborted) throw error;
  }
  return { status: response.status, messages };
}

const ended = (messages: SseMessage[]) => messages.at(-1)?.event === "end";
const seqs = (messages: SseMessage[]) => messages.filter((m) => m.event === "journal").map((m) => Number(m.id));

describe("journal stream", () => {
  it("streams the journal live until the run ends, then sends end", async () => {
    const s = await testServer();
    const base = await s.listen();
    const id = await s.startSettled("expense", { amount: 5 });
    let decided: Promise<void> | undefined;
    const { messages } = await readStream(`${base}/v1/runs/${id}/stream`, s.keys.acmeViewer, (m) => {
      // The stream has sent the two events so far and waits; the decision and the rest of the run must reach it live.
      if (m.length === 2)
        decided = s
          .call("POST", `/v1/runs/${id}/approvals/manager`, { token: s.keys.acmeOperator, body: { action: "approve" } })
          .then(() => s.settle(id));
      return ended(m);
    });
    await decided;
    const journal = (await s.engine.events(id)).map((e) => e.seq);
    expect(seqs(messages)).toEqual(journal);
    expect(
      messages
        .filter((m) => m.event === "journal")
        .map((m) => JSON.parse(m.data).type)
        .at(-1),
    ).toBe("run_completed");
    expect(messages.at(-1)).toMatchObject({ event: "end", data: '"completed"' });
  });

  it("a client that drops the connection and reconnects with Last-Event-ID gets every event exactly once", async () => {
    const s = await testServer();
    const base = await s.listen();
    const id = await s.startSettled("long-journal", {});
    const url = `${base}/v1/runs/${id}/stream`;

    // First connection: read four events, then drop it.
    const first = await readStream(url, s.keys.acmeViewer, (m) => m.length === 4);
    expect(seqs(first.messages)).toEqual([1, 2, 3, 4]);

    // While nobody listens the run goes on to its end.
    await s.call("POST", `/v1/runs/${id}/approvals/go`, { token: s.keys.acmeOperator, body: { action: "approve" } });
    await s.settle(id);

    // Reconnect from the last event seen, drop again mid-way, and reconnect once more.
    const second = await readStream(url, s.keys.acmeViewer, (m) => m.length === 5, first.messages.at(-1)?.id);
    const third = await readStream(url, s.keys.acmeViewer, ended, second.messages.at(-1)?.id);

    const all = [...seqs(first.messages), ...seqs(second.messages), ...seqs(third.messages)];
    const journal = (await s.engine.events(id)).map((e) => e.seq);
    expect(journal.length).toBeGreaterThan(20);
    expect(all).toEqual(journal);
    expect(third.messages.at(-1)?.event).toBe("end");
  });

  it("a stream resumed at the end of an ended run sends only end; a bad Last-Event-ID is 400", async () => {
    const s = await testServer();
    const base = await s.listen();
    const id = await s.startSettled("validated", { sku: "A", qty: 1 });
    const head = await s.engine.store.head(id);
    const resumed = await readStream(`${base}/v1/runs/${id}/stream`, s.keys.acmeViewer, ended, String(head));
    expect(resumed.messages).toEqual([{ event: "end", data: '"completed"' }]);
    const bad = await fetch(`${base}/v1/runs/${id}/stream`, {
      headers: { authorization: `Bearer ${s.keys.acmeViewer}`, "last-event-id": "x" },
    });
    expect(bad.status).toBe(400);
    expect((await json(bad)).error.code).toBe("invalid_seq");
  });

  it("past the cap on open streams a new stream gets 503 too_many_streams, and a slot frees when a stream closes", async () => {
    const s = await testServer({ maxStreams: 1 });
    const base = await s.listen();
    const id = await s.startSettled("expense", { amount: 1 });
    const url = `${base}/v1/runs/${id}/stream`;
    const abort = new AbortController();
    const open = await fetch(url, { headers: { authorization: `Bearer ${s.keys.acmeViewer}` }, signal: abort.signal });
    expect(open.status).toBe(200);
    const refused = await fetch(url, { headers: { authorization: `Bearer ${s.keys.acmeViewer}` } });
    expect(refused.status).toBe(503);
    expect((await json(refused)).error.code).toBe("too_many_streams");
    abort.abort();
    // The slot comes back once the server notices; the ended run's stream then completes normally.
    await s.call("POST", `/v1/runs/${id}/cancel`, { token: s.keys.acmeOperator });
    let again = await fetch(url, { headers: { authorization: `Bearer ${s.keys.acmeViewer}` } });
    for (let i = 0; again.status === 503 && i < 50; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      again = await fetch(url, { headers: { authorization: `Bearer ${s.keys.acmeViewer}` } });
    }
    expect(again.status).toBe(200);
    expect(await again.text()).toContain("event: end");
  });

  it("one key's streams stop at its quota (429 stream_quota_exceeded, Retry-After) and the tenant's at its own; other tenants still get streams", async () => {
    const s = await testServer({ maxStreams: 10, maxStreamsPerTenant: 3, maxStreamsPerKey: 2 });
    const base = await s.listen();
    const id = await s.startSettled("expense", { amount: 1 });
    const globexRun = await s.startSettled("expense", { amount: 2 }, s.keys.globexAdmin);
    const aborts: AbortController[] = [];
    // Held until the end: undici cancels the body of a response that is garbage-collected, which would close its
    // stream and give its slot back in the middle of the test.
    const responses: Response[] = [];
    const open = async (token: string, runId = id) => {
      const abort = new AbortController();
      aborts.push(abort);
      const response = await fetch(`${base}/v1/runs/${runId}/stream`, {
        headers: { authorization: `Bearer ${token}` },
        signal: abort.signal,
      });
      responses.push(response);
      return response;
    };
    try {
      expect((await open(s.keys.acmeViewer)).status).toBe(200);
      expect((await open(s.keys.acmeViewer)).status).toBe(200);
      const perKey = await open(s.keys.acmeViewer);
      expect(perKey.status).toBe(429);
      expect(perKey.headers.get("retry-after")).toMatch(/^\d+$/);
      expect((await json(perKey)).error).toMatchObject({ code: "stream_quota_exceeded", details: { scope: "key", max: 2 } });

      expect((await open(s.keys.acmeOperator)).status).toBe(200);
      const perTenant = await open(s.keys.acmeAdmin);
      expect(perTenant.status).toBe(429);
      expect((await json(perTenant)).error).toMatchObject({ code: "stream_quota_exceeded", details: { scope: "tenant", max: 3 } });

      expect((await open(s.keys.globexAdmin, globexRun)).status).toBe(200);
    } finally {
      for (const abort of aborts) abort.abort();
    }
  });
});
