import { describe, expect, it } from "vitest";
import { type EventBody, foldJournal, type JournalEvent, settledInOrder } from "../../src/core/index.js";

function journal(...bodies: EventBody[]): JournalEvent[] {
  return bodies.map((body, i) => ({ ...body, seq: i + 1, at: new Date(Date.UTC(2025, 0, 1, 0, 0, i)).toISOString() }) as JournalEvent);
}

const created: EventBody = { type: "run_created", workflow: "w", version: "1", input: { a: 1 }, tenant: "default", options: {} };

describe("foldJournal", () => {
  it("lists ops in the order the code first asked for them, settled ones in the order they settled", () => {
    const state = foldJournal(
      "r1",
      journal(
        created,
        { type: "step_started", key: "a#0", attempt: 1 },
        { type: "step_started", key: "b#0", attempt: 1 },
        { type: "step_completed", key: "b#0", result: "B" },
        { type: "step_completed", key: "a#0", result: "A" },
      ),
    );
    expect(state.ops.map((op) => op.key)).toEqual(["a#0", "b#0"]);
    expect(settledInOrder(state).map((op) => op.key)).toEqual(["b#0", "a#0"]);
    expect(state.opsByKey.get("a#0")).toMatchObject({ status: "completed", result: "A", attempts: 1 });
  });

  it("a failed attempt with a retry time is retrying, without one it is failed", () => {
    const error = { code: "step_error", message: "boom" };
    const state = foldJournal(
      "r1",
      journal(
        created,
        { type: "step_started", key: "a#0", attempt: 1 },
        { type: "step_failed", key: "a#0", attempt: 1, error, retryAt: "2025-01-01T00:10:00.000Z" },
        { type: "step_started", key: "b#0", attempt: 1 },
        { type: "step_failed", key: "b#0", attempt: 1, error },
      ),
    );
    expect(state.opsByKey.get("a#0")).toMatchObject({ status: "retrying", retryAt: "2025-01-01T00:10:00.000Z" });
    expect(state.opsByKey.get("a#0")?.settledSeq).toBeUndefined();
    expect(state.opsByKey.get("b#0")).toMatchObject({ status: "failed", error });
  });

  it("folds waits, values, usage and the terminal event", () => {
    const state = foldJournal(
      "r1",
      journal(
        created,
        { type: "value_recorded", key: "$now#0", value: 5 },
        { type: "wait_started", key: "approve#0", kind: "approval", gate: "approve", eventKey: "k" },
        { type: "wait_resolved", key: "approve#0", payload: { action: "approve" }, by: "ada" },
        { type: "usage_recorded", key: "llm#0", model: "m", inputTokens: 10, outputTokens: 5, costUsd: 0.01 },
        { type: "run_completed", output: { ok: true } },
      ),
    );
    expect(state.opsByKey.get("approve#0")).toMatchObject({ status: "resolved", resolvedBy: "ada", kind: "wait" });
    expect(state.opsByKey.get("$now#0")).toMatchObject({ kind: "value", result: 5 });
    expect(state.usage).toEqual({ inputTokens: 10, outputTokens: 5, costUsd: 0.01 });
    expect(state.phase).toBe("completed");
    expect(state.output).toEqual({ ok: true });
    expect(state.lastSeq).toBe(6);
  });

  it("refuses a journal that does not start with run_created", () => {
    expect(() => foldJournal("r1", journal({ type: "step_started", key: "a#0", attempt: 1 }))).toThrow(/run_created/);
  });
});
