// The client's hand-written Server-Sent Events reader, fed the format's corner cases in chunks of every size.
import { expect, it } from "vitest";
import { readSse, type SseMessage } from "../../src/client/sse.js";

function bodyOf(text: string, chunkSize: number): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.subarray(at, at + chunkSize));
      at += chunkSize;
    },
  });
}

async function read(text: string, chunkSize: number): Promise<SseMessage[]> {
  const messages: SseMessage[] = [];
  for await (const message of readSse(bodyOf(text, chunkSize))) messages.push(message);
  return messages;
}

const STREAM = [
  ": keep-alive\n\n",
  'id: 1\r\nevent: journal\r\ndata: {"seq":1,"note":"é ✓"}\r\n\r\n',
  "data: first line\rdata:second line\r\r",
  'event: end\ndata: "completed"\n\n',
  "data: cut off without its blank line",
].join("");

it("reads LF, CRLF and CR line ends, multi-line data, ids and comments, whatever the chunking", async () => {
  const expected = [
    { event: "journal", data: '{"seq":1,"note":"é ✓"}', id: "1" },
    { event: "message", data: "first line\nsecond line", id: "1" },
    { event: "end", data: '"completed"', id: "1" },
  ];
  for (const size of [1, 2, 3, 7, 64, 10_000]) expect(await read(STREAM, size), `chunks of ${size}`).toEqual(expected);
});

it("leaving the iteration early cancels the body", async () => {
  let cancelled = false;
  const body = new ReadableStream<Uint8Array>({
    pull: (controller) => controller.enqueue(new TextEncoder().encode("data: tick\n\n")),
    cancel: () => {
      cancelled = true;
    },
  });
  for await (const message of readSse(body)) {
    expect(message.data).toBe("tick");
    break;
  }
  expect(cancelled).toBe(true);
});
