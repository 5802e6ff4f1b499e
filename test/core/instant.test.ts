// Times typed into filters: ISO dates and date-times (UTC unless zoned) and durations ago, and what is neither.
import { describe, expect, it } from "vitest";
import { parseInstant } from "../../src/core/index.js";

const NOW = Date.UTC(2026, 11, 5, 12, 0, 0);

describe("parseInstant", () => {
  it("reads an ISO date as UTC midnight, a date-time without a zone as UTC, and honours a zone", () => {
    expect(parseInstant("2026-12-05", NOW, "since")).toBe(Date.UTC(2026, 11, 5));
    expect(parseInstant("2026-12-05T14:30", NOW, "since")).toBe(Date.UTC(2026, 11, 5, 14, 30));
    expect(parseInstant("2026-12-05 14:30:15.5", NOW, "since")).toBe(Date.UTC(2026, 11, 5, 14, 30, 15, 500));
    expect(parseInstant("2026-12-05T14:30:00+02:00", NOW, "since")).toBe(Date.UTC(2026, 11, 5, 12, 30));
    expect(parseInstant("2026-12-05T14:30:00Z", NOW, "since")).toBe(Date.UTC(2026, 11, 5, 14, 30));
  });

  it("reads a duration as that long before now", () => {
    expect(parseInstant("2h", NOW, "since")).toBe(NOW - 7_200_000);
    expect(parseInstant("1d12h", NOW, "since")).toBe(NOW - 129_600_000);
    expect(parseInstant(" 30m ", NOW, "since")).toBe(NOW - 1_800_000);
  });

  it("refuses what is neither with invalid_time, naming the parameter and both forms", () => {
    for (const text of ["yesterday", "2026-13-45", "5", "", "2h ago", "12/05/2026"]) {
      let error: unknown;
      try {
        parseInstant(text, NOW, "--since");
      } catch (e) {
        error = e;
      }
      expect(error, text).toMatchObject({ code: "invalid_time", category: "input" });
      expect((error as Error).message).toContain(`--since "${text}"`);
      expect((error as Error).message).toContain("ISO 8601");
    }
  });
});
