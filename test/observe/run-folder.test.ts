// The run folder as a pure function of the journal: field order, outcome, failures with byte ranges that
// point at their lines, and the same bytes every time.
import { describe, expect, it } from "vitest";
import type { JournalEvent } from "../../src/core/index.js";
import { buildRunFolder } from "../../src/observe/run-folder.js";

const at = (s: number) => new Date(Date.UTC(2025, 0, 1, 0, 0, s)).toISOString();
const journal: JournalEvent[] = [
  { seq: 1, at: at(0), type: "run_created", workflow: "w", version: "1", input: { apiKey: "k-123456", n: 1 }, tenant: "t", options: {} },
  { seq: 2, at: at(1), type: "step_started", key: "a#0", attempt: 1 },
  { seq: 3, at: at(2), type: "step_failed", key: "a#0", attempt: 1, error: { code: "boom", message: "no" } },
  { seq: 4, at: at(3), type: "step_started", key: "b#0", attempt: 1 },
  { seq: 5, at: at(5), type: "step_completed", key: "b#0", result: { maxTokens: 10 } },
  { seq: 6, at: at(5), type: "wait_started", key: "nap#0", kind: "sleep", until: at(60) },
];

describe("buildRunFolder", () => {
  it("writes fields in the documented order, redacts, and marks a run that has not ended in_progress", () => {
    const folder = buildRunFolder("r_1", journal);
    const first = folder.transcript.text.split("\n")[0] as string;
    expect(Object.keys(JSON.parse(first))).toEqual([
      "ts",
      "runId",
      "workflow",
      "step",
      "component",
      "phase",
      "status",
      "inputs",
      "metrics",
      "redactions",
    ]);
    expect(JSON.parse(first)).toMatchObject({ inputs: { apiKey: "[REDACTED]", n: 1 }, redactions: ["$.inputs.apiKey"] });
    expect(folder.summary.status).toBe("in_progress");
    expect(folder.summary.steps.map((s) => [s.key, s.status, s.durationMs])).toEqual([
      ["a#0", "failed", 1000],
      ["b#0", "completed", 2000],
      ["nap#0", "waiting", undefined],
    ]);
  });

  it("keys failures by step with the byte range of the failing line, and gives the same bytes every time", () => {
    const events: JournalEvent[] = [...journal, { seq: 7, at: at(9), type: "run_failed", error: { code: "stop", message: "stopped" } }];
    const folder = buildRunFolder("r_1", events);
    expect(folder.summary.status).toBe("failure");
    const bytes = Buffer.from(folder.transcript.text);
    for (const [key, failure] of Object.entries(folder.summary.failures)) {
      const line = JSON.parse(bytes.subarray(...failure.transcript).toString());
      expect([key, line.phase, line.error.code]).toEqual([key, "error", failure.code]);
    }
    expect(Object.keys(folder.summary.failures)).toEqual(["a#0", "$run"]);
    expect(buildRunFolder("r_1", events).files).toEqual(folder.files);
    expect([...folder.files.keys()].sort()).toEqual([
      "logs/a#0.log",
      "logs/b#0.log",
      "logs/nap#0.log",
      "logs/run.log",
      "report.md",
      "run.json",
      "transcript.jsonl",
    ]);
  });
});
