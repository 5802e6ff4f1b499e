// The unified-diff applier behind apply_patch: hunks apply where they match (even moved), a hunk that does not
// match changes nothing, and new, deleted and several files in one patch work.
import { describe, expect, it } from "vitest";
import { applyFilePatch, parsePatch } from "../../src/agent/patch.js";

const apply = (old: string, patch: string) => applyFilePatch(old, parsePatch(patch)[0] as never);

describe("unified diffs", () => {
  it("replaces, adds and removes lines of a hunk", () => {
    const patch = ["--- a/plan.md", "+++ b/plan.md", "@@ -1,3 +1,3 @@", " # Plan", "-step one", "+step 1", " step two", ""].join("\n");
    expect(apply("# Plan\nstep one\nstep two\n", patch)).toBe("# Plan\nstep 1\nstep two\n");
  });

  it("finds a hunk whose line numbers are off (the file moved on) and applies several hunks in order", () => {
    const old = "a\nb\nc\nd\ne\nf\ng\nh\n";
    const patch = ["--- a/x", "+++ b/x", "@@ -1,2 +1,3 @@", " a", "+a2", " b", "@@ -4,2 +5,1 @@", " g", "-h"].join("\n");
    expect(apply(old, patch)).toBe("a\na2\nb\nc\nd\ne\nf\ng\n");
  });

  it("a hunk that does not match the file fails with patch_failed naming the hunk", () => {
    const patch = ["--- a/x", "+++ b/x", "@@ -1,1 +1,1 @@", "-nope", "+yes"].join("\n");
    expect(() => apply("a\n", patch)).toThrow(
      expect.objectContaining({ code: "patch_failed", details: expect.objectContaining({ hunk: 1 }) }),
    );
  });

  it("parses new and deleted files and several files in one patch; text without headers is patch_invalid", () => {
    const files = parsePatch(
      ["--- /dev/null", "+++ b/new.md", "@@ -0,0 +1,2 @@", "+one", "+two", "--- a/old.md", "+++ /dev/null", "@@ -1 +0,0 @@", "-gone"].join(
        "\n",
      ),
    );
    expect(files.map((f) => [f.from, f.to])).toEqual([
      [null, "new.md"],
      ["old.md", null],
    ]);
    expect(applyFilePatch("", files[0] as never)).toBe("one\ntwo\n");
    expect(() => parsePatch("just some text")).toThrow(expect.objectContaining({ code: "patch_invalid" }));
  });

  it("an empty context line whose space was dropped still matches", () => {
    const patch = ["--- a/x", "+++ b/x", "@@ -1,3 +1,3 @@", " a", "", "-c", "+C"].join("\n");
    expect(apply("a\n\nc\n", patch)).toBe("a\n\nC\n");
  });
});
