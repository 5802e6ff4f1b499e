// The access role's conformance: API keys by token hash, shared secrets, single-use tokens.
import { beforeEach, describe, expect, it } from "vitest";
import type { ApiKeyRecord, Store } from "../../store/index.js";
import type { FakeClock, Harness } from "./harness.js";

export function accessConformance(t: Harness): void {
  let store: Store;
  let clock: FakeClock;
  beforeEach(() => ({ store, clock } = t));

  describe("API access", () => {
    const key = (id: string, extra: Partial<ApiKeyRecord> = {}): ApiKeyRecord => ({
      id,
      tenant: "acme",
      role: "operator",
      hash: `hash-of-${id}`,
      createdAt: clock.now(),
      ...extra,
    });

    it("API keys are found by hash, listed by tenant, and revoked once", async () => {
      await store.createApiKey(key("k1", { name: "ci" }));
      await store.createApiKey(key("k2", { tenant: "globex", role: "viewer" }));

      expect(await store.findApiKey("hash-of-k1")).toEqual(key("k1", { name: "ci" }));
      expect(await store.findApiKey("hash-of-nobody")).toBeUndefined();
      expect((await store.listApiKeys()).map((k) => k.id)).toEqual(["k1", "k2"]);
      expect((await store.listApiKeys({ tenant: "globex" })).map((k) => k.id)).toEqual(["k2"]);

      const revokedAt = clock.now();
      expect(await store.revokeApiKey("k1")).toMatchObject({ id: "k1", revokedAt });
      clock.advance(1_000);
      expect(await store.revokeApiKey("k1")).toMatchObject({ revokedAt });
      expect(await store.findApiKey("hash-of-k1")).toMatchObject({ revokedAt });
      expect(await store.revokeApiKey("nope")).toBeUndefined();
    });

    it("a secret keeps its first value", async () => {
      expect(await store.secret("links", "first")).toBe("first");
      expect(await store.secret("links", "second")).toBe("first");
      expect(await store.secret("other", "x")).toBe("x");
    });

    it("a token can be used once", async () => {
      expect(await store.useToken("t1", clock.now() + 1_000)).toBe(true);
      expect(await store.useToken("t1", clock.now() + 1_000)).toBe(false);
      expect(await store.useToken("t2", clock.now() + 1_000)).toBe(true);
    });

    it("concurrent first uses of a token let exactly one through", async () => {
      const uses = await Promise.all([1, 2, 3, 4].map(() => store.useToken("t1", clock.now() + 1_000)));
      expect(uses.filter(Boolean)).toHaveLength(1);
    });
  });
}
