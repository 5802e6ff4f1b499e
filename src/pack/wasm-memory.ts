// A memory limit for WebAssembly components. A module's memory lives outside the JavaScript heap, so no worker
// heap limit bounds it; instead the module's own memory declaration is rewritten before it is instantiated: its
// maximum becomes min(declared maximum, limit). A module whose initial memory is already over the limit is refused;
// one that grows past it sees memory.grow fail (and typically traps), as the WebAssembly spec intends.
import { DuroError } from "../core/index.js";

const PAGE = 64 * 1024;
const MEMORY_SECTION = 5;

/** `bytes` with every memory the module defines capped at `maxBytes`; throws `component_memory_limit` when one starts larger. */
export function capMemory(bytes: Uint8Array, maxBytes: number, name: string): Uint8Array {
  const limitPages = Math.floor(maxBytes / PAGE);
  const parts: Uint8Array[] = [bytes.subarray(0, 8)];
  let at = 8;
  while (at < bytes.length) {
    const id = bytes[at] as number;
    const size = readLeb(bytes, at + 1);
    const start = size.next;
    const end = start + size.value;
    if (id !== MEMORY_SECTION) {
      parts.push(bytes.subarray(at, end));
    } else {
      const payload = cappedMemories(bytes.subarray(start, end), limitPages, maxBytes, name);
      parts.push(Uint8Array.of(MEMORY_SECTION), Uint8Array.from(writeLeb(payload.length)), payload);
    }
    at = end;
  }
  return concat(parts);
}

function cappedMemories(section: Uint8Array, limitPages: number, maxBytes: number, name: string): Uint8Array {
  const count = readLeb(section, 0);
  const out: number[] = [...writeLeb(count.value)];
  let at = count.next;
  for (let i = 0; i < count.value; i++) {
    const flags = section[at] as number;
    // 0: min only, 1: min and max. Shared (2) and 64-bit (4) memories are not something a WASI component needs.
    if (flags > 1) {
      throw new DuroError("component_invalid", `component "${name}" declares a shared or 64-bit memory, which duro does not run`, {
        category: "definition",
        details: { component: name },
      });
    }
    const min = readLeb(section, at + 1);
    at = min.next;
    let max: number | undefined;
    if (flags === 1) {
      const declared = readLeb(section, at);
      max = declared.value;
      at = declared.next;
    }
    if (min.value > limitPages) {
      throw new DuroError(
        "component_memory_limit",
        `component "${name}" starts with ${min.value * PAGE} bytes of memory, over its limit of ${maxBytes} bytes; build it to use less or raise the limit`,
        { category: "limit", details: { component: name, limit: maxBytes, initial: min.value * PAGE } },
      );
    }
    out.push(1, ...writeLeb(min.value), ...writeLeb(Math.min(max ?? limitPages, limitPages)));
  }
  return Uint8Array.from(out);
}

function malformed(): DuroError {
  return new DuroError("component_invalid", "the component is not a well-formed WebAssembly module", { category: "definition" });
}

function readLeb(bytes: Uint8Array, offset: number): { value: number; next: number } {
  let value = 0;
  let shift = 0;
  let at = offset;
  for (;;) {
    const byte = bytes[at++];
    if (byte === undefined || shift > 28) throw malformed();
    value += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return { value, next: at };
    shift += 7;
  }
}

function writeLeb(value: number): number[] {
  const out: number[] = [];
  let rest = value;
  do {
    let byte = rest & 0x7f;
    rest = Math.floor(rest / 128);
    if (rest !== 0) byte |= 0x80;
    out.push(byte);
  } while (rest !== 0);
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
