// The artifacts role's conformance: bytes stored once under their sha256 and read back.
import { createHash } from "node:crypto";
import { beforeEach, describe, expect, it } from "vitest";
import type { Store } from "../../store/index.js";
import type { Harness } from "./harness.js";

export function artifactsConformance(t: Harness): void {
  let store: Store;
  beforeEach(() => ({ store } = t));

  describe("artifacts", () => {
    it("artifacts are stored under their sha256 and storing the same bytes twice is a no-op", async () => {
      const bytes = new TextEncoder().encode("a large step result");
      const expected = createHash("sha256").update(bytes).digest("hex");

      const first = await store.putArtifact(bytes);
      const second = await store.putArtifact(Uint8Array.from(bytes));

      expect([first, second]).toEqual([expected, expected]);
      expect(Buffer.from((await store.getArtifact(first)) as Uint8Array).equals(Buffer.from(bytes))).toBe(true);
      expect(await store.getArtifact("0".repeat(64))).toBeUndefined();
    });

    it("an empty artifact round-trips", async () => {
      const sha = await store.putArtifact(new Uint8Array());

      expect((await store.getArtifact(sha))?.byteLength).toBe(0);
    });
  });
}
