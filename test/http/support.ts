// An engine over a fresh SQLite file (or PostgreSQL schema) with API keys for two tenants, and helpers to read SSE.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type AnyWorkflowDefinition, createEngine, type Engine, workflow } from "duro";
import { RunEventHub } from "duro/http";
import { afterEach } from "vitest";
import { createApiKey } from "../../src/server/index.js";
import { openPostgresStore } from "../../src/store/postgres/index.js";
import { openSqliteStore } from "../../src/store/sqlite/index.js";
import { freshSchema, PG_URL } from "../support/postgres.js";

/** An approval between two steps. */
export const order = workflow("order", async (ctx, input: { item: string }) => {
  const reserved = await ctx.step("reserve", () => ({ item: input.item }));
  const decision = await ctx.approval("ship");
  return { ...reserved, shipped: decision.action === "approve" };
});

export interface Fixture {
  engine: Engine;
  hub: RunEventHub;
  dir: string;
  keys: { acme: string; globex: string };
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** Runs at test end (after the servers the test started). */
export function onCleanup(cleanup: () => Promise<void>): void {
  cleanups.unshift(cleanup);
}

export async function fixture(workflows: AnyWorkflowDefinition[] = [order], backend: "sqlite" | "postgres" = "sqlite"): Promise<Fixture> {
  const dir = mkdtempSync(join(tmpdir(), "duro-http-"));
  const store = backend === "sqlite" ? openSqliteStore(join(dir, "duro.db")) : openPostgresStore(PG_URL, { schema: freshSchema() });
  const hub = new RunEventHub();
  const engine = createEngine({ store, workflows, inlineWaitMs: 0, onEvents: hub.publish });
  cleanups.push(async () => {
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const key = async (tenant: string) => (await createApiKey(store, { tenant, role: "admin" })).token;
  return { engine, hub, dir, keys: { acme: await key("acme"), globex: await key("globex") } };
}

export interface SseMessage {
  event: string;
  data: string;
  id?: string;
}

/** Reads SSE messages from a response until `until` says stop (the response may go on: that is the point). */
export async function readSse(response: Response, until: (message: SseMessage) => boolean): Promise<SseMessage[]> {
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  const messages: SseMessage[] = [];
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`the stream ended after ${JSON.stringify(messages)}`);
    buffer += decoder.decode(value, { stream: true });
    for (let end = buffer.indexOf("\n\n"); end !== -1; end = buffer.indexOf("\n\n")) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      if (block.startsWith(":")) continue;
      const message: SseMessage = { event: "message", data: "" };
      for (const line of block.split("\n")) {
        const [field, ...rest] = line.split(":");
        const text = rest.join(":").replace(/^ /, "");
        if (field === "event") message.event = text;
        else if (field === "data") message.data += text;
        else if (field === "id") message.id = text;
      }
      messages.push(message);
      if (until(message)) {
        await reader.cancel();
        return messages;
      }
    }
  }
}

export function bearer(token: string, extra: Record<string, string> = {}): Record<string, string> {
  return { authorization: `Bearer ${token}`, ...extra };
}
