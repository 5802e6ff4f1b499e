// `node bench/ai-sdk.js` (after `npm run build`): what duroMiddleware costs per AI SDK call on a SQLite file, against
// the same generateText calls without it, and what a replay of those calls costs (it sends none). The model is the
// AI SDK's mock (no network), so the figures are duro's overhead alone. It reports; it does not pass or fail.
import { generateText, wrapLanguageModel } from "ai";
import { MockLanguageModelV3 } from "ai/test";
import { duroMiddleware } from "../dist/ai/index.js";
import { createEngine, workflow } from "../dist/index.js";
import { openSqliteStore } from "../dist/store/sqlite/index.js";
import { formatTable, median, repeat, round, timed, withTempDb } from "./lib.js";

const CALLS = 300;
const REPEATS = 3;

const reply = {
  content: [{ type: "text", text: "ok" }],
  finishReason: { unified: "stop", raw: "stop" },
  usage: { inputTokens: { total: 10, noCache: 10 }, outputTokens: { total: 2, text: 2 } },
  warnings: [],
};

function mockModel() {
  return new MockLanguageModelV3({ modelId: "gpt-4o-mini", provider: "openai.chat", doGenerate: async () => reply });
}

async function plainCalls() {
  const model = mockModel();
  const { ms } = await timed(async () => {
    for (let i = 0; i < CALLS; i++) await generateText({ model, prompt: `call ${i}` });
  });
  return ms;
}

/** First execution and replay of CALLS journaled calls; the replay is the invocation after an approval. */
async function journaledCalls() {
  return withTempDb(async (path) => {
    const model = mockModel();
    const wf = workflow("bench-ai", async (ctx) => {
      const wrapped = wrapLanguageModel({ model, middleware: duroMiddleware(ctx) });
      for (let i = 0; i < CALLS; i++) await generateText({ model: wrapped, prompt: `call ${i}` });
      await ctx.approval("go");
      return "done";
    });
    const store = openSqliteStore(path);
    const engine = createEngine({ store, workflows: [wf], inlineWaitMs: 0 });
    const { id } = await engine.start(wf, undefined);
    const first = await timed(() => engine.runUntilSettled(id, { maxWaitMs: 0 }));
    const sent = model.doGenerateCalls.length;
    await engine.approve(id, "go", { action: "approve" });
    const replay = await timed(() => engine.runUntilSettled(id, { maxWaitMs: 0 }));
    const status = (await engine.get(id)).status;
    await store.close();
    return { firstMs: first.ms, replayMs: replay.ms, sentFirst: sent, sentOnReplay: model.doGenerateCalls.length - sent, status };
  });
}

const plain = await repeat(REPEATS, plainCalls);
const journaled = await repeat(REPEATS, journaledCalls);
const perCall = (ms) => round((ms / CALLS) * 1000, 3);
const firstMs = median(journaled.map((r) => r.firstMs));
const replayMs = median(journaled.map((r) => r.replayMs));
const plainMs = median(plain);
console.log(
  formatTable(
    ["measure", `${CALLS} calls (ms)`, "per call (µs)"],
    [
      ["generateText, mock model, no duro", round(plainMs, 1), perCall(plainMs)],
      ["through duroMiddleware, first execution (SQLite)", round(firstMs, 1), perCall(firstMs)],
      ["replay of the same calls (0 sent)", round(replayMs, 1), perCall(replayMs)],
    ],
  ),
);
console.log(
  JSON.stringify({
    calls: CALLS,
    plainUsPerCall: perCall(plainMs),
    journaledUsPerCall: perCall(firstMs),
    replayUsPerCall: perCall(replayMs),
    sentOnReplay: journaled.map((r) => r.sentOnReplay),
    status: journaled.map((r) => r.status),
  }),
);
