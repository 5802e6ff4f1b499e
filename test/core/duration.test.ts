import { describe, expect, it } from "vitest";
import { toMs } from "../../src/core/index.js";

describe("toMs", () => {
  it("reads single and compound durations", () => {
    expect(toMs("250ms")).toBe(250);
    expect(toMs("2s")).toBe(2_000);
    expect(toMs("5m")).toBe(300_000);
    expect(toMs("1h30m")).toBe(5_400_000);
    expect(toMs("7d")).toBe(604_800_000);
    expect(toMs("1.5s")).toBe(1_500);
    expect(toMs(42)).toBe(42);
  });

  it("rejects text that is not a duration with invalid_duration", () => {
    for (const bad of ["", "2", "2 s", "soon", "2x", "-1s"]) {
      expect(() => toMs(bad), bad).toThrowError(expect.objectContaining({ code: "invalid_duration" }));
    }
    expect(() => toMs(-5)).toThrowError(expect.objectContaining({ code: "invalid_duration" }));
  });
});
