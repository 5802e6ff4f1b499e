import { describe, expect, it } from "vitest";
import { findNonJson } from "../../src/core/index.js";

describe("findNonJson", () => {
  it("accepts plain JSON values, and what toJSON makes of a Date", () => {
    for (const value of [null, 1, "a", true, [], {}, { a: [1, { b: "c" }], d: undefined }, Object.create(null), new Date(0)]) {
      expect(findNonJson(value)).toBeUndefined();
    }
  });

  it("names the first value JSON cannot hold by its JSON path, nested in objects and arrays", () => {
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(findNonJson(new Map())).toEqual({ path: "$", what: "a Map" });
    expect(findNonJson({ items: [1, 2, { when: Number.NaN }] })).toEqual({ path: "$.items[2].when", what: "NaN" });
    expect(findNonJson({ "odd key": { ok: 1, set: new Set() } })).toEqual({ path: '$["odd key"].set', what: "a Set" });
    expect(findNonJson([1, undefined])).toEqual({ path: "$[1]", what: "undefined" });
    expect(findNonJson({ a: { b: circular } })).toEqual({ path: "$.a.b.self", what: "a circular reference" });
    expect(findNonJson({ n: 10n })).toEqual({ path: "$.n", what: "a BigInt" });
  });
});
