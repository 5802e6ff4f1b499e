// OpenTelemetry spans drawn from the journal, checked with the SDK's in-memory exporter: one span per run, per
// step attempt and per wait, with run id, workflow, step key, attempt, status and token usage.
import { SpanStatusCode } from "@opentelemetry/api";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { type JournalEvent, workflow } from "duro";
import { createTestEngine } from "duro/testing";
import { describe, expect, it } from "vitest";
import { traceRun } from "../../src/observe/otel.js";

function inMemoryTracer() {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  return { exporter, tracer: provider.getTracer("duro-test") };
}

const flaky = workflow("flaky", async (ctx) => {
  await ctx.step("fetch", ({ attempt }) => {
    if (attempt < 2) throw new Error("temporarily down");
    return "ok";
  });
  await ctx.sleep("wait", "1d");
  return "done";
});

describe("traceRun", () => {
  it("emits a run span with a child span per step attempt and per wait, with attributes and statuses", async () => {
    const kit = createTestEngine({ workflows: [flaky] });
    const runId = await kit.start(flaky, {});
    await kit.runToCompletion(runId);
    const { exporter, tracer } = inMemoryTracer();
    traceRun(runId, await kit.journal(runId), { tracer });
    await kit.close();

    const spans = exporter.getFinishedSpans();
    const run = spans.find((s) => s.name === "duro.run flaky");
    expect(run?.attributes).toMatchObject({ "duro.run_id": runId, "duro.workflow": "flaky", "duro.status": "completed" });
    const children = spans.filter((s) => s !== run);
    expect(children.map((s) => [s.name, s.attributes["duro.attempt"], s.attributes["duro.status"]])).toEqual([
      ["duro.step fetch#0", 1, "retrying"],
      ["duro.step fetch#0", 2, "completed"],
      ["duro.wait wait#0", undefined, "resolved"],
    ]);
    for (const child of children) {
      expect(child.parentSpanContext?.spanId).toBe(run?.spanContext().spanId);
      expect(child.attributes["duro.run_id"]).toBe(runId);
    }
    expect(children[0]?.status.code).toBe(SpanStatusCode.ERROR);
    const waitSpan = children[2];
    const waitedMs = (waitSpan?.duration[0] ?? 0) * 1000 + (waitSpan?.duration[1] ?? 0) / 1e6;
    expect(waitedMs).toBe(86_400_000);
  });

  it("puts token usage on the step that recorded it and totals it on the run", () => {
    const at = "2025-01-01T00:00:00.000Z";
    const events: JournalEvent[] = [
      { seq: 1, at, type: "run_created", workflow: "agent", version: "1", input: {}, tenant: "default", options: {} },
      { seq: 2, at, type: "step_started", key: "llm#0", attempt: 1 },
      { seq: 3, at, type: "usage_recorded", key: "llm#0", model: "m-small", inputTokens: 120, outputTokens: 30, costUsd: 0.001 },
      { seq: 4, at: "2025-01-01T00:00:02.000Z", type: "step_completed", key: "llm#0", result: "hi" },
      { seq: 5, at: "2025-01-01T00:00:02.000Z", type: "run_completed", output: "hi" },
    ];
    const { exporter, tracer } = inMemoryTracer();
    expect(traceRun("r_1", events, { tracer })).toBe(2);
    const [step, run] = exporter.getFinishedSpans();
    expect(step?.attributes).toMatchObject({
      "gen_ai.usage.input_tokens": 120,
      "gen_ai.usage.output_tokens": 30,
      "gen_ai.request.model": "m-small",
    });
    expect(run?.attributes).toMatchObject({ "gen_ai.usage.input_tokens": 120, "gen_ai.usage.output_tokens": 30 });
  });

  it("marks bookmarks and domain events as events on the run span, by name only", () => {
    const at = "2025-01-01T00:00:00.000Z";
    const events: JournalEvent[] = [
      { seq: 1, at, type: "run_created", workflow: "w", version: "1", input: {}, tenant: "default", options: {} },
      { seq: 2, at, type: "bookmark", key: "$bookmark:planned#0", name: "planned" },
      { seq: 3, at, type: "domain_event", key: "$emit:order.shipped#0", name: "order.shipped", data: { card: "4111" } },
      { seq: 4, at, type: "run_completed", output: null },
    ];
    const { exporter, tracer } = inMemoryTracer();
    traceRun("r_1", events, { tracer });
    const [run] = exporter.getFinishedSpans();
    expect(run?.events.map((e) => [e.name, e.attributes])).toEqual([
      ["duro.bookmark", { "duro.bookmark": "planned", "duro.seq": 2 }],
      ["duro.event order.shipped", { "duro.event": "order.shipped", "duro.seq": 3 }],
    ]);
  });
});

describe("traceRun and the caller's trace", () => {
  it("a wait resolved with a traceparent gets a span in the caller's trace, linked to the run's span, naming who", () => {
    const at = "2025-01-01T00:00:00.000Z";
    const events = [
      { seq: 1, at, type: "run_created", workflow: "expense", version: "1", input: {}, tenant: "default", options: {} },
      { seq: 2, at, type: "wait_started", key: "manager#0", kind: "approval", gate: "manager", eventKey: "duro:approval:x" },
      {
        seq: 3,
        at: "2025-01-01T00:01:00.000Z",
        type: "wait_resolved",
        key: "manager#0",
        payload: { action: "approve" },
        by: "bob",
        actor: "bob",
        keyId: "k_1",
        traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
      },
    ] as JournalEvent[];
    const { exporter, tracer } = inMemoryTracer();

    traceRun("r_1", events, { tracer, now: Date.parse(at) + 120_000 });

    const spans = exporter.getFinishedSpans();
    const run = spans.find((s) => s.name === "duro.run expense");
    const resume = spans.find((s) => s.name === "duro.resume manager#0");
    const wait = spans.find((s) => s.name === "duro.wait manager#0");
    expect(resume?.spanContext().traceId).toBe("4bf92f3577b34da6a3ce929d0e0e4736");
    expect(resume?.parentSpanContext?.spanId).toBe("00f067aa0ba902b7");
    expect(resume?.links.map((l) => l.context.spanId)).toEqual([run?.spanContext().spanId]);
    expect(resume?.attributes).toMatchObject({ "duro.actor": "bob", "duro.key_id": "k_1", "duro.run_id": "r_1" });
    expect(wait?.attributes).toMatchObject({ "duro.actor": "bob", "duro.key_id": "k_1" });
  });
});
