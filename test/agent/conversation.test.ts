// A 100-turn tool loop re-sends its whole history every turn, yet the database grows linearly: each message
// is stored once, content-addressed, and each model call journals only the hash of what it sent.
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { type CallRecord, createEngine, loadConversation, openSqliteStore, tool, workflow } from "duro";
import { afterEach, expect, it } from "vitest";
import { callTool, mockLlm } from "../support/llm.js";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const TURNS = 100;
const PAGE = "lorem ipsum dolor sit amet ".repeat(20);

const read = tool({
  name: "read_page",
  parameters: { type: "object", properties: { page: { type: "integer" } }, required: ["page"] },
  run: (args: { page: number }) => `page ${args.page}: ${PAGE}`,
});

it(`a ${TURNS}-turn loop stores far fewer bytes than it sends, and every sent history can be read back`, async () => {
  const server = await mockLlm({
    replies: [...Array.from({ length: TURNS - 1 }, (_, i) => callTool("read_page", { page: i })), { content: "read them all" }],
  });
  const wf = workflow("reader", async (ctx) => {
    const result = await ctx.agent("reader", {
      model: "gpt-test",
      system: "Read every page.",
      prompt: "Go.",
      tools: [read],
      maxIterations: TURNS,
    });
    return { iterations: result.iterations };
  });
  const dir = mkdtempSync(join(tmpdir(), "duro-conv-"));
  dirs.push(dir);
  const path = join(dir, "duro.db");
  // The schema's own pages (each table and index takes one even when empty) are not what the run stored.
  const emptyPath = join(dir, "empty.db");
  const empty = openSqliteStore(emptyPath);
  await empty.listRuns({ limit: 1 });
  await empty.close();
  const schemaBytes = statSync(emptyPath).size;
  const store = openSqliteStore(path);
  const engine = createEngine({ store, workflows: [wf], inlineWaitMs: 0 });
  const { id } = await engine.start(wf, {});
  await engine.runUntilSettled(id, { maxWaitMs: 0 });
  expect(await engine.get(id)).toMatchObject({ status: "completed", output: { iterations: TURNS } });

  const events = await engine.events(id);
  const last = events.findLast((e) => e.type === "step_completed" && e.key === `reader/turn#${TURNS - 1}`);
  const head = (last?.type === "step_completed" ? (last.result as CallRecord) : undefined)?.conversation ?? null;
  const history = await loadConversation(store, head);
  const lastSent = server.requests.at(-1)?.body.messages as unknown[];
  expect(history).toHaveLength(lastSent.length);
  expect(history.at(-1)).toMatchObject({ role: "tool", content: `page ${TURNS - 2}: ${PAGE}` });
  await engine.close();

  const sent = server.requests.reduce((n, r) => n + r.bytes, 0);
  const dbBytes = statSync(path).size + (existsSync(`${path}-wal`) ? statSync(`${path}-wal`).size : 0) - schemaBytes;
  const db = new Database(path, { readonly: true });
  const stored = db.prepare("SELECT (SELECT sum(length(data)) FROM journal) + (SELECT sum(length(bytes)) FROM artifacts) AS n").get() as {
    n: number;
  };
  db.close();
  console.log(
    `${TURNS}-turn loop: ${sent} bytes sent to the model; database file ${dbBytes} bytes past an empty one's, of which journal + artifacts ${stored.n} bytes`,
  );
  expect(server.requests).toHaveLength(TURNS);
  // What was sent grows with the square of the turns; what is stored grows linearly.
  expect(stored.n * 15).toBeLessThan(sent);
  // The file also holds each artifact's reference by its run (retention's artifact_refs, about 40 bytes an artifact).
  expect(dbBytes * 7).toBeLessThan(sent);
});
