import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { plainErrorThrows, scanErrorCodes } from "../../scripts/error-code-scan.js";
import { errorsDoc } from "../../scripts/error-codes.js";
import { DuroError, ERROR_CODES, type ErrorCodeSpec } from "../../src/core/index.js";

const SRC = fileURLToPath(new URL("../../src", import.meta.url));
const table = ERROR_CODES as Record<string, ErrorCodeSpec>;

describe("the error code table", () => {
  it("has a row for every code src/ raises or journals", () => {
    const sites = scanErrorCodes(SRC);
    expect(sites.length).toBeGreaterThan(200);
    expect(sites.filter((site) => table[site.code] === undefined)).toEqual([]);
  });

  it("agrees with every site that passes its own category or retryable", () => {
    const disagreeing = scanErrorCodes(SRC).filter((site) => {
      const spec = table[site.code];
      return (
        spec !== undefined &&
        ((site.category !== undefined && site.category !== spec.category) ||
          (site.retryable !== undefined && site.retryable !== spec.retryable))
      );
    });
    expect(disagreeing).toEqual([]);
  });

  it("gives a DuroError its category and retryable when the site does not", () => {
    const error = new DuroError("db_busy", "the database gave up on a lock conflict");
    expect(error).toMatchObject({ code: "db_busy", category: "storage", retryable: true });
    expect(new DuroError("card_declined", "declined", { category: "step" })).toMatchObject({ category: "step", retryable: false });
  });

  it("is what docs/errors.md says", () => {
    expect(readFileSync(fileURLToPath(new URL("../../docs/errors.md", import.meta.url)), "utf8")).toBe(errorsDoc());
  });
});

describe("src/", () => {
  it("throws no plain Error (each has a code, internal_error for an invariant)", () => {
    expect(plainErrorThrows(SRC)).toEqual([]);
  });
});
