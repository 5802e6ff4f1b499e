// The stream slots' bookkeeping: a slot given back frees its key's and its tenant's share too, and only once.
import { describe, expect, it } from "vitest";
import { StreamSlots } from "../../src/server/limits.js";

describe("stream slots", () => {
  it("a released stream frees its key's and tenant's share once, so a key never loses slots to streams it closed", () => {
    const slots = new StreamSlots({ max: 10, perTenant: 3, perKey: 2 });
    const ada = { keyId: "k_ada", tenant: "acme" };
    const first = slots.acquire(ada);
    slots.acquire(ada);
    expect(() => slots.acquire(ada)).toThrow(
      expect.objectContaining({ code: "stream_quota_exceeded", details: expect.objectContaining({ scope: "key" }) }),
    );

    first();
    first();
    slots.acquire(ada);
    expect(() => slots.acquire(ada)).toThrow(expect.objectContaining({ code: "stream_quota_exceeded" }));
    expect(slots.count).toBe(2);
    slots.acquire({ keyId: "k_bob", tenant: "acme" });
    expect(() => slots.acquire({ keyId: "k_cy", tenant: "acme" })).toThrow(
      expect.objectContaining({ details: expect.objectContaining({ scope: "tenant", max: 3 }) }),
    );
    slots.acquire({ keyId: "k_cy", tenant: "globex" });
    expect(slots.count).toBe(4);
  });
});
