// Server-Sent Events read by hand from a fetch body (the WHATWG event-stream format), so the client needs no
// EventSource: that one cannot send an Authorization header, and Node has none.

/** One dispatched event: its type ("message" when the server named none), its data lines joined, its id. */
export interface SseMessage {
  event: string;
  data: string;
  id?: string;
}

/** Yields each event of the stream in order; ends when the body ends. Cancelling the iteration cancels the body. */
export async function* readSse(body: ReadableStream<Uint8Array>): AsyncGenerator<SseMessage> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const lines = new LineSplitter();
  let event = "";
  let data: string[] = [];
  let id: string | undefined;
  try {
    for (;;) {
      const chunk = await reader.read();
      const text = chunk.done ? decoder.decode() : decoder.decode(chunk.value, { stream: true });
      for (const line of lines.push(text, chunk.done)) {
        if (line === "") {
          if (data.length > 0) yield { event: event || "message", data: data.join("\n"), ...(id === undefined ? {} : { id }) };
          event = "";
          data = [];
          continue;
        }
        if (line.startsWith(":")) continue;
        const colon = line.indexOf(":");
        const field = colon === -1 ? line : line.slice(0, colon);
        const value = colon === -1 ? "" : line.slice(colon + (line[colon + 1] === " " ? 2 : 1));
        if (field === "event") event = value;
        else if (field === "data") data.push(value);
        else if (field === "id" && !value.includes("\0")) id = value;
      }
      if (chunk.done) return;
    }
  } finally {
    // An iteration left early (break, an error, the caller's abort) must close the connection, not leave it open.
    await reader.cancel().catch(() => undefined);
  }
}

/** Splits text arriving in chunks into lines ended by CRLF, CR or LF, holding back a CR that may precede an LF. */
class LineSplitter {
  private rest = "";

  push(text: string, end: boolean): string[] {
    this.rest += text;
    const lines: string[] = [];
    let start = 0;
    for (let i = 0; i < this.rest.length; i++) {
      const ch = this.rest[i];
      if (ch !== "\n" && ch !== "\r") continue;
      if (ch === "\r" && i === this.rest.length - 1 && !end) break;
      lines.push(this.rest.slice(start, i));
      if (ch === "\r" && this.rest[i + 1] === "\n") i++;
      start = i + 1;
    }
    this.rest = this.rest.slice(start);
    if (end && this.rest !== "") {
      // A last line without its terminator is dropped with its event, as the format says.
      this.rest = "";
    }
    return lines;
  }
}
