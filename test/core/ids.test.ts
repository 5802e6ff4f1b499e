import { describe, expect, it } from "vitest";
import { childRunId, newRunId, parseRunId, type RunId, type StepKey, stepKey, uuidV5 } from "../../src/core/index.js";

describe("ids", () => {
  it("step keys are the name plus an occurrence counter", () => {
    expect(stepKey("charge", 0)).toBe("charge#0");
    expect(stepKey("charge", 1)).toBe("charge#1");
  });

  it("uuidV5 matches the RFC 4122 test vector for the DNS namespace", () => {
    expect(uuidV5("www.example.com", "6ba7b810-9dad-11d1-80b4-00c04fd430c8")).toBe("2ed6657d-e927-568b-95e1-2665a8aea6a2");
  });

  it("a child's run id depends only on the parent id and the step key", () => {
    const a = childRunId("r_parent" as RunId, "ship#0" as StepKey);
    expect(childRunId("r_parent" as RunId, "ship#0" as StepKey)).toBe(a);
    expect(childRunId("r_parent" as RunId, "ship#1" as StepKey)).not.toBe(a);
    expect(childRunId("r_other" as RunId, "ship#0" as StepKey)).not.toBe(a);
  });

  it("new run ids sort by creation time", () => {
    const random = new Uint8Array(16);
    const earlier = newRunId(1_700_000_000_000, random);
    const later = newRunId(1_700_000_000_001, random);
    expect(earlier < later).toBe(true);
    expect(earlier).toMatch(/^r_[0-9A-Z]{26}$/);
  });

  it("user run ids are checked", () => {
    expect(parseRunId("order-42")).toBe("order-42");
    expect(() => parseRunId("has space")).toThrowError(expect.objectContaining({ code: "invalid_run_id" }));
    expect(() => parseRunId("")).toThrowError(expect.objectContaining({ code: "invalid_run_id" }));
  });
});
