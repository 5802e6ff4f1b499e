// The artifacts role's conformance: bytes stored once under their sha256 and read back.
import { createHash } from "node:crypto";
import { beforeEach, describe, expect, it } from "vitest";
import type { Store } from "../../store/index.js";
import type { FakeClock, Harness } from "./harness.js";

export function artifactsConformance(t: Harness): void {
  let store: Store;
  let clock: FakeClock;
  beforeEach(() => ({ store, clock } = t));

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

    it("listArtifacts finds artifacts by run, tag and name, newest first, with their size and runs, within a tenant", async () => {
      await store.createRun(t.newRun("r_a"));
      await store.createRun(t.newRun("r_b", { tenant: "acme" }));
      const plan = await store.putArtifact(bytes("the plan"), { runId: "r_a", name: "plan.md", tags: ["plan", "draft"] });
      clock.advance(1_000);
      const report = await store.putArtifact(bytes("a report"), { runId: "r_b", name: "report", tags: ["final"] });
      clock.advance(1_000);
      // The same bytes again, from another run with another tag: one artifact, both runs, the union of the tags.
      await store.putArtifact(bytes("the plan"), { runId: "r_b", tags: ["plan", "reviewed"] });
      await store.putArtifact(bytes("stored without a run"));

      const all = await store.listArtifacts();
      expect(all.map((a) => a.sha256)).toContain(plan);
      expect(all.find((a) => a.sha256 === plan)).toEqual({
        sha256: plan,
        name: "plan.md",
        tags: ["draft", "plan", "reviewed"],
        size: 8,
        runs: ["r_a", "r_b"],
        createdAt: clock.now() - 2_000,
      });
      expect((await store.listArtifacts({ runId: "r_b" })).map((a) => a.sha256)).toEqual([report, plan]);
      expect((await store.listArtifacts({ tag: "plan" })).map((a) => a.sha256)).toEqual([plan]);
      expect((await store.listArtifacts({ name: "report" })).map((a) => a.name)).toEqual(["report"]);
      expect(await store.listArtifacts({ tag: "nope" })).toEqual([]);
      const acme = await store.listArtifacts({ tenant: "acme" });
      expect(acme.map((a) => [a.sha256, a.runs])).toEqual([
        [report, ["r_b"]],
        [plan, ["r_b"]],
      ]);
      expect(await store.listArtifacts({ tenant: "acme", sha256: plan })).toHaveLength(1);
      expect(await store.listArtifacts({ tenant: "other", sha256: plan })).toEqual([]);
      expect(await store.listArtifacts({ limit: 1 })).toHaveLength(1);
    });

    it("a tag that is not a non-empty string is refused with invalid_artifact_tag", async () => {
      await expect(store.putArtifact(bytes("x"), { tags: [""] })).rejects.toMatchObject({ code: "invalid_artifact_tag" });
      await expect(store.putArtifact(bytes("x"), { name: "" })).rejects.toMatchObject({ code: "invalid_artifact_tag" });
    });
  });
}

const bytes = (text: string) => new TextEncoder().encode(text);
